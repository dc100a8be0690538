"""Headless Chromium for the browser tests: Debian's binary driven by Playwright, a live server
over plain http, and a folder for screenshots ($SCREENSHOT_DIR, else the test's tmp_path).

Every page is watched: a Content Security Policy violation or an uncaught script error fails the
test that opened it (see `browser`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from demo.loader import load_demo_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_settings(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # The live server speaks plain http: secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here between
    # page actions are plain synchronous code, not inside that loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Installed in every page before the page's own scripts. The `securitypolicyviolation` event names
# the directive and the script line that broke it ("inline" for a style="" attribute); the console
# watch below stays for what the page cannot see itself.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${location.href}: CSP violation of ${event.effectiveDirective} by ${event.blockedURI} ` +
    `at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`
  );
}, true);
"""


def _listen_for_csp_violations(target: Page | BrowserContext, problems: list[str]) -> None:
    """Report each CSP violation a page sees, from its first script on, into `problems`."""

    def report(violation: str) -> None:
        problems.append(violation)

    target.expose_function("__cspViolation", report)
    target.add_init_script(CSP_LISTENER)


def _watch(page: Page, problems: list[str]) -> None:
    """Collect what must never happen on our pages: a CSP violation or an uncaught JS error."""

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))


@pytest.fixture
def browser_problems() -> list[str]:
    """What the `browser` fixture's watch saw, for a test that counts or checks it itself."""
    return []


@pytest.fixture
def browser(browser_problems: list[str]) -> Iterator[Browser]:
    """Chromium whose every page is watched: a test fails on any CSP violation or JS error.

    Pages come from browser.new_page() or from a context's new_page(); both are covered.
    """
    # Failing rather than skipping: a skipped browser test in CI would look like a pass.
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install chromium` (make does it), "
            "or leave the browser tests out with -m 'not browser'."
        )
    problems = browser_problems
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_page, new_context = browser.new_page, browser.new_context

        def watched_page(*args: Any, **kwargs: Any) -> Page:
            page = new_page(*args, **kwargs)
            _listen_for_csp_violations(page, problems)
            _watch(page, problems)
            return page

        def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
            context = new_context(*args, **kwargs)
            _listen_for_csp_violations(context, problems)
            context.on("page", lambda page: _watch(page, problems))
            return context

        browser.new_page = watched_page  # type: ignore[method-assign]
        browser.new_context = watched_context  # type: ignore[method-assign]
        try:
            yield browser
        finally:
            browser.close()
    assert not problems, "Browser console problems:\n" + "\n".join(problems)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def demo_data(settings) -> None:  # type: ignore[no-untyped-def]
    """The demo data `make run` shows, with its accounts (pages.sign_in_as_demo_user)."""
    settings.DEBUG = True  # the demo's accounts are refused otherwise (published password)
    load_demo_data()
    settings.DEBUG = False
