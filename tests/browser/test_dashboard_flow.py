"""The focal point uses the dashboard in Chromium: charts drawn, a filter applied, a data table
opened, a CSV downloaded, no error in the console.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path) as dashboard-sample.png, dashboard-sample-apr.png and dashboard-generated.png.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from finance import rollups
from finance.importer import import_legacy_workbook
from tests.factories import PASSWORD
from tests.finance.dashboard_data import generate_ledger
from tests.finance.test_dashboard_confirmation import spread_agreements

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLE = Path(__file__).resolve().parents[3] / "shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
CHARTS = 8


def _open_dashboard(browser: Browser, base_url: str, query: str = "") -> tuple[Page, list[str]]:
    page = browser.new_page(base_url=base_url, viewport={"width": 1440, "height": 900})
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("focal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    if query:
        page.goto(f"/dashboard/?{query}")
    return page, errors


def _expect_charts_drawn(page: Page) -> None:
    expect(page.locator("[data-chart][data-rendered]")).to_have_count(CHARTS)
    for chart in page.locator("[data-chart]").all():
        expect(chart.locator("canvas")).to_have_count(1)


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/legacy is beside the repository in CI")
def test_focal_point_filters_the_sample_opens_a_table_and_downloads_csv(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=False)
    rollups.rebuild_all()

    page, errors = _open_dashboard(browser, live_server.url)
    _expect_charts_drawn(page)
    expect(page.locator('[data-figure="ifad_allocated"]')).to_have_text("US$ 6,544,000")
    expect(page.locator('[data-figure="activities"]')).to_have_text("16")
    page.screenshot(path=str(screenshots / "dashboard-sample.png"), full_page=True)

    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("APR: Asia and the Pacific Division").check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?(.*&)?division=APR"))
    _expect_charts_drawn(page)
    expect(page.locator('[data-figure="activities"]')).to_have_text("8")
    expect(filters.get_by_label("APR: Asia and the Pacific Division")).to_be_checked()

    card = page.locator("#chart-countries")
    table = card.locator("table")
    expect(table).to_be_hidden()
    card.get_by_text("Data table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row").first).to_contain_text("Country")
    page.screenshot(path=str(screenshots / "dashboard-sample-apr.png"), full_page=True)

    with page.expect_download() as download_info:
        card.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "ssc-dashboard-countries.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0][:2] == ["Country", "IFAD planned (US$)"]
    assert rows[-1][0] == "Total"
    assert errors == []


def test_dashboard_draws_a_generated_portfolio(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    generate_ledger(activities=400, entries_per_activity=6, seed=21)
    page, errors = _open_dashboard(browser, live_server.url)
    _expect_charts_drawn(page)
    expect(page.locator('[data-figure="activities"]')).not_to_have_text("0")
    flows = page.locator("#chart-flows table")
    expect(flows.locator("tr")).to_have_count(21)  # header and the 20 top pairs (hidden)
    page.screenshot(path=str(screenshots / "dashboard-generated.png"), full_page=True)
    assert errors == []


def test_focal_point_shows_only_the_activities_every_side_confirmed(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    generate_ledger(activities=60, entries_per_activity=4, seed=22)
    spread_agreements(seed=22)
    page, errors = _open_dashboard(browser, live_server.url)
    coverage = page.locator('[data-figure="coverage_activities"]')
    expect(coverage).to_have_text(re.compile(r"^\d+\.\d\s%$"))
    all_activities = page.locator('[data-figure="activities"]').inner_text()
    page.get_by_role("checkbox", name="Confirmed by all sides").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"agreement=confirmed"))
    _expect_charts_drawn(page)
    # The coverage measures the whole selection; the figures, the confirmed activities alone.
    expect(page.locator('[data-figure="coverage_activities"]')).to_have_text(coverage.inner_text())
    expect(page.locator('[data-figure="activities"]')).not_to_have_text(all_activities)
    page.screenshot(path=str(screenshots / "dashboard-confirmed.png"), full_page=True)
    assert errors == []
