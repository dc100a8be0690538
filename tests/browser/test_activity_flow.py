"""A CPM logs an activity through the real pages in headless Chromium, approves it and finds it.

Run alone with `pytest -m browser`. Screenshots of the form, detail and list pages go to
$SCREENSHOT_DIR (default: the test's tmp_path) for a developer to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from activities.models import Activity, CountryRole, Status
from tests.browser.pages import log_in
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback brings back the reference data
    # (countries, themes, divisions) that migration 0002 loaded and the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _label(text: str) -> re.Pattern[str]:
    """A field's label, whether or not it carries the required-field star."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def _shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def _fill_activity_form(page: Page) -> None:
    """A triangular learning route from Brazil and Peru to Mozambique, brokered by Embrapa."""
    page.goto("/activities/new/")
    page.get_by_label(_label("Title")).fill("Learning route on cassava processing")
    page.get_by_label(_label("Summary")).fill(
        "Processors from Brazil and Peru host a delegation from Mozambique."
    )
    page.get_by_label(_label("Activity type")).select_option(label="Learning route")
    page.get_by_label(_label("Modality")).select_option(label="Triangular")
    page.get_by_label(_label("Funding nature")).select_option(label="Grant-funded")
    expect(page.get_by_label(_label("Status"))).to_have_value(Status.PIPELINE)
    page.get_by_label(_label("Year of approval")).fill("2024")

    countries = page.get_by_label(_label("Country"))
    roles = page.get_by_label(_label("Role"))
    countries.nth(0).select_option(label="Brazil")
    roles.nth(0).select_option(value=CountryRole.PROVIDER)
    countries.nth(1).select_option(label="Peru")
    roles.nth(1).select_option(value=CountryRole.PROVIDER)
    countries.nth(2).select_option(label="Mozambique")
    roles.nth(2).select_option(value=CountryRole.RECEIVER)

    partner_row = page.locator('[data-formset="partners"] [data-formset-row]').first
    # The page lists the organizations once; the browser suggests them as the CPM types.
    expect(
        page.locator('datalist#partner-names option[value="Embrapa (EMB) — Brazil"]')
    ).to_have_count(1)
    partner_row.get_by_label(_label("Partner")).fill("Embrapa (EMB) — Brazil")
    partner_row.get_by_label("Broker / facilitator").check()

    page.get_by_label("Inclusive agricultural value chains").check()


def test_cpm_creates_approves_and_finds_an_activity(
    live_server,
    live_settings: None,
    browser: Browser,
    screenshots: Path,  # type: ignore[no-untyped-def]
) -> None:
    UserFactory(
        username="cpm", role=Role.CPM, divisions=["LAC"], first_name="Ana", last_name="Lima"
    )
    PartnerFactory(name="Embrapa", acronym="EMB", country=country("BR"))
    # Something else in the list, so that filtering by country visibly filters.
    ActivityFactory(title="Exchange on irrigation in Senegal", countries=["SN"])

    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)

    log_in(page, "cpm")

    _fill_activity_form(page)
    _shoot(page, screenshots, "form")
    page.get_by_role("button", name="Create activity").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Learning route on cassava processing"
    )
    expect(page.get_by_text(re.compile(r"Activity SSC-2024-\d+ was created\."))).to_be_visible()
    activity = Activity.objects.get(title="Learning route on cassava processing")
    assert re.fullmatch(r"/activities/\d+/", page.url.removeprefix(live_server.url))

    page.get_by_label(_label("New status")).select_option(label="Approved")
    page.get_by_label(_label("Note")).fill("Approved by the operations committee")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Status changed to Approved.")).to_be_visible()
    _shoot(page, screenshots, "detail")

    page.goto("/activities/")
    page.get_by_label(_label("Country")).select_option(label="Peru")
    page.get_by_role("button", name="Apply filters").click()
    expect(
        page.get_by_role("link", name=re.compile("Learning route on cassava processing"))
    ).to_be_visible()
    expect(page.get_by_text("Exchange on irrigation in Senegal")).to_have_count(0)
    assert "country=PE" in page.url
    _shoot(page, screenshots, "list")

    activity.refresh_from_db()
    assert activity.status == Status.APPROVED
    assert {c.iso2 for c in activity.providers} == {"BR", "PE"}
    assert [c.iso2 for c in activity.receivers] == ["MZ"]
    assert list(activity.partner_links.values_list("partner__name", "role")) == [
        ("Embrapa", "broker")
    ]
    assert list(activity.themes.values_list("code", flat=True)) == ["value-chains"]
    assert activity.responsible_cpm.username == "cpm"
    assert activity.status_changes.first().note == "Approved by the operations committee"
    for name in ("form", "detail", "list"):
        assert (screenshots / f"{name}.png").stat().st_size > 0
