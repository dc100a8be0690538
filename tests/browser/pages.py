"""Steps the browser tests share."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, Request, expect

from activities.models import Activity
from demo.loader import DEMO_PASSWORD
from finance.models import FinancialEntry
from tests.factories import PASSWORD


def log_in(page: Page, username: str) -> None:
    """Log in through the login page, as a person would, and wait for the page it leads to."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/accounts/login/" not in page.url


def sign_in_as_demo_user(page: Page, username: str) -> None:
    """Sign in with one of the demo accounts (`demo_data` fixture) and wait for its page. The
    fields are found by their ids, so that it works whatever the page's language."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def demo_activity_with_money() -> Activity:
    """The first demo activity with ledger lines: its page and finance page have figures."""
    activity = (
        Activity.objects.filter(pk__in=FinancialEntry.objects.values("activity_id"))
        .order_by("pk")
        .first()
    )
    assert activity is not None, "the demo data has no activity with money"
    return activity


# Run in the page after its next frame and the tasks queued before it: what a page does once a
# response came in (a chart drawn from fetched data) has happened, and has logged its errors.
# Written into the call, not eval'd in the page: the pages' CSP forbids eval.
AFTER_A_FRAME = """async (arg) => {
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  return (%s)(arg);
}"""


class Settled:
    """Waits for a page to be done loading: no request in flight (Playwright's own events, so
    every kind: documents, scripts, images, fetches), before and after one more frame.

    In place of `wait_for_load_state("networkidle")`, which waits for half a second of no
    network after the last request on every page, when most pages have none after their `load`.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.in_flight: set[Request] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self.in_flight.add(request)

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)

    def evaluate(self, script: str = "() => null", arg: Any = None) -> Any:
        """The page's answer to `script` (a function of `arg`), once the page has settled."""
        deadline = time.monotonic() + 20
        while True:
            while self.in_flight:
                assert time.monotonic() < deadline, [r.url for r in self.in_flight]
                self.page.wait_for_timeout(20)  # Playwright's events are handled meanwhile
            result = self.page.evaluate(AFTER_A_FRAME % script, arg)
            if not self.in_flight:
                return result
