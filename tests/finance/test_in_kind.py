"""In-kind as quantities valued by a stated method: a rate card's change never moves a recorded
value; a re-valuation does, as a correction that says from which rate to which, in the history;
lines that are not valued count in quantities and are named where leverage leaves them out."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from activities.models import Activity, Partner
from finance import in_kind, revaluation, services
from finance.in_kind import CardData
from finance.models import (
    ContributionKind,
    EntryType,
    FinancialEntry,
    InKindUnit,
    RateCard,
    Stage,
    ValuedBy,
)
from finance.services import EntryData, FinanceError
from finance.summary import finance_totals
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory()


@pytest.fixture
def embrapa() -> Partner:
    return PartnerFactory(name="Embrapa", type="research", country=country("BR"))


def card(focal: User, amount: str = "250", **data: object) -> RateCard:
    values: dict[str, object] = {
        "unit": InKindUnit.EXPERT_DAYS,
        "country": country("BR"),
        "year": 2026,
        "amount": Decimal(amount),
        "currency": "USD",
        **data,
    }
    return in_kind.save_rate_card(
        card=None,
        data=CardData(**values),
        user=focal,
        expected_version=None,  # type: ignore[arg-type]
    )


def ifad(amount: str) -> EntryData:
    return EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=Stage.ALLOCATED,
        amount=Decimal(amount),
        currency="USD",
        value_date=DAY,
    )


def days(partner: Partner, quantity: str | Decimal | None = "40", **extra: object) -> EntryData:
    values: dict[str, object] = {
        "kind": ContributionKind.IN_KIND,
        "stage": Stage.ALLOCATED,
        "amount": None,
        "currency": "USD",
        "value_date": DAY,
        "contributor": partner,
        "unit": InKindUnit.EXPERT_DAYS,
        "quantity": Decimal(quantity) if quantity is not None else None,
        "valued_by": ValuedBy.RATE_CARD,
        **extra,
    }
    return EntryData(**values)  # type: ignore[arg-type]


def record(activity: Activity, user: User, *lines: EntryData) -> list[FinancialEntry]:
    return services.record_entries(
        activity=activity, entries=list(lines), user=user, expected_version=None
    )


def leverage(activity: Activity) -> Decimal | None:
    figure = finance_totals([activity.pk])[activity.pk].leverage_allocated
    return Decimal(figure) if figure is not None else None


def test_forty_expert_days_keep_their_value_when_the_card_changes_until_revalued(
    activity: Activity, embrapa: Partner, focal: User
) -> None:
    rates = card(focal, "250")
    _, line = record(activity, focal, ifad("20000"), days(embrapa))
    assert (line.amount, line.unit_rate, line.rate_card_version) == (Decimal("10000.00"), 250, 1)
    assert line.provider_country == country("BR")  # the contributor's country
    assert leverage(activity) == Decimal("0.50")

    rates = in_kind.save_rate_card(
        card=rates,
        data=CardData(InKindUnit.EXPERT_DAYS, country("BR"), 2026, Decimal("300"), "USD"),
        user=focal,
        expected_version=1,
    )
    assert rates.version == 2
    line.refresh_from_db()
    assert line.amount == Decimal("10000.00")  # the card's change moved nothing
    assert leverage(activity) == Decimal("0.50")
    assert revaluation.lines_to_revalue(rates) == [line]

    done = revaluation.revalue(card=rates, user=focal)
    [correction] = done.corrections
    assert done.refused == []
    assert (correction.entry_type, correction.corrects, correction.amount) == (
        EntryType.ADJUSTMENT,
        line,
        Decimal("2000.00"),
    )
    assert (correction.unit_rate, correction.rate_card_version, correction.quantity) == (
        300,
        2,
        0,
    )
    assert "version 2: 300 USD per unit (was 250" in correction.reason
    assert services.net_amount(line)[0] == Decimal("12000.00")
    assert leverage(activity) == Decimal("0.60")
    assert correction.history.get().history_user == focal  # who re-valued, kept
    assert revaluation.lines_to_revalue(rates) == []
    assert revaluation.revalue(card=rates, user=focal).corrections == []  # nothing twice


def test_a_country_without_its_own_card_uses_the_card_for_every_country(
    activity: Activity, focal: User
) -> None:
    card(focal, "100", country=None)
    card(focal, "250")
    kenyan = PartnerFactory(name="KALRO", type="research", country=country("KE"))
    [line] = record(activity, focal, days(kenyan, "10"))
    assert (line.amount, line.rate_card.country) == (Decimal("1000.00"), None)


def test_a_rate_card_line_without_a_card_is_refused_naming_the_method(
    activity: Activity, embrapa: Partner, focal: User
) -> None:
    with pytest.raises(FinanceError) as refused:
        record(activity, focal, days(embrapa))
    [message] = refused.value.errors["valued_by"]
    assert "no rate card for Expert-days in Brazil for 2026" in message
    assert not FinancialEntry.objects.exists()


def test_an_amount_given_for_a_card_line_must_be_the_cards(
    activity: Activity, embrapa: Partner, focal: User
) -> None:
    card(focal, "250")
    with pytest.raises(FinanceError) as refused:
        record(activity, focal, days(embrapa, amount=Decimal("9999")))
    assert "takes its value from the card (10,000.00 USD)" in refused.value.errors["amount"][0]


def test_lines_not_valued_count_in_quantities_and_are_named_beside_leverage(
    activity: Activity, embrapa: Partner, focal: User
) -> None:
    record(
        activity,
        focal,
        ifad("5000"),
        days(embrapa, "12", valued_by=ValuedBy.NOT_VALUED, unit=InKindUnit.VENUE_DAYS),
    )
    line = FinancialEntry.objects.get(kind=ContributionKind.IN_KIND)
    assert (line.amount, line.amount_usd, line.currency) == (0, 0, "USD")
    assert leverage(activity) == Decimal("0.00")
    left_out = in_kind.unvalued_in_kind(FinancialEntry.objects.filter(activity=activity))
    assert (left_out.lines, left_out.quantities) == (1, {InKindUnit.VENUE_DAYS: Decimal("12")})
    assert in_kind.quantities_by(FinancialEntry.objects.all(), "provider_country__iso2") == [
        ("BR", InKindUnit.VENUE_DAYS, Decimal("12"))
    ]


def test_a_reversal_takes_the_quantity_back_and_a_new_quantity_is_valued_at_the_lines_rate(
    activity: Activity, embrapa: Partner, focal: User
) -> None:
    card(focal, "250")
    [line] = record(activity, focal, days(embrapa))
    services.correct_entry(
        entry=line,
        new_amount=None,
        new_quantity=Decimal("30"),
        reason="Ten days were cancelled",
        user=focal,
        expected_version=None,
    )
    assert (in_kind.net_quantity(line), services.net_amount(line)[0]) == (30, Decimal("7500.00"))
    reversal = services.correct_entry(
        entry=line, new_amount=None, reason="Mission cancelled", user=focal, expected_version=None
    )
    assert reversal.entry_type == EntryType.REVERSAL
    assert (in_kind.net_quantity(line), services.net_amount(line)[0]) == (0, 0)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": None}, "quantity", "Give the quantity of Expert-days"),
        ({"quantity": Decimal("-1")}, "quantity", "above 0"),
        ({"quantity": Decimal("1.001")}, "quantity", "two decimals"),
        ({"unit": ""}, "unit", "needs a unit"),
        ({"unit": "hours"}, "unit", "Choose a unit"),
        ({"valued_by": "guess"}, "valued_by", "Choose how"),
        (
            {"kind": ContributionKind.COFINANCING, "valued_by": ValuedBy.NOT_VALUED},
            "valued_by",
            "Only in-kind",
        ),
        ({"valued_by": ValuedBy.NOT_VALUED, "amount": Decimal(5)}, "amount", "leave it empty"),
    ],
)
def test_bad_quantities_are_refused_by_field_and_nothing_is_written(
    activity: Activity,
    embrapa: Partner,
    focal: User,
    change: dict[str, object],
    field: str,
    message: str,
) -> None:
    card(focal, "250")
    with pytest.raises(FinanceError) as refused:
        record(activity, focal, ifad("100"), days(embrapa, **change))
    assert any(message in text for text in refused.value.errors[field])
    assert not FinancialEntry.objects.exists()


def test_a_card_refuses_bad_values_a_new_currency_and_a_stale_edit(focal: User) -> None:
    rates = card(focal, "250")
    with pytest.raises(FinanceError) as refused:
        card(focal, "0", year=2025)
    assert "above 0" in refused.value.errors["amount"][0]
    with pytest.raises(FinanceError) as refused:
        card(focal, "250")
    assert "exists" in refused.value.errors["__all__"][0]
    for change, field in (({"currency": "EUR"}, "currency"), ({"amount": "260"}, "__all__")):
        data = {"unit": rates.unit, "country": rates.country, "year": 2026, "amount": Decimal(260)}
        data.update({"currency": "USD", **change})
        data["amount"] = Decimal(data["amount"])  # type: ignore[arg-type]
        with pytest.raises(FinanceError) as refused:
            in_kind.save_rate_card(
                card=rates,
                data=CardData(**data),  # type: ignore[arg-type]
                user=focal,
                expected_version=0 if field == "__all__" else 1,
            )
        assert field in refused.value.errors
    rates.refresh_from_db()
    assert (rates.amount, rates.version, rates.history.count()) == (250, 1, 1)
