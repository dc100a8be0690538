"""Both sides agree, in the browser: Mozambique's counterpart disputes the dates from the
activity page, the CPM answers, the counterpart confirms with the keyboard alone and proposes
its contribution; the inbox leads to the page; the list shows the agreement.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path): counterparts_sides_cpm.png, counterparts_sides_counterpart.png, dispute_form.png,
proposal_form.png, inbox.png, list_agreement.png.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from activities.services import create_activity
from counterparts import services
from counterparts.models import Confirmation, ConfirmationState, ContributionProposal
from tests.browser.pages import log_in
from tests.factories import PartnerFactory, activity_data, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_counterpart_disputes_is_answered_confirms_and_proposes(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    partner_org: Partner,
    partner_user: User,
    counterpart_user: User,
) -> None:
    mz_org = PartnerFactory(name="Associação de Agricultores do Niassa", country=country("MZ"))
    activity = _activity_with_messages(cpm, partner_org)
    url = f"{live_server.url}/activities/{activity.pk}/"

    side_page = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    log_in(side_page, counterpart_user.username)
    side_page.goto(f"{live_server.url}/inbox/")
    expect(side_page.get_by_role("link", name="Inbox")).to_contain_text("2")
    side_page.screenshot(path=screenshots / "inbox.png", full_page=True)
    side_page.get_by_role("button", name="please confirm the role of Mozambique").click()
    expect(side_page).to_have_url(f"{url}#sides")
    expect(side_page.get_by_text("Internal: Brazil")).to_have_count(0)

    side_page.get_by_role("link", name="Dispute").click()
    side_page.get_by_label("Dates").check()
    side_page.get_by_label("Comment").fill("The route took place in October, not March.")
    side_page.screenshot(path=screenshots / "dispute_form.png", full_page=True)
    side_page.get_by_role("button", name="Send the dispute").click()
    expect(side_page.locator(".alert--success")).to_contain_text("Your dispute")

    cpm_page = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    log_in(cpm_page, cpm.username)
    cpm_page.goto(url)
    cpm_page.get_by_label("Answer the dispute").fill("Dates corrected to October.")
    cpm_page.get_by_role("button", name="Send the answer").click()
    expect(cpm_page.locator(".alert--success")).to_contain_text("asked to confirm again")

    # Confirming with the keyboard alone: focus the button, press Enter.
    side_page.goto(url)
    button = side_page.get_by_role("button", name="Confirm the role of Mozambique")
    button.focus()
    side_page.keyboard.press("Enter")
    expect(side_page.locator(".alert--success")).to_contain_text("You confirmed")
    moz = Confirmation.objects.get(activity=activity, country_link__country__iso2="MZ")
    assert moz.state == ConfirmationState.CONFIRMED

    side_page.get_by_role("link", name="Propose a contribution").click()
    side_page.locator("#id_contributor").select_option(label=str(mz_org))
    side_page.locator("#id_kind").select_option("in_kind")
    side_page.locator("#id_amount").fill("12000")
    side_page.locator("#id_currency").fill("USD")
    side_page.locator("#id_value_date").fill("2025-03-01")
    side_page.get_by_label("Valuation (in-kind only)").select_option("staff_time")
    side_page.get_by_label("Valuation basis (in-kind only)").fill("40 staff days at 300 USD")
    side_page.screenshot(path=screenshots / "proposal_form.png", full_page=True)
    side_page.get_by_role("button", name="Propose").click()
    expect(side_page.locator(".alert--success")).to_contain_text("proposed")
    side_page.locator("#sides").screenshot(path=screenshots / "counterparts_sides_counterpart.png")
    side_page.locator("#contributions").screenshot(
        path=screenshots / "counterparts_contributions_counterpart.png"
    )
    assert ContributionProposal.objects.get().contributor == mz_org

    cpm_page.goto(url)
    expect(cpm_page.get_by_text("Internal note", exact=True).first).to_be_visible()
    cpm_page.locator("#sides").screenshot(path=screenshots / "counterparts_sides_cpm.png")
    cpm_page.locator("#conversation").screenshot(
        path=screenshots / "counterparts_conversation_cpm.png"
    )
    cpm_page.locator("#contributions").screenshot(
        path=screenshots / "counterparts_contributions_cpm.png"
    )
    cpm_page.goto(f"{live_server.url}/activities/")
    expect(cpm_page.locator(".badge--agree-waiting").first).to_be_visible()
    cpm_page.screenshot(path=screenshots / "list_agreement.png", full_page=True)


def _activity_with_messages(cpm: User, partner_org: Partner) -> Activity:
    """Brazil provides, Mozambique receives, the partner implements; a shared message that
    mentions the counterpart and an internal note; two other activities in the list."""
    activity = create_activity(
        data=activity_data(
            title="Learning route on cashew value chains",
            countries=["BR", ("MZ", CountryRole.RECEIVER)],
            partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
            planned_start=datetime.date(2025, 3, 1),
            planned_end=datetime.date(2025, 9, 30),
            responsible_cpm=cpm,
        ),
        user=cpm,
    )
    for title in ("Seed systems exchange", "Rural finance peer visit"):
        create_activity(data=activity_data(title=title, countries=["BR", "CO"]), user=cpm)
    services.post_comment(
        activity=activity, user=cpm, body="Budget to check with @counterpart.", internal=False
    )
    services.post_comment(
        activity=activity, user=cpm, body="Internal: Brazil asked for more days.", internal=True
    )
    return activity
