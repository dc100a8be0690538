"""40 expert-days valued by a rate card, end to end in Chromium: a CPM records them on the
finance page without an amount (the in-kind fields appear when the kind is in-kind), the focal
point revises the card (the recorded value holds still), then re-values the line through the
confirmation step; the ledger shows the re-valuation as a correction with its reason.

Run alone with `pytest -m browser`. Screenshots at 1366 and 390 px wide go to $SCREENSHOT_DIR
(default: the test's tmp_path) as in_kind_<step>_<width>.png.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity
from finance import in_kind
from finance.in_kind import CardData
from finance.models import EntryType, FinancialEntry, InKindUnit, RateCard
from tests.browser.pages import log_in
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def _shoot(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"in_kind_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _record_forty_days(page: Page, activity: Activity) -> None:
    page.goto(f"/activities/{activity.pk}/finance/")
    line = page.get_by_role("group", name="Line 1", exact=True)
    in_kind_group = line.locator("[data-in-kind-for]")
    expect(in_kind_group).to_be_hidden()  # IFAD's grant by default: no in-kind fields
    line.get_by_label("Kind", exact=True).select_option(label="In-kind")
    expect(in_kind_group).to_be_visible()
    line.get_by_label("Contributor", exact=True).fill("Embrapa (EMBRAPA) — Brazil")
    line.get_by_label("Stage", exact=True).select_option(label="Allocated (committed)")
    line.get_by_label("Value date", exact=True).fill("2026-03-10")
    # Keyboard: from the method to the unit and the quantity, as a person tabs through.
    line.get_by_label("Valued by", exact=True).select_option(label="Rate card")
    line.get_by_label("Valued by", exact=True).press("Tab")
    page.keyboard.type("Expert")  # a select takes the typed label
    page.keyboard.press("Tab")
    page.keyboard.type("40")
    expect(line.get_by_label("Unit", exact=True)).to_have_value("expert_days")
    expect(line.get_by_label("Quantity", exact=True)).to_have_value("40")
    page.get_by_role("button", name="Record lines").click()
    expect(page.get_by_text("1 line(s) recorded.")).to_be_visible()


def _revise_card(page: Page, card: RateCard) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_text("Manage").click()
    page.get_by_role("link", name="Rate cards", exact=True).click()
    row = page.locator(f'tr[data-card="{card.pk}"]')
    expect(row).to_contain_text("250.00")
    expect(row).to_contain_text("None")  # no line at an older rate yet
    row.get_by_role("link", name="Expert-days").click()
    page.get_by_label("Value of one unit", exact=True).fill("300")
    page.get_by_label("Source", exact=True).fill("Fee scale revised in June")
    page.get_by_role("button", name="Save rate card").click()
    expect(page.get_by_text("The rate card was saved.")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="1 line valued at an older rate")
    ).to_be_visible()


def test_forty_expert_days_by_card_revised_and_revalued(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
) -> None:
    activity = ActivityFactory(title="Learning route on soil health")
    PartnerFactory(name="Embrapa", acronym="EMBRAPA", country=country("BR"))
    card = in_kind.save_rate_card(
        card=None,
        data=CardData(
            InKindUnit.EXPERT_DAYS, country("BR"), 2026, Decimal(250), "USD", "Fee scale"
        ),
        user=focal,
        expected_version=None,
    )

    cpm_page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    cpm_page.set_default_timeout(30_000)
    log_in(cpm_page, "cpm")
    _record_forty_days(cpm_page, activity)
    ledger = cpm_page.get_by_role("table").filter(
        has=cpm_page.get_by_role("columnheader", name="Quantity and valuation")
    )
    row = ledger.get_by_role("row").filter(has_text="Embrapa")
    expect(row).to_contain_text("40 Expert-days")
    expect(row).to_contain_text("250.00 USD per unit, card version 1")
    expect(row).to_contain_text("10,000.00")
    _shoot(cpm_page, screenshots, "recorded")
    line = FinancialEntry.objects.get(activity=activity)
    assert (line.quantity, line.amount, line.unit_rate) == (
        Decimal(40),
        Decimal(10000),
        Decimal(250),
    )

    focal_page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    focal_page.set_default_timeout(30_000)
    log_in(focal_page, "focal")
    _revise_card(focal_page, card)
    line.refresh_from_db()
    assert line.amount == Decimal(10000)  # the card's change moved no recorded value
    _shoot(focal_page, screenshots, "card_revised")

    focal_page.get_by_role("link", name="Re-value 1 line").click()
    expect(focal_page.get_by_role("heading", name="Re-value lines")).to_be_visible()
    expect(focal_page.get_by_role("row").filter(has_text=activity.ssc_id)).to_contain_text(
        "250.00, version 1"
    )
    _shoot(focal_page, screenshots, "confirm")
    assert not FinancialEntry.objects.filter(corrects=line).exists()
    focal_page.get_by_role("button", name="Re-value these lines").click()
    expect(focal_page.get_by_text("1 line(s) re-valued")).to_be_visible()
    expect(focal_page.locator("[data-stale]")).to_have_count(0)

    correction = FinancialEntry.objects.get(corrects=line)
    assert correction.entry_type == EntryType.ADJUSTMENT
    assert (correction.amount, correction.unit_rate, correction.rate_card_version) == (
        Decimal(2000),
        Decimal(300),
        2,
    )
    cpm_page.reload()
    revalued = ledger.get_by_role("row").filter(has_text="Re-valued by rate card version 2")
    expect(revalued).to_contain_text("300.00 USD per unit, card version 2")
    expect(revalued).to_contain_text("2,000.00")
    _shoot(cpm_page, screenshots, "revalued")
    # The portfolio's money history (the focal point's) shows the re-valuation as what it is:
    # an adjustment by the focal point, with its reason.
    focal_page.goto(f"/finance/history/?activity={activity.ssc_id}")
    changed = focal_page.get_by_role("row").filter(has_text="Re-valued by rate card version 2")
    expect(changed).to_contain_text("Adjustment")
    _shoot(focal_page, screenshots, "money_history")
