"""An update's way through its workflow, in Chromium, on the period and tasks pages.

The partner user (whose organization implements the activity) reports people trained with
their split by sex and a PDF as evidence, first typing words into the value (refused, naming
it), and submits; the CPM finds it in their tasks and returns it with a reason; the partner
sees the reason in theirs, corrects and resubmits; the CPM approves and the period's actual
shows the value. Then the CPM records a learning route's follow-up. Screenshots of each page
go to $SCREENSHOT_DIR as results-*.png.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity, Partner, PartnerRole
from results.models import Update, UpdateStatus
from tests.browser.pages import log_in
from tests.browser.results_steps import label, report, shoot
from tests.factories import ActivityFactory, PartnerFactory, country
from tests.knowledge.factories import make_plan, make_route
from tests.results.factories import dated, framework

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _label(text: str) -> re.Pattern[str]:
    return label(text)


def _shoot(page: Page, directory: Path, name: str) -> None:
    shoot(page, directory, f"results-{name}")


def test_partner_reports_cpm_returns_then_approves(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
    partner_user: User,
    partner_org: Partner,
) -> None:
    activity: Activity = dated(
        ActivityFactory(
            title="Crab fattening exchange", partners=[(partner_org, PartnerRole.IMPLEMENTER)]
        )
    )
    trained, _policy = framework(activity)
    period = trained.periods.get()
    period_url = f"/results/periods/{period.pk}/"
    host = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
    route = make_route(hosts=[(host, "PE")], participants=[(host, "PE")], user=focal)
    plan = make_plan(route, title="Fattening pens in two villages")

    partner = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    partner.set_default_timeout(15_000)
    partner.on("dialog", lambda dialog: dialog.accept())
    log_in(partner, "partner")
    report(partner, period_url, screenshots)

    manager = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    manager.set_default_timeout(15_000)
    log_in(manager, "cpm")
    manager.get_by_role("link", name="My tasks").click()
    _shoot(manager, screenshots, "tasks-cpm")
    manager.get_by_role("link", name="Review").click()
    manager.get_by_text("Return for revision").click()
    manager.get_by_label(_label("Reason for returning")).fill("Add the second village's people.")
    _shoot(manager, screenshots, "period-review")
    manager.get_by_role("button", name="Return with this reason").click()
    expect(manager.get_by_text("The update was returned for revision")).to_be_visible()

    partner.get_by_role("link", name="My tasks").click()
    expect(partner.get_by_text("Add the second village's people.")).to_be_visible()
    _shoot(partner, screenshots, "tasks-partner")
    partner.get_by_role("link", name="Edit").first.click()
    partner.get_by_label(_label("Value (people)")).fill("45")
    partner.get_by_label("Sex: Women").fill("25")
    partner.get_by_label("Sex: Men").fill("20")
    _shoot(partner, screenshots, "update-form-returned")
    partner.get_by_role("button", name="Save the draft").click()
    partner.get_by_role("button", name="Submit for approval").click()
    expect(partner.get_by_text("The update was submitted for approval.")).to_be_visible()

    manager.goto(period_url)
    manager.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("The update was approved: its value now counts.")).to_be_visible()
    expect(manager.locator("progress")).to_have_attribute("value", "45")
    _shoot(manager, screenshots, "period-approved")
    update = Update.objects.get()
    assert (update.status, update.value) == (UpdateStatus.APPROVED, 45)

    follow_up = plan.follow_ups.get(months=3)
    manager.goto(f"/results/routes/{route.pk}/follow-ups/")
    _shoot(manager, screenshots, "route-follow-ups")
    manager.goto(f"/results/follow-ups/{follow_up.pk}/")
    manager.get_by_label(_label("Outcome")).select_option(label="Partly adopted")
    observed = route.end_date + datetime.timedelta(days=95)
    manager.get_by_label(_label("Observed on")).fill(observed.isoformat())
    manager.get_by_label(_label("Evidence")).fill("One village built its pens.")
    manager.get_by_label(_label("Money found")).fill("12000")
    manager.get_by_label(_label("Currency")).fill("USD")
    _shoot(manager, screenshots, "follow-up-form")
    manager.get_by_role("button", name="Record the follow-up").click()
    expect(manager.get_by_text("The follow-up was recorded.")).to_be_visible()
    expect(manager.get_by_text("One village built its pens.")).to_be_visible()
    _shoot(manager, screenshots, "route-follow-ups-recorded")
