"""Exports where people look (issue 22): in Chromium, the focal point follows a flow of the
dashboard by keyboard to the activity list filtered to it, downloads that list as CSV in the
columns they chose, saves it as a shared view, renames it; a viewer opens the shared link; the
focal point deletes the view after confirming.

Screenshots at 1366 and 390 px go to $SCREENSHOT_DIR (default: the test's tmp_path):
list-tools-*.png, saved-views-*.png, dashboard-flow-links-*.png.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from activities.saved_views import SavedView
from finance.dashboard import Reference, Selection
from finance.rollups import RollupFilters
from tests.browser.pages import log_in
from tests.finance.dashboard_data import generate_ledger

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def _shots(page: Page, screenshots: Path, name: str, part: Locator | None = None) -> None:
    """The page (or one `part` of it) at each width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = str(screenshots / f"{name}-{width}.png")
        if part is not None:
            part.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _follow_a_flow_by_keyboard(page: Page, screenshots: Path, focal: User) -> int:
    """Open the flows' data table and press Enter on its first row's link: the list of that
    provider -> receiver pair. Returns how many activities the dashboard counted for it."""
    flow = Selection(focal, RollupFilters(), Reference.load()).flows[0]
    page.get_by_role("link", name="Dashboard", exact=True).click()
    card = page.locator("#chart-flows")
    card.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the data table
    link = card.locator("tbody a").first
    expect(link).to_have_text(flow.provider.name)
    link.scroll_into_view_if_needed()
    _shots(page, screenshots, "dashboard-flow-links", card)
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Activities")).to_be_visible()
    assert f"provider={flow.provider.iso2}" in page.url
    assert f"receiver={flow.receiver.iso2}" in page.url
    expect(page.get_by_label("Provider country")).to_have_value(flow.provider.iso2)
    return flow.activities


def _download_csv(page: Page, expected_rows: int) -> None:
    tools = page.locator("#export")
    tools.locator("summary").click()
    tools.get_by_label("CSV").check()
    tools.get_by_label("Themes").uncheck()
    tools.get_by_label("Partners").check()
    with page.expect_download() as download_info:
        tools.get_by_role("button", name="Download").click()
    download = download_info.value
    assert re.match(r"ssc-activities-\d{4}-\d{2}-\d{2}\.csv$", download.suggested_filename)
    path = download.path()
    assert path is not None
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert "Partners" in rows[0] and "Themes" not in rows[0]
    assert len(rows) - 1 == expected_rows


def test_from_a_dashboard_flow_to_an_export_and_a_shared_view(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
    viewer: User,
) -> None:
    generate_ledger(activities=30, entries_per_activity=3, seed=9)
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(15_000)
    log_in(page, "focal")

    counted = _follow_a_flow_by_keyboard(page, screenshots, focal)
    expect(page.locator("table tbody tr")).to_have_count(counted)
    _download_csv(page, counted)

    saving = page.locator("#save-view")
    saving.locator("summary").click()
    saving.get_by_label("View name").fill("Pair of the month")
    saving.get_by_label("Share by link").check()
    _shots(page, screenshots, "list-tools")
    saving.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view “Pair of the month”.")).to_be_visible()
    view = SavedView.objects.get(owner=focal)
    assert view.shared and "provider=" in view.query and "receiver=" in view.query

    page.get_by_role("link", name="Saved views").click()
    expect(page.get_by_role("link", name="Pair of the month", exact=True)).to_be_visible()
    _shots(page, screenshots, "saved-views")
    page.get_by_role("link", name="Rename or share Pair of the month").click()
    page.get_by_label("View name").fill("Main pair")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Main pair", exact=True)).to_be_visible()

    other = browser.new_page(base_url=live_server.url)
    log_in(other, "viewer")
    other.goto(view.get_absolute_url())
    expect(other.get_by_role("heading", level=1, name="Activities")).to_be_visible()
    expect(other.locator("table tbody tr")).to_have_count(counted)

    page.get_by_role("link", name="Delete Main pair").click()
    expect(page.get_by_role("heading", name="Delete the view “Main pair”?")).to_be_visible()
    page.get_by_role("button", name="Delete the view").click()
    expect(page.get_by_text("No saved views yet")).to_be_visible()
    assert not SavedView.objects.exists()
