"""A CPM builds an activity's results framework through its pages, in Chromium.

From the activity's page to its (empty) results page; an outcome for the guest; a core
quantitative indicator disaggregated by sex and a qualitative one; annual periods, then a target
with its women / men split; the benefits each side expects, the scaling-up pathway and a related
activity. Every page is watched for CSP violations and script errors. Run alone with
`pytest -m browser`; screenshots go to $SCREENSHOT_DIR as results-framework-*.png.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Partner
from results import services
from results.models import Indicator, Period, ScalingPathway
from tests.browser.pages import log_in
from tests.browser.results_steps import add_indicators, label, set_periods, shoot
from tests.factories import ActivityFactory, division
from tests.results.factories import core_people_trained, dated, sex_dimension, value_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _label(text: str) -> re.Pattern[str]:
    return label(text)


def _shoot(page: Page, directory: Path, name: str) -> None:
    shoot(page, directory, f"results-framework-{name}")


def _benefits_pathway_relation(page: Page, screenshots: Path, related_id: str) -> None:
    page.get_by_role("link", name="Edit the benefits").click()
    page.locator("#id_provider-0-description").fill("The host institute's trainers go abroad")
    page.locator("#id_receiver-0-description").fill("Seed producers certify their seed")
    _shoot(page, screenshots, "5-benefits-form")
    page.get_by_role("button", name="Save the benefits").click()
    page.get_by_role("link", name="Edit the pathway").click()
    page.get_by_label(_label("Pathway")).fill("The national seed programme takes it up")
    page.get_by_label(_label("Amount")).fill("250000")
    page.get_by_label(_label("Currency")).fill("USD")
    _shoot(page, screenshots, "5b-pathway-form")
    page.get_by_role("button", name="Save the pathway").click()
    page.get_by_role("link", name="Add a related activity").click()
    page.get_by_label(_label("Relation")).select_option(label="Follow-up of")
    page.get_by_label(_label("SSC ID of the related activity")).fill(related_id)
    _shoot(page, screenshots, "6-relation-form")
    page.get_by_role("button", name="Add the link").click()
    expect(page.get_by_text("The related activity was added.")).to_be_visible()


def _reported(
    page: Page, screenshots: Path, browser: Browser, url: str, trained: Indicator, cpm: User
) -> None:
    """With an approved update (45 people: 30 women, 15 men) and a submitted one, the page
    shows the actual, the progress and the split; a staff reader sees the approved one only."""
    sex = sex_dimension()
    period = trained.periods.get(start__year=2025)
    parts = {value_of(sex, "Women"): Decimal(30), value_of(sex, "Men"): Decimal(15)}
    first = services.save_update(
        period=period, data=services.UpdateData(value=Decimal(45), parts=parts), user=cpm
    )
    services.approve_update(update=services.submit_update(update=first, user=cpm), user=cpm)
    second = services.save_update(
        period=period, data=services.UpdateData(value=Decimal(12)), user=cpm
    )
    services.submit_update(update=second, user=cpm)
    page.reload()
    expect(page.locator("meter")).to_have_attribute("value", "45")
    expect(page.get_by_text("Submitted for approval")).to_be_visible()
    _shoot(page, screenshots, "8-results-with-updates")
    reader = browser.new_page(base_url=url, viewport={"width": 1280, "height": 900})
    log_in(reader, "viewer")
    reader.goto(page.url)
    expect(reader.get_by_text("Submitted for approval")).to_have_count(0)
    expect(reader.get_by_role("link", name="Add a result")).to_have_count(0)
    _shoot(reader, screenshots, "9-results-as-reader")
    reader.goto("/results/library/")
    expect(reader.get_by_role("cell", name=re.compile("^People trained"))).to_be_visible()
    _shoot(reader, screenshots, "10-library")
    page.get_by_role("link", name=re.compile("^Remove SSC-")).click()
    expect(page.get_by_role("heading", name="Remove this related activity?")).to_be_visible()
    _shoot(page, screenshots, "11-confirm-remove")


def test_cpm_builds_a_results_framework(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    viewer: User,
    partner_org: Partner,
) -> None:
    activity = dated(ActivityFactory(lead_division=division("LAC"), partners=[partner_org]))
    earlier = ActivityFactory(lead_division=division("LAC"), title="First seed exchange")
    core_people_trained()
    sex_dimension()
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    log_in(page, "cpm")
    page.goto(activity.get_absolute_url())
    page.locator("#main").get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", name="No results framework yet")).to_be_visible()
    _shoot(page, screenshots, "1-empty")
    page.get_by_role("link", name="Add the first result").click()
    page.get_by_label(_label("Type")).select_option(label="Outcome")
    page.get_by_label(_label("For")).select_option(label="Receiver / guest")
    page.get_by_label(_label("Title")).fill("The guest's seed system certifies quality seed")
    _shoot(page, screenshots, "2-result-form")
    page.get_by_role("button", name="Save the result").click()
    expect(page.get_by_text("The result was saved.")).to_be_visible()
    add_indicators(page, screenshots)
    trained = Indicator.objects.get(core__isnull=False)
    set_periods(page, screenshots, trained)
    _benefits_pathway_relation(page, screenshots, earlier.ssc_id)
    expect(page.get_by_role("link", name=f"{earlier.ssc_id} First seed exchange")).to_be_visible()
    _shoot(page, screenshots, "7-results-page")

    _reported(page, screenshots, browser, live_server.url, trained, cpm)

    assert (trained.unit, trained.kind) == ("people", "quantitative")
    period = Period.objects.get(indicator=trained, start__year=2025)
    assert period.target_value == Decimal(100)
    assert sorted(p.value for p in period.target_parts.all()) == [Decimal(40), Decimal(60)]
    assert Indicator.objects.filter(kind="qualitative").count() == 1
    assert ScalingPathway.objects.get(activity=activity).currency == "USD"
