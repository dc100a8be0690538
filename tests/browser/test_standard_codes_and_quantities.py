"""The dashboard's in-kind quantities and left-out note, and the standard codes page, at a
laptop's and a phone's width: shown, keyboard reachable, no CSP problem (screenshots in
$SCREENSHOT_DIR)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import User
from activities.models import Activity
from tests.browser.pages import log_in
from tests.finance.test_quantities import portfolio  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def test_dashboard_quantities_and_codes_page_at_two_widths(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    browser_problems: list[str],
    screenshots: Path,
    focal: User,
    portfolio: tuple[Activity, Activity],  # noqa: F811
) -> None:
    for width in WIDTHS:
        page = browser.new_page(base_url=live_server.url, viewport={"width": width, "height": 900})
        page.set_default_timeout(15_000)
        log_in(page, focal.username)
        page.goto("/dashboard/")
        note = page.locator('[data-figure="in_kind_not_valued"]')
        expect(note).to_contain_text("In-kind not valued, left out: 3 lines")
        table = page.locator('[data-table="quantities"]')
        expect(table).to_contain_text("Brazil")
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"codesui-dashboard-{width}.png"), full_page=True)
        page.goto("/finance/theme-codes/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Standard codes")
        # Keyboard: the category form is reached and sent with keys alone.
        page.get_by_label("Category value").focus()
        page.keyboard.type("learning_route")
        page.locator("#id_category_scheme").select_option("aid-type")
        page.locator("#id_category_code").focus()
        page.keyboard.type("E01")
        page.keyboard.press("Enter")
        expect(page.locator("[data-history]")).to_contain_text("E01")
        page.screenshot(path=str(screenshots / f"codesui-codes-{width}.png"), full_page=True)
        page.close()
    assert browser_problems == []
