"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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
