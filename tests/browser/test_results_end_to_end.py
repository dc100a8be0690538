"""Results from end to end, in Chromium, as issue 19 asks to see them.

The CPM builds the framework through the pages (a core quantitative indicator disaggregated by
sex and a qualitative one, annual periods, a target split by sex); the partner user, whose
organization implements the activity, submits an update; the CPM returns it with a reason; the
partner corrects and resubmits; the CPM approves. The approved value then shows on the focal
point's results dashboard and in the API, read with the partner's own token. Screenshots go to
$SCREENSHOT_DIR as results-e2e-*.png.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.services import create_api_token
from activities.models import Partner, PartnerRole
from results.models import Indicator, Update, UpdateStatus
from tests.browser.pages import log_in
from tests.browser.results_steps import add_indicators, label, report, set_periods, shoot
from tests.factories import ActivityFactory, division
from tests.results.factories import dated

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PREFIX = "results-e2e"


def _page(browser: Browser, url: str, username: str) -> Page:
    page = browser.new_page(base_url=url, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    log_in(page, username)
    return page


def _build(cpm: Page, activity_url: str, screenshots: Path) -> Indicator:
    cpm.goto(activity_url)
    cpm.locator("#main").get_by_role("link", name="Results", exact=True).click()
    cpm.get_by_role("link", name="Add the first result").click()
    cpm.get_by_label(label("Type")).select_option(label="Outcome")
    cpm.get_by_label(label("For")).select_option(label="Receiver / guest")
    cpm.get_by_label(label("Title")).fill("The guest's seed system certifies quality seed")
    cpm.get_by_role("button", name="Save the result").click()
    add_indicators(cpm, screenshots, PREFIX)
    trained = Indicator.objects.get(core__code="people-trained")
    set_periods(cpm, screenshots, trained, PREFIX)
    shoot(cpm, screenshots, f"{PREFIX}-1-framework")
    return trained


def _return_then_approve(cpm: Page, partner: Page, period_url: str, screenshots: Path) -> None:
    cpm.get_by_role("link", name="My tasks").click()
    cpm.get_by_role("link", name="Review").click()
    cpm.get_by_text("Return for revision").click()
    cpm.get_by_label(label("Reason for returning")).fill("Count the second cohort too.")
    cpm.get_by_role("button", name="Return with this reason").click()
    expect(cpm.get_by_text("The update was returned for revision")).to_be_visible()
    shoot(cpm, screenshots, f"{PREFIX}-3-returned")

    partner.get_by_role("link", name="My tasks").click()
    expect(partner.get_by_text("Count the second cohort too.")).to_be_visible()
    shoot(partner, screenshots, f"{PREFIX}-4-partner-tasks")
    partner.get_by_role("link", name="Edit").first.click()
    partner.get_by_label(label("Value (people)")).fill("45")
    partner.get_by_label("Sex: Women").fill("40")
    partner.get_by_label("Sex: Men").fill("10")
    partner.get_by_role("button", name="Save the draft").click()
    # 40 women and 10 men make 50, more than the total of 45: refused, naming the field.
    expect(partner.get_by_text("more than the total").first).to_be_visible()
    shoot(partner, screenshots, f"{PREFIX}-5-parts-refused")
    partner.get_by_label("Sex: Women").fill("30")
    partner.get_by_label("Sex: Men").fill("15")
    partner.get_by_role("button", name="Save the draft").click()
    partner.get_by_role("button", name="Submit for approval").click()
    expect(partner.get_by_text("The update was submitted for approval.")).to_be_visible()

    cpm.goto(period_url)
    cpm.get_by_role("button", name="Approve").click()
    expect(cpm.get_by_text("The update was approved: its value now counts.")).to_be_visible()
    expect(cpm.locator("progress")).to_have_attribute("value", "45")
    shoot(cpm, screenshots, f"{PREFIX}-6-approved")


def _api_actual(page: Page, token: str, activity_id: int) -> dict:
    """The 2025 actual of the core indicator, as the API gives it to a token's holder."""
    response = page.request.get(
        f"/api/v1/indicators/?activity={activity_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status == 200, response.text()
    trained = next(i for i in response.json()["results"] if i["core"])
    return next(p for p in trained["periods"] if p["start"] == "2025-01-01")["actual"]


def test_a_framework_reported_returned_corrected_approved_and_published(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
    partner_user: User,
    partner_org: Partner,
) -> None:
    activity = dated(
        ActivityFactory(
            title="Quality seed exchange",
            lead_division=division("LAC"),
            partners=[(partner_org, PartnerRole.IMPLEMENTER)],
        )
    )
    manager = _page(browser, live_server.url, "cpm")
    trained = _build(manager, activity.get_absolute_url(), screenshots)
    period_url = f"/results/periods/{trained.periods.get(start__year=2025).pk}/"

    partner = _page(browser, live_server.url, "partner")
    report(partner, period_url, screenshots, f"{PREFIX}-2")
    _return_then_approve(manager, partner, period_url, screenshots)
    update = Update.objects.get()
    assert (update.status, update.value) == (UpdateStatus.APPROVED, Decimal(45))
    assert update.history.filter(status=UpdateStatus.RETURNED).exists()

    board = _page(browser, live_server.url, "focal")
    board.goto("/results/dashboard/")
    people = board.locator("[data-core='people-trained']")
    expect(people.locator('[data-figure="actual"]')).to_have_text("45")
    expect(people.locator('[data-figure="target"]')).to_have_text("100")
    shoot(board, screenshots, f"{PREFIX}-7-dashboard")

    token = create_api_token(user=partner_user, name="Results check")[1]
    actual = _api_actual(partner, token, activity.pk)
    assert Decimal(actual["value"]) == Decimal(45)
    assert actual["updates"] == 1
