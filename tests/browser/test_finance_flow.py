"""A CPM records a partner's in-kind contribution in euros through the finance page in Chromium.

Run alone with `pytest -m browser`. Screenshots of the finance page before and after the entry go
to $SCREENSHOT_DIR (default: the test's tmp_path) as finance_before.png and finance_after.png.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from finance import services
from finance.models import FinancialEntry
from tests.browser.pages import log_in
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback brings back the reference data
    # (countries, themes, divisions) that migration 0002 loaded and the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VALUE_DATE = datetime.date(2024, 3, 15)


def _shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"finance_{name}.png"), full_page=True)


def _fill_in_kind_line(page: Page) -> None:
    """The first line: the host's venue, worth 40,000 EUR, allocated."""
    line = page.get_by_role("group", name="Line 1", exact=True)
    line.get_by_label("Kind", exact=True).select_option(label="In-kind")
    # What picking the suggestion gives (the suggestions are the page's one datalist).
    idr = "Instituto de Desarrollo Rural (IDR) — Peru"
    expect(page.locator(f'datalist#partner-names option[value="{idr}"]')).to_have_count(1)
    line.get_by_label("Contributor", exact=True).fill(idr)
    line.get_by_label("Stage", exact=True).select_option(label="Allocated (committed)")
    line.get_by_label("Amount", exact=True).fill("40 000")
    line.get_by_label("Currency", exact=True).fill("EUR")
    line.get_by_label("Value date", exact=True).fill(VALUE_DATE.isoformat())
    line.get_by_label("In-kind valued as", exact=True).select_option(label="Venue")
    line.get_by_label("Valuation basis", exact=True).fill("Training centre, 5 days")


def test_cpm_records_in_kind_in_euros_and_sees_usd_rate_and_leverage(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
) -> None:
    # Lead division LAC: the `cpm` fixture (a LAC CPM) may edit it.
    activity = ActivityFactory(title="Learning route on cassava processing")
    host = PartnerFactory(
        name="Instituto de Desarrollo Rural", acronym="IDR", country=country("PE")
    )
    services.set_rate(
        currency="EUR",
        month=VALUE_DATE.replace(day=1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=focal,
    )
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="allocated",
                amount=Decimal("100000"),
                currency="USD",
                value_date=VALUE_DATE,
            )
        ],
        user=focal,
        expected_version=None,
    )

    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)

    log_in(page, "cpm")

    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name="Finances", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/activities/{activity.pk}/finance/$"))
    leverage = page.locator('[data-figure="leverage_allocated"]')
    # Only IFAD's own money so far: nothing leveraged yet.
    expect(leverage).to_have_text("0.00x")
    _shoot(page, screenshots, "before")

    _fill_in_kind_line(page)
    page.get_by_role("button", name="Record lines").click()

    expect(page.get_by_text("1 line(s) recorded.")).to_be_visible()
    expect(leverage).to_have_text("0.50x")
    rate_header = page.get_by_role("columnheader", name="Rate used")
    ledger = page.get_by_role("table").filter(has=rate_header)
    in_kind_row = ledger.get_by_role("row").filter(has_text="Instituto de Desarrollo Rural")
    expect(in_kind_row).to_contain_text("40,000.00")
    expect(in_kind_row).to_contain_text("0.8 EUR/US$ (Mar 2024)")
    expect(in_kind_row).to_contain_text("50,000.00")  # 40,000 EUR at 0.8 EUR per US$
    _shoot(page, screenshots, "after")

    entry = FinancialEntry.objects.get(activity=activity, contributor=host)
    assert (entry.kind, entry.stage, entry.valuation_method) == ("in_kind", "allocated", "venue")
    assert (entry.amount, entry.currency, entry.value_date) == (
        Decimal("40000"),
        "EUR",
        VALUE_DATE,
    )
    assert entry.units_per_usd == Decimal("0.8")
    assert entry.amount_usd == Decimal("50000")
    assert entry.created_by == cpm
    for name in ("before", "after"):
        assert (screenshots / f"finance_{name}.png").stat().st_size > 0
