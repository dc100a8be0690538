"""The browser fixture's watch really catches CSP violations and script errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _watch

pytestmark = pytest.mark.browser

BLOCKED_INLINE = (
    "<meta http-equiv='Content-Security-Policy' content=\"script-src 'none'\">"
    "<script>document.title = 'ran';</script>"
)


def test_watch_records_a_csp_violation_and_an_uncaught_error() -> None:
    # A browser of its own: the `browser` fixture would rightly fail this test for these problems.
    seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        _watch(page, seen)
        page.set_content(BLOCKED_INLINE)
        page.evaluate("setTimeout(() => { throw new Error('boom') }, 0)")
        page.wait_for_timeout(200)
        title = page.title()
        browser.close()
    assert title != "ran"
    assert any("Content Security Policy" in problem for problem in seen)
    assert any("boom" in problem for problem in seen)
