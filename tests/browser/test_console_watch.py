"""The browser fixture's watch really catches CSP violations and script errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _listen_for_csp_violations, _watch

pytestmark = pytest.mark.browser

BLOCKED_INLINE = (
    "<meta http-equiv='Content-Security-Policy' content=\"script-src 'none'\">"
    "<script>document.title = 'ran';</script>"
)

# Our policy's style-src (no 'unsafe-inline'), and what ECharts does to show a tooltip: a style
# set through the CSSOM, which the policy allows, then an HTML string with style="" in it, which
# it blocks. The page is served with the header, like the portal's pages.
PAGE = "http://csp.test/"
INLINE_STYLES = '<!doctype html><div id="tip"></div><script src="/tip.js"></script>'
TIP_SCRIPT = """
var tip = document.getElementById("tip");
tip.style.cssText = "position:absolute;color:#123";
tip.innerHTML = '<span style="background-color:red">marker</span>';
document.title = "drawn";
"""


def _serve(route: Route) -> None:
    if route.request.url.endswith("/tip.js"):
        route.fulfill(body=TIP_SCRIPT, content_type="text/javascript")
        return
    route.fulfill(
        body=INLINE_STYLES,
        content_type="text/html",
        headers={"Content-Security-Policy": "default-src 'self'; style-src 'self'"},
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


def test_listener_reports_a_style_attribute_but_not_a_cssom_style() -> None:
    seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        _listen_for_csp_violations(page, seen)
        page.route("http://csp.test/**", _serve)
        page.goto(PAGE)
        page.wait_for_function("document.title === 'drawn'")
        page.wait_for_timeout(200)
        browser.close()
    assert len(seen) == 1, seen
    assert "style-src-attr by inline at http://csp.test/tip.js:4" in seen[0]
