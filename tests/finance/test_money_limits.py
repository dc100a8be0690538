"""A ledger line has a maximum (finance.models.MAX_LINE_AMOUNT), in its currency and in US$, that
the columns and every roll-up sum hold: larger amounts are refused by name wherever money comes
in, and what was accepted before the limit can still be read."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models.expressions import Col
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import ActivityCountry
from finance import rollups, services
from finance.importer import ImportRefused, import_legacy_workbook
from finance.models import (
    MAX_LINE_AMOUNT,
    ActivityMoney,
    FinancialEntry,
    Grain,
    RollupCell,
    Stage,
)
from finance.rollups import RollupFilters
from tests.factories import ActivityFactory, country
from tests.finance.workbooks import activity_row, build, contribution_row

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 15)
OLD_COLUMN_MAXIMUM = "9999999999999999.99"  # numeric(18, 2), accepted before the limit


def _line(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {
        "kind": "ifad_grant",
        "stage": "allocated",
        "amount": amount,
        "currency": currency,
        "value_date": DAY.isoformat(),
    }


def _data(amount: Decimal | str, currency: str = "USD") -> services.EntryData:
    return services.EntryData(
        kind="ifad_grant",
        stage=Stage.ALLOCATED,
        amount=Decimal(amount),
        currency=currency,
        value_date=DAY,
    )


def test_fifty_lines_above_the_limit_are_refused_by_the_api_naming_the_amount(
    cpm_client: Client,
) -> None:
    activity = ActivityFactory()
    response = cpm_client.post(
        "/api/v1/ledger/",
        {"activity": activity.pk, "ledger_version": 0, "entries": [_line(OLD_COLUMN_MAXIMUM)] * 50},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["amount"]
    assert len(errors) == 50
    assert errors[0].startswith("Line 1: The amount 9,999,999,999,999,999.99 USD is too large")
    assert "the limit is 999,999,999,999.99" in errors[0]
    assert not FinancialEntry.objects.exists()


def test_fifty_lines_at_the_limit_split_by_shares_roll_up_to_the_cent(focal: User) -> None:
    """50 x 10^14 cents split 70/30: |cents| x weight (7,000) was 3.5 x 10^19, past bigint."""
    activity = ActivityFactory(countries=["BR", ("MZ", "receiver")])
    ActivityCountry.objects.filter(activity=activity, country=country("BR")).update(share=70)
    ActivityCountry.objects.filter(activity=activity, country=country("MZ")).update(share=30)
    services.record_entries(
        activity=activity,
        entries=[_data(MAX_LINE_AMOUNT)] * 50,
        user=focal,
        expected_version=None,
    )
    rollups.compute_slices(None)

    total = MAX_LINE_AMOUNT * 50
    everything = RollupFilters()
    assert rollups.totals(focal, everything).ifad[Stage.ALLOCATED] == total
    by_country = {
        f.label: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, everything, "country")
    }
    assert by_country == {
        "Brazil": Decimal("34999999999999.65"),
        "Mozambique": Decimal("14999999999999.85"),
    }
    full = RollupCell.objects.filter(grain=Grain.FULL).aggregate(**rollups.money_sums())
    assert sum(cents or 0 for cents in full.values()) == int(total * 100)
    assert ActivityMoney.objects.get().total_cents == int(total * 100)


def test_an_amount_in_a_currency_worth_more_than_the_dollar_is_refused_when_converted(
    focal: User,
) -> None:
    services.set_rate(
        currency="KWD", month=DAY, units_per_usd=Decimal("0.3"), source="t", user=focal
    )
    activity = ActivityFactory()
    with pytest.raises(services.FinanceError) as refused:
        services.record_entries(
            activity=activity,
            entries=[_data("900000000000", "KWD")],
            user=focal,
            expected_version=None,
        )
    [problem] = refused.value.errors["amount"]
    assert problem.startswith(
        "Line 1: The amount converted to US$ is 3,000,000,000,000.00, too large for one line"
    )
    assert "KWD rate" in problem
    assert not FinancialEntry.objects.exists()


def test_the_finance_page_names_the_amount_too_large(cpm_client: Client) -> None:
    activity = ActivityFactory()
    body: dict[str, object] = {"version": 0, "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0}
    body.update({f"lines-0-{k}": v for k, v in _line("1 000 000 000 000").items()})
    response = cpm_client.post(reverse("finance:activity", args=[activity.pk]), body)
    assert response.status_code == 400
    assert "1,000,000,000,000.00 USD is too large for one line" in response.content.decode()


def test_a_correction_above_the_limit_is_refused_in_the_currency_and_in_us_dollars(
    focal: User, focal_client: Client
) -> None:
    services.set_rate(
        currency="KWD", month=DAY, units_per_usd=Decimal("0.3"), source="t", user=focal
    )
    activity = ActivityFactory()
    [entry] = services.record_entries(
        activity=activity, entries=[_data("1000", "KWD")], user=focal, expected_version=None
    )
    client = focal_client
    url = f"/api/v1/ledger/{entry.pk}/correct/"
    above = client.post(
        url,
        {"new_amount": "1000000000000", "reason": "Typo", "ledger_version": 1},
        content_type="application/json",
    )
    assert above.status_code == 400
    assert "too large for one line" in above.json()["errors"]["new_amount"][0]
    converted = client.post(
        url,
        {"new_amount": "500000000000", "reason": "Typo", "ledger_version": 1},
        content_type="application/json",
    )
    assert converted.status_code == 400
    assert converted.json()["errors"]["new_amount"][0].startswith(
        "The amount converted to US$ is 1,666,666,666,666.67"
    )
    assert FinancialEntry.objects.count() == 1


def test_the_workbook_import_refuses_a_converted_amount_above_the_limit(focal: User) -> None:
    services.set_rate(
        currency="KWD",
        month=datetime.date(2010, 1, 1),
        units_per_usd=Decimal("0.3"),
        source="t",
        user=focal,
    )
    handle = build([activity_row()], [contribution_row(currency="KWD", planned=900_000_000_000)])
    with pytest.raises(ImportRefused) as refused:
        import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=True)
    [problem] = refused.value.problems
    assert "converted to US$ is 3,000,000,000,000.00, too large" in problem


@pytest.mark.parametrize("name", ["amount", "amount_usd"])
def test_sqlite_reads_back_the_largest_amount_accepted_before_the_limit(name: str) -> None:
    """SQLite keeps a decimal as a double: 9,999,999,999,999,999.99 comes back as 1e16, which
    needs 19 digits with its cents (numeric(18, 2) made every read of the row fail)."""
    # Imported here: the module needs the SQLite backend loaded first (it is not the tests').
    from django.db.backends.sqlite3.base import DatabaseWrapper

    field = FinancialEntry._meta.get_field(name)
    column = Col("finance_financialentry", field)
    convert = DatabaseWrapper.ops_class(None).get_decimalfield_converter(column)
    stored = float(Decimal(OLD_COLUMN_MAXIMUM))
    assert convert(stored, column, None) == Decimal("10000000000000000.00")
    largest = float(MAX_LINE_AMOUNT)
    assert convert(largest, column, None) == MAX_LINE_AMOUNT
