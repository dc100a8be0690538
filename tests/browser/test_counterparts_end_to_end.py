"""Issue "Both sides agree", end to end in Chromium: the CPM adds Mozambique as a receiver; its
counterpart disputes the dates with a comment; the CPM fixes the dates and answers; the sides
the new dates sent back confirm again (Brazil's counterpart through the API, as a partner
script would); Mozambique's counterpart confirms. The list, the dashboard's coverage figure and
the API then show the activity confirmed by all sides. The implementing partner's user
proposes an in-kind contribution in euros; the CPM accepts it; the ledger and the leverage
change accordingly.

Screenshots go to $SCREENSHOT_DIR (default: the test's tmp_path), named e2e-*.png.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import create_api_token
from activities.models import Activity, Agreement, CountryRole, Partner, PartnerRole
from activities.services import create_activity
from counterparts import services
from counterparts.models import Confirmation, ConfirmationState
from finance import rollups
from finance import services as ledger
from finance.models import FinancialEntry
from tests.browser.pages import log_in
from tests.factories import UserFactory, activity_data, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

START, END = datetime.date(2025, 3, 1), datetime.date(2025, 9, 30)


def _shoot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"e2e-{name}.png"), full_page=True)


def _label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def _activity(cpm: User, partner_org: Partner, focal: User) -> Activity:
    """Brazil hosts, the partner implements; both already confirmed; US$ 100,000 of IFAD money."""
    activity = create_activity(
        data=activity_data(
            title="Learning route on cashew value chains",
            countries=["BR"],
            partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
            planned_start=START,
            planned_end=END,
            responsible_cpm=cpm,
        ),
        user=cpm,
    )
    ledger.record_entries(
        activity=activity,
        entries=[
            ledger.EntryData(
                kind="ifad_grant",
                stage="allocated",
                amount=Decimal("100000"),
                currency="USD",
                value_date=START,
            )
        ],
        user=focal,
        expected_version=None,
    )
    return activity


def _page(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_page(base_url=base_url, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    log_in(page, username)
    return page


def _add_mozambique(page: Page, activity: Activity, screenshots: Path) -> None:
    page.goto(f"/activities/{activity.pk}/edit/")
    add = page.get_by_role("button", name="Add a country")
    if add.is_visible():
        add.click()
    countries = page.get_by_label(_label("Country"))
    roles = page.get_by_label(_label("Role"))
    countries.nth(1).select_option(label="Mozambique")
    roles.nth(1).select_option(value=CountryRole.RECEIVER)
    _shoot(page, screenshots, "1-cpm-adds-mozambique")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".alert--success").first).to_be_visible()


def test_both_sides_agree_and_a_partner_contribution_reaches_the_ledger(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
    partner_org: Partner,
    partner_user: User,
    counterpart_user: User,
) -> None:
    ledger.set_rate(
        currency="EUR",
        month=datetime.date(2025, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=focal,
    )
    brazil = UserFactory(
        username="brazil", role=Role.COUNTERPART, counterpart_country=country("BR")
    )
    activity = _activity(cpm, partner_org, focal)
    for confirmation in Confirmation.objects.filter(activity=activity):
        speaker = brazil if confirmation.country_link_id else partner_user
        services.confirm(confirmation=confirmation, user=speaker, expected_version=None)
    rollups.rebuild_all()  # the nightly build has run once: the dashboard has its figures

    # 1. The CPM adds Mozambique as a receiver: its counterpart is asked to confirm.
    cpm_page = _page(browser, live_server.url, cpm.username)
    _add_mozambique(cpm_page, activity, screenshots)

    side = _page(browser, live_server.url, counterpart_user.username)
    partner_page = _page(browser, live_server.url, partner_user.username)
    secret = _dispute_answer_and_confirm(
        live_server.url, activity, cpm_page, side, partner_page, brazil, screenshots
    )
    focal_page = _page(browser, live_server.url, focal.username)
    _everyone_sees_it_confirmed(
        live_server.url, activity, cpm_page, focal_page, secret, screenshots
    )
    _a_contribution_in_euros(activity, cpm_page, partner_page, focal_page, screenshots)


def _dispute_answer_and_confirm(
    base_url: str,
    activity: Activity,
    cpm_page: Page,
    side: Page,
    partner_page: Page,
    brazil: User,
    screenshots: Path,
) -> str:
    """Steps 2 to 4; returns Brazil's counterpart's API token."""
    url = f"/activities/{activity.pk}/"
    # 2. Mozambique's counterpart disputes the dates, with a comment.
    side.goto("/inbox/")
    _shoot(side, screenshots, "2-counterpart-inbox")
    side.get_by_role("button", name=re.compile("please confirm the role of Mozambique")).click()
    expect(side).to_have_url(re.compile(rf"{url}#sides$"))
    side.get_by_role("link", name="Dispute").click()
    side.get_by_label("Dates").check()
    side.get_by_label("Comment").fill("The route took place in April, not March.")
    _shoot(side, screenshots, "3-counterpart-disputes-dates")
    side.get_by_role("button", name="Send the dispute").click()
    expect(side.locator(".alert--success")).to_contain_text("Your dispute")
    assert Activity.objects.get(pk=activity.pk).agreement == Agreement.DISPUTED

    # 3. The CPM fixes the dates, then answers the dispute.
    cpm_page.goto(f"{url}edit/")
    cpm_page.get_by_label(_label("Planned start")).fill("2025-04-01")
    cpm_page.get_by_role("button", name="Save changes").click()
    expect(cpm_page.locator(".alert--success").first).to_be_visible()
    cpm_page.goto(f"{url}#sides")
    cpm_page.get_by_label("Answer the dispute").fill("Dates corrected to April.")
    cpm_page.get_by_role("button", name="Send the answer").click()
    expect(cpm_page.locator(".alert--success")).to_contain_text("asked to confirm again")
    _shoot(cpm_page, screenshots, "4-cpm-answered")

    # The new dates sent Brazil and the partner back to "to re-confirm": Brazil's counterpart
    # confirms through the API with its token, the partner's user on the page.
    reopened = Confirmation.objects.get(activity=activity, country_link__country__iso2="BR")
    assert reopened.state == ConfirmationState.RECONFIRM
    _token, secret = create_api_token(user=brazil, name="Agency sync")
    answer = requests.post(
        f"{base_url}/api/v1/confirmations/{reopened.pk}/confirm/",
        json={"version": reopened.version},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    partner_page.goto(url)
    partner_page.get_by_role("button", name=re.compile("^Confirm the role of")).click()
    expect(partner_page.locator(".alert--success")).to_contain_text("You confirmed")

    # 4. Mozambique's counterpart confirms: every side has.
    side.goto(url)
    side.get_by_role("button", name="Confirm the role of Mozambique").click()
    expect(side.locator(".alert--success")).to_contain_text("You confirmed")
    _shoot(side, screenshots, "5-counterpart-confirmed")
    assert Activity.objects.get(pk=activity.pk).agreement == Agreement.CONFIRMED
    return secret


def _everyone_sees_it_confirmed(
    base_url: str,
    activity: Activity,
    cpm_page: Page,
    focal_page: Page,
    secret: str,
    screenshots: Path,
) -> None:
    # 5. The list, the dashboard's coverage and the API say so.
    cpm_page.goto("/activities/?agreement=confirmed")
    expect(
        cpm_page.get_by_role("link", name="Learning route on cashew value chains")
    ).to_be_visible()
    expect(cpm_page.locator(".badge--agree-confirmed").first).to_be_visible()
    _shoot(cpm_page, screenshots, "6-list-confirmed")
    focal_page.goto("/dashboard/")
    expect(focal_page.locator('[data-figure="coverage_activities"]')).to_have_text(
        re.compile(r"^100\.0\s?%$")
    )
    _shoot(focal_page, screenshots, "7-dashboard-coverage")
    listed = requests.get(
        f"{base_url}/api/v1/activities/?agreement=confirmed",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    ).json()
    assert [row["ssc_id"] for row in listed["results"]] == [activity.ssc_id]
    assert listed["results"][0]["agreement"]["value"] == Agreement.CONFIRMED


def _a_contribution_in_euros(
    activity: Activity, cpm_page: Page, partner_page: Page, focal_page: Page, screenshots: Path
) -> None:
    url = f"/activities/{activity.pk}/"
    # 6. The partner proposes an in-kind contribution in euros; the CPM accepts it.
    focal_page.goto(f"{url}finance/")
    leverage = focal_page.locator('[data-figure="leverage_allocated"]')
    expect(leverage).to_have_text("0.00x")
    partner_page.goto(url)
    partner_page.get_by_role("link", name="Propose a contribution").click()
    partner_page.locator("#id_kind").select_option("in_kind")
    partner_page.locator("#id_stage").select_option("allocated")
    partner_page.locator("#id_amount").fill("40000")
    partner_page.locator("#id_currency").fill("EUR")
    partner_page.locator("#id_value_date").fill("2025-03-15")
    partner_page.get_by_label("Valuation (in-kind only)").select_option("venue")
    partner_page.get_by_label("Valuation basis (in-kind only)").fill("Training centre, 10 days")
    _shoot(partner_page, screenshots, "8-partner-proposes")
    partner_page.get_by_role("button", name="Propose").click()
    expect(partner_page.locator(".alert--success")).to_contain_text("proposed")
    assert not FinancialEntry.objects.filter(kind="in_kind").exists()

    cpm_page.goto(f"{url}#contributions")
    cpm_page.locator("#contributions").get_by_role("button", name="Accept").click()
    expect(cpm_page.locator(".alert--success")).to_contain_text("recorded in the ledger")
    _shoot(cpm_page, screenshots, "9-cpm-accepted")
    entry = FinancialEntry.objects.get(kind="in_kind")
    assert (entry.amount, entry.currency, entry.amount_usd) == (
        Decimal("40000.00"),
        "EUR",
        Decimal("50000.00"),
    )
    focal_page.goto(f"{url}finance/")
    expect(leverage).to_have_text("0.50x")
    _shoot(focal_page, screenshots, "10-ledger-and-leverage")
