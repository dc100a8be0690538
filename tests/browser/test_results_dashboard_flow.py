"""The focal point uses the results dashboard in Chromium: a chart drawn per core indicator, a
filter applied, a figure clicked through to the activities behind it, the workbook downloaded,
no CSP violation or script error.

Screenshots go to $SCREENSHOT_DIR (default: the test's tmp_path): results-dashboard.png,
results-dashboard-esa.png, results-dashboard-activities.png, results-dashboard-empty.png.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from results import services
from results.models import Indicator, Period
from tests.factories import PASSWORD, ActivityFactory, division
from tests.results.factories import core_policies, dated, framework

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _approve(period: Period, **data: object) -> None:
    update = services.save_update(period=period, data=services.UpdateData(**data), user=None)
    services.approve_update(update=services.submit_update(update=update, user=None), user=None)


def _portfolio() -> list[Indicator]:
    """Three activities reporting on people trained (2025) and a policy (achieved or not)."""
    trained_list = []
    for code, value, achieved in (("LAC", 30, True), ("ESA", 12, False), ("ESA", 45, True)):
        activity = dated(
            ActivityFactory(lead_division=division(code), countries=["BR"]), start="2024-01-01"
        )
        trained, _ = framework(activity)
        _approve(trained.periods.get(), value=Decimal(value))
        policy = services.save_indicator(
            indicator=Indicator(result=trained.result, core=core_policies(), title="Seed law")
        )
        services.save_period(
            period=Period(
                indicator=policy, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
            )
        )
        _approve(policy.periods.get(), narrative="Drafted and tabled.", achieved=achieved)
        trained_list.append(trained)
    return trained_list


def _sign_in(browser: Browser, base_url: str) -> Page:
    page = browser.new_page(base_url=base_url, viewport={"width": 1440, "height": 900})
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("focal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_focal_point_filters_clicks_through_and_downloads(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    trained = _portfolio()
    page = _sign_in(browser, live_server.url)
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Results dashboard")).to_be_visible()
    people = page.locator("[data-core='people-trained']")
    expect(people.locator('[data-figure="actual"]')).to_have_text("87")
    expect(people.locator('[data-figure="target"]')).to_have_text("300")
    policies = page.locator("[data-core='policies-influenced']")
    expect(policies.locator('[data-figure="actual"]')).to_have_text("2")
    expect(page.locator("[data-chart][data-rendered]")).to_have_count(2)
    for chart in page.locator("[data-chart]").all():
        expect(chart.locator("canvas")).to_have_count(1)
    page.screenshot(path=str(screenshots / "results-dashboard.png"), full_page=True)

    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("ESA: East and Southern Africa Division").check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/results/dashboard/\?(.*&)?division=ESA"))
    expect(people.locator('[data-figure="actual"]')).to_have_text("57")
    people.get_by_text("Data table").click()
    expect(people.locator("table")).to_be_visible()
    page.screenshot(path=str(screenshots / "results-dashboard-esa.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download (Excel)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    values = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    line = next(row for row in values if row and row[0] == "People trained")
    assert Decimal(str(line[4])) == Decimal(57)

    people.get_by_role("link", name="2 activities").click()
    expect(page.get_by_role("heading", level=1, name="People trained")).to_be_visible()
    rows = page.locator("[data-table='contributions'] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("[data-actual]")).to_have_text("45")
    expect(page.get_by_text(trained[0].result.activity.title)).to_have_count(0)
    page.screenshot(path=str(screenshots / "results-dashboard-activities.png"), full_page=True)

    page.get_by_role("link", name="Back to the dashboard").first.click()
    expect(page).to_have_url(re.compile(r"division=ESA"))
    page.goto("/results/dashboard/?year_from=2030")
    expect(page.locator("[data-state='nothing-reported']")).to_be_visible()
    page.screenshot(path=str(screenshots / "results-dashboard-empty.png"), full_page=True)
