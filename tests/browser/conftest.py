"""Headless Chromium for the browser tests: Debian's binary driven by Playwright, a live server
over plain http, and a folder for screenshots ($SCREENSHOT_DIR, else the test's tmp_path).

Every page is watched: a Content Security Policy violation or an uncaught script error fails the
test that opened it (see `browser`).

The tests that only read the demo share one copy of it (`demo_site`) instead of loading it each.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from demo.loader import load_demo_data
from tests.helpers import State, db_state

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
            # While Playwright's loop runs, Django hands this thread other connection objects
            # (see benchmarks/README.md, "The test suite"): close the ones opened meanwhile, or
            # they outlive the run and keep its test database from being dropped.
            connections.close_all()
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


# --- sites shared by the tests that only read them -------------------------------------------
# Loading the demo cost each test that used it more than most of them spend in the browser, and
# the flush after each test as much again. A shared site (`demo_site`, or a module's own made
# with `shared_site`) is made once, committed (the live server's threads read it through their
# own connections), for a run of tests in a row that ask for it: the root conftest puts the
# demo's together, and the site is flushed away, as after any transactional test, before the
# first test that does not ask for it. Each test must leave the site as it found it: `db_state`
# (everything a page could change) is compared after each one, and a test that wrote fails
# there rather than changing what the next one sees.


@dataclass
class SharedSite:
    fixture: str  # the name of the fixture its tests ask for
    server: LiveServer
    state: State
    blocker: DjangoDbBlocker


_open_sites: list[SharedSite] = []  # at most one: this process's


# The fixtures giving a shared site (each marks its tests' database as the site's own).
SHARED_SITES = {"demo_site"}


@pytest.fixture(autouse=True)
def _django_db_marker(request: pytest.FixtureRequest) -> None:
    """pytest-django's own (it applies the django_db marker), left out for the tests on a
    shared site: their marker (transaction, serialized_rollback) has pytest-django make the test
    database and keep its reference data, and place them with the transactional tests; their
    database is the site's, not flushed after each."""
    on_a_site = SHARED_SITES & set(request.fixturenames)
    if not on_a_site and request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")


@pytest.fixture(scope="session")
def reference_data(django_db_setup: None) -> Iterator[str]:
    """The migrations' data as the test database held it (a transactional test's
    serialized_rollback puts it back the same way). Session-scoped: read before any test's
    Playwright loop makes Django hand the test thread another connection object. The site
    still open after the session's last test is closed before the test database goes."""
    yield str(connections[DEFAULT_DB_ALIAS]._test_serialized_contents)  # type: ignore[attr-defined]
    close_shared_site()


def close_shared_site() -> None:
    """Stop the site's server and flush its data away, as a transactional test's teardown does
    (the next such test puts the reference data back itself)."""
    if not _open_sites:
        return
    site = _open_sites.pop()
    site.server.stop()
    with site.blocker.unblock():
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)


def shared_site(request: pytest.FixtureRequest, build: Callable[[], None]) -> Iterator[str]:
    """For a fixture named in SHARED_SITES: the live server's URL, showing what `build` made
    (once for the run of tests asking for this fixture). The test may read the database; what
    it writes, it must undo."""
    name = request.fixturename
    assert name in SHARED_SITES, name
    blocker: DjangoDbBlocker = request.getfixturevalue("django_db_blocker")
    reference: str = request.getfixturevalue("reference_data")
    request.getfixturevalue("live_settings")
    with blocker.unblock():
        if _open_sites and _open_sites[0].fixture != name:
            close_shared_site()
        if not _open_sites:
            # After a transactional test the tables are empty; after the others, this rewrites
            # the same rows.
            connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(reference)
            build()
            address = request.config.getvalue("liveserver") or "localhost"
            _open_sites.append(SharedSite(name, LiveServer(address), db_state(), blocker))
        site = _open_sites[0]
        # As pytest-django's live_server fixture does for each test.
        with site.server._live_server_modified_settings:
            yield site.server.url
        assert db_state() == site.state, "the test changed the data the next tests read"


def _load_demo() -> None:
    with override_settings(DEBUG=True):  # the demo's accounts are refused otherwise
        load_demo_data()


@pytest.fixture
def demo_site(request: pytest.FixtureRequest) -> Iterator[str]:
    """The live server's URL, showing the demo `make run` shows, with its accounts
    (pages.sign_in_as_demo_user); shared (`shared_site`)."""
    yield from shared_site(request, _load_demo)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    names = getattr(nextitem, "fixturenames", ())
    if _open_sites and _open_sites[0].fixture not in names:
        close_shared_site()
