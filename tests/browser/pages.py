"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def log_in(page: Page, username: str) -> None:
    """Log in through the login page, as a person would, and wait for the page it leads to."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/accounts/login/" not in page.url
