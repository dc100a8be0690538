"""Likely duplicates in Chromium: a CPM logs an activity that is already in the portal, sees it
listed before anything is saved, and creates theirs in one click ("this is a different
activity"); the focal point opens the report of likely duplicates and tells an open pair apart
from the keyboard.

Run alone with `pytest -m browser`. Screenshots at 1366 and 390 px wide go to $SCREENSHOT_DIR
(default: the test's tmp_path) as duplicates_<step>_<width>.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity, DuplicatePair, FoundVia, PairState
from tests.browser.pages import log_in
from tests.browser.test_activity_flow import _fill_activity_form
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def _shoot(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"duplicates_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_a_duplicate_is_shown_before_saving_and_the_focal_point_tells_pairs_apart(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
) -> None:
    embrapa = PartnerFactory(name="Embrapa", acronym="EMB", country=country("BR"))
    existing = ActivityFactory(
        title="Learning route on cassava processing (Brazil, Peru, Mozambique)",
        countries=["BR", "PE", ("MZ", "receiver")],
        partners=[(embrapa, "broker")],
        approval_year=2024,
    )
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(30_000)
    log_in(page, "cpm")
    _fill_activity_form(page)
    page.get_by_role("button", name="Create activity").click()

    panel = page.get_by_role("alert").filter(has_text="This activity may already exist")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(existing.ssc_id)
    expect(panel).to_contain_text("same countries: Brazil, Mozambique, Peru")
    expect(panel).to_contain_text("shared partners: Embrapa")
    expect(page.get_by_label(re.compile(r"^Title( \*)?$"))).to_have_value(
        "Learning route on cassava processing"
    )  # what the CPM typed is kept
    _shoot(page, screenshots, "suggested")
    assert Activity.objects.count() == 1  # nothing saved yet

    page.get_by_role("button", name="This is a different activity: create it").click()
    expect(page.get_by_text(re.compile(r"Activity SSC-2024-\d+ was created\."))).to_be_visible()
    pair = DuplicatePair.objects.get()
    assert pair.first == existing and pair.state == PairState.DIFFERENT
    assert pair.decided_by == cpm

    # An import brought two alike activities in: the pair waits in the focal point's report.
    first = ActivityFactory(title="Study tour on dairy cooperatives", countries=["KE", "UG"])
    second = ActivityFactory(title="Study tour on dairy co-operatives", countries=["KE", "UG"])
    open_pair = DuplicatePair.objects.create(
        first=first, second=second, score=91, found_via=FoundVia.IMPORT
    )
    focal_page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    focal_page.set_default_timeout(30_000)
    log_in(focal_page, "focal")
    focal_page.goto("/activities/")
    focal_page.get_by_role("link", name="Likely duplicates").click()
    expect(focal_page.get_by_role("heading", level=1)).to_have_text("Likely duplicates")
    row = focal_page.get_by_role("row").filter(has_text=first.ssc_id)
    expect(row).to_contain_text("91 %")
    expect(row).to_contain_text("same countries: Kenya, Uganda")
    _shoot(focal_page, screenshots, "report")

    button = row.get_by_role("button", name="Different activities")
    button.focus()
    focal_page.keyboard.press("Enter")
    expect(focal_page.get_by_text("are recorded as different activities")).to_be_visible()
    expect(focal_page.get_by_role("heading", name="No likely duplicate to check")).to_be_visible()
    _shoot(focal_page, screenshots, "told_apart")
    open_pair.refresh_from_db()
    assert open_pair.state == PairState.DIFFERENT and open_pair.decided_by == focal
