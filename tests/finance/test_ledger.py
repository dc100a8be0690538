"""The ledger: conversion at the recorded rate, corrections instead of edits, all-or-nothing
batches, optimistic locking, and the spreadsheet figures derived from the entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from activities.models import Activity, Partner
from finance import services
from finance.models import ContributionKind, EntryType, ExchangeRate, FinancialEntry, Stage
from finance.services import EntryData, FinanceError, LedgerConflict
from finance.summary import activity_finance
from tests.factories import ActivityFactory, PartnerFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2024, 1, 15)


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory()


@pytest.fixture
def donor() -> Partner:
    return PartnerFactory(name="Agence de coopération", type="bilateral")


def ifad(stage: str, amount: str, **extra: object) -> EntryData:
    return EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=stage,
        amount=Decimal(amount),
        currency="USD",
        value_date=JAN,
        **extra,  # type: ignore[arg-type]
    )


def test_usd_entry_keeps_its_amount_at_rate_one(activity: Activity, focal: User) -> None:
    [entry] = services.record_entries(
        activity=activity,
        entries=[ifad(Stage.PLANNED, "500000")],
        user=focal,
        expected_version=None,
    )
    assert entry.units_per_usd == 1
    assert entry.amount_usd == Decimal("500000.00")
    assert entry.fiscal_year == 2024


def test_entry_in_another_currency_stores_the_rate_of_its_month(
    activity: Activity, donor: Partner, focal: User
) -> None:
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("0.92"),
        source="test",
        user=focal,
    )
    [entry] = services.record_entries(
        activity=activity,
        entries=[
            EntryData(
                kind=ContributionKind.IN_KIND,
                stage=Stage.ALLOCATED,
                amount=Decimal("46000"),
                currency="EUR",
                value_date=JAN,
                contributor=donor,
                valuation_method="venue",
            )
        ],
        user=focal,
        expected_version=None,
    )
    assert entry.units_per_usd == Decimal("0.92")
    assert entry.amount_usd == Decimal("50000.00")
    # A later change of the rate table does not move a recorded figure.
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("0.5"),
        source="test",
        user=focal,
    )
    entry.refresh_from_db()
    assert entry.amount_usd == Decimal("50000.00")


def test_missing_rate_is_an_error_naming_currency_and_month(
    activity: Activity, donor: Partner, focal: User
) -> None:
    with pytest.raises(FinanceError) as caught:
        services.record_entries(
            activity=activity,
            entries=[
                EntryData(
                    kind=ContributionKind.COFINANCING,
                    stage=Stage.PLANNED,
                    amount=Decimal("10"),
                    currency="BRL",
                    value_date=JAN,
                    contributor=donor,
                )
            ],
            user=focal,
            expected_version=None,
        )
    assert "BRL" in str(caught.value) and "2024-01" in str(caught.value)
    assert not FinancialEntry.objects.exists()


def test_a_batch_with_one_bad_line_records_nothing(activity: Activity, focal: User) -> None:
    with pytest.raises(FinanceError) as caught:
        services.record_entries(
            activity=activity,
            entries=[ifad(Stage.PLANNED, "100"), ifad(Stage.ALLOCATED, "-5")],
            user=focal,
            expected_version=None,
        )
    assert "Line 2" in caught.value.errors["amount"][0]
    assert not FinancialEntry.objects.exists()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (
            EntryData(
                kind="in_kind", stage="planned", amount=Decimal(1), currency="USD", value_date=JAN
            ),
            "contributor",
        ),
        (
            EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal("1.001"),
                currency="USD",
                value_date=JAN,
            ),
            "amount",
        ),
        (
            EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(1),
                currency="XYZ",
                value_date=JAN,
            ),
            "currency",
        ),
        (
            EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(1),
                currency="USD",
                value_date=JAN,
                fiscal_year=1800,
            ),
            "fiscal_year",
        ),
    ],
)
def test_bad_lines_are_refused_naming_the_field(
    activity: Activity, focal: User, entry: EntryData, field: str
) -> None:
    with pytest.raises(FinanceError) as caught:
        services.record_entries(
            activity=activity, entries=[entry], user=focal, expected_version=None
        )
    assert field in caught.value.errors


def test_in_kind_needs_its_valuation(activity: Activity, donor: Partner, focal: User) -> None:
    with pytest.raises(FinanceError) as caught:
        services.record_entries(
            activity=activity,
            entries=[
                EntryData(
                    kind=ContributionKind.IN_KIND,
                    stage=Stage.PLANNED,
                    amount=Decimal(10),
                    currency="USD",
                    value_date=JAN,
                    contributor=donor,
                )
            ],
            user=focal,
            expected_version=None,
        )
    assert "valuation_method" in caught.value.errors


def test_a_stale_version_is_refused_and_names_who_changed(
    activity: Activity, focal: User, cpm: User
) -> None:
    version = services.ledger_version(activity)
    services.record_entries(
        activity=activity, entries=[ifad(Stage.PLANNED, "1")], user=cpm, expected_version=version
    )
    with pytest.raises(LedgerConflict) as caught:
        services.record_entries(
            activity=activity,
            entries=[ifad(Stage.PLANNED, "2")],
            user=focal,
            expected_version=version,
        )
    assert str(cpm) in str(caught.value)
    assert FinancialEntry.objects.count() == 1


def test_correction_adds_an_adjustment_and_keeps_the_original(
    activity: Activity, focal: User
) -> None:
    [entry] = services.record_entries(
        activity=activity, entries=[ifad(Stage.PLANNED, "1000")], user=focal, expected_version=None
    )
    adjustment = services.correct_entry(
        entry=entry,
        new_amount=Decimal("800"),
        reason="Budget cut",
        user=focal,
        expected_version=None,
    )
    assert adjustment.entry_type == EntryType.ADJUSTMENT
    assert adjustment.amount == Decimal("-200")
    assert services.net_amount(entry) == (Decimal("800"), Decimal("800.00"))
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000")


def test_reversal_nets_to_zero_in_both_currencies(
    activity: Activity, donor: Partner, focal: User
) -> None:
    services.set_rate(
        currency="XOF",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("605.123"),
        source="",
        user=focal,
    )
    [entry] = services.record_entries(
        activity=activity,
        entries=[
            EntryData(
                kind=ContributionKind.COFINANCING,
                stage=Stage.SPENT,
                amount=Decimal("1000000"),
                currency="XOF",
                value_date=JAN,
                contributor=donor,
            )
        ],
        user=focal,
        expected_version=None,
    )
    reversal = services.correct_entry(
        entry=entry, new_amount=None, reason="Duplicate", user=focal, expected_version=None
    )
    assert reversal.entry_type == EntryType.REVERSAL
    assert services.net_amount(entry) == (Decimal("0"), Decimal("0.00"))


def test_correction_needs_a_reason(activity: Activity, focal: User) -> None:
    [entry] = services.record_entries(
        activity=activity, entries=[ifad(Stage.PLANNED, "1")], user=focal, expected_version=None
    )
    with pytest.raises(FinanceError):
        services.correct_entry(
            entry=entry, new_amount=Decimal(2), reason=" ", user=focal, expected_version=None
        )


def test_spreadsheet_figures_and_leverage(activity: Activity, donor: Partner, focal: User) -> None:
    services.record_entries(
        activity=activity,
        entries=[
            ifad(Stage.PLANNED, "500000"),
            ifad(Stage.ALLOCATED, "500000"),
            ifad(Stage.SPENT, "600000"),
            EntryData(
                kind=ContributionKind.COFINANCING,
                stage=Stage.PLANNED,
                amount=Decimal("1500000"),
                currency="USD",
                value_date=JAN,
                contributor=donor,
            ),
            EntryData(
                kind=ContributionKind.COFINANCING,
                stage=Stage.ALLOCATED,
                amount=Decimal("1500000"),
                currency="USD",
                value_date=JAN,
                contributor=donor,
            ),
        ],
        user=focal,
        expected_version=None,
    )
    sheet = activity_finance(activity)
    assert [row.label for row in sheet.rows] == ["IFAD grant", donor.name]
    assert sheet.leverage_allocated == Decimal("3.00")
    assert sheet.leverage_planned == Decimal("3.00")
    # All sources: 600,000 spent of 2,000,000 allocated; IFAD alone: 600,000 of 500,000.
    assert sheet.execution_rate_all == Decimal("30.0")
    assert sheet.allocation_rate_all == Decimal("100.0")
    assert sheet.execution_rate_ifad == Decimal("120.0")
    assert sheet.allocation_rate_ifad == Decimal("100.0")
    assert any("spent is more than allocated" in w for w in sheet.warnings)


def test_rates_csv_is_all_or_nothing_with_row_numbers(focal: User) -> None:
    with pytest.raises(FinanceError) as caught:
        services.import_rates_csv(
            text="currency,month,units_per_usd\nEUR,2024-01,0.92\nEUR,2024-13,0.9\nABC,2024-02,1\n",
            user=focal,
        )
    problems = caught.value.errors["file"]
    assert any("Row 3" in p and "month" in p for p in problems)
    assert any("Row 4" in p and "currency" in p for p in problems)
    assert not ExchangeRate.objects.exists()


def test_rates_csv_twice_changes_nothing(focal: User) -> None:
    text = "currency,month,units_per_usd\nEUR,2024-01,0.92\nXOF,2024-01,605.5\n"
    first = services.import_rates_csv(text=text, user=focal)
    second = services.import_rates_csv(text=text, user=focal)
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)


def test_allocated_over_planned_warns_only_where_something_was_planned(
    activity: Activity, focal: User
) -> None:
    services.record_entries(
        activity=activity, entries=[ifad(Stage.ALLOCATED, "100")], user=focal, expected_version=None
    )
    assert activity_finance(activity).warnings == []
    services.record_entries(
        activity=activity, entries=[ifad(Stage.PLANNED, "50")], user=focal, expected_version=None
    )
    assert activity_finance(activity).warnings == ["IFAD grant: allocated is more than planned."]
