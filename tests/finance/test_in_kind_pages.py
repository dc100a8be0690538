"""In-kind quantities on the activity's finance page: the entry form takes a unit, a quantity,
a valuation method and a provider country (no amount for a rate card or not valued), the ledger
table shows them, a correction takes a new quantity, and the ledger CSV carries them."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner
from finance import in_kind, services
from finance.in_kind import CardData
from finance.models import EntryType, FinancialEntry, InKindUnit, RateCard, ValuedBy
from tests.factories import ActivityFactory, PartnerFactory, country
from tests.finance.test_pages import line, lines_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(title="Learning route on rural finance")


@pytest.fixture
def embrapa() -> Partner:
    return PartnerFactory(name="Embrapa", type="research", country=country("BR"))


@pytest.fixture
def brazil_card(focal: User) -> RateCard:
    return in_kind.save_rate_card(
        card=None,
        data=CardData(
            unit=InKindUnit.EXPERT_DAYS,
            country=country("BR"),
            year=2026,
            amount=Decimal("250"),
            currency="USD",
            source="Expert fee scale 2026",
        ),
        user=focal,
        expected_version=None,
    )


def in_kind_line(prefix: int, partner: Partner, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "in_kind",
        "contributor": partner.pk,
        "amount": "",
        "value_date": "2026-03-10",
        "unit": "expert_days",
        "quantity": "40",
        "valued_by": "rate_card",
    }
    data.update(values)
    return line(prefix, **data)


def test_forty_expert_days_by_rate_card_without_an_amount(
    cpm_client: Client, activity: Activity, embrapa: Partner, brazil_card: RateCard
) -> None:
    url = reverse("finance:activity", args=[activity.pk])
    body = lines_form(
        services.ledger_version(activity),
        in_kind_line(0, embrapa),
        in_kind_line(1, embrapa, unit="venue_days", quantity="3", valued_by="not_valued"),
    )
    response = cpm_client.post(url, body)
    assert response.status_code == 302, response.content.decode()[:3000]
    card_line = FinancialEntry.objects.get(activity=activity, valued_by=ValuedBy.RATE_CARD)
    assert (card_line.quantity, card_line.amount, card_line.unit_rate) == (
        Decimal("40.00"),
        Decimal("10000.00"),
        Decimal("250.00"),
    )
    # The provider country defaults to the contributor's.
    assert card_line.provider_country == country("BR")
    assert card_line.rate_card == brazil_card and card_line.rate_card_version == 1
    venue = FinancialEntry.objects.get(activity=activity, valued_by=ValuedBy.NOT_VALUED)
    assert (venue.unit, venue.quantity, venue.amount) == ("venue_days", Decimal(3), Decimal(0))

    page = cpm_client.get(url).content.decode()
    assert "40 Expert-days" in page
    assert "250.00 USD per unit, card version 1" in page
    assert "Not valued: counted in its quantity only" in page
    assert "from Brazil" in page


def test_in_kind_fields_render_grouped_and_keyboard_reachable(
    cpm_client: Client, activity: Activity
) -> None:
    page = cpm_client.get(reverse("finance:activity", args=[activity.pk])).content.decode()
    assert 'data-in-kind-for="id_lines-0-kind"' in page
    for name in ("valued_by", "unit", "quantity", "provider_country"):
        assert f'<label for="id_lines-0-{name}">' in page
    assert "js/ledger-form.js" in page


@pytest.mark.parametrize(
    ("values", "field_message"),
    [
        # A card that does not exist: the method's field says so and what to do.
        ({"unit": "scholarships"}, "Valued by: Line 1: There is no rate card for Scholarships"),
        ({"unit": ""}, "Unit: Line 1: A line valued by a rate card or not valued needs a unit."),
        ({"unit": "", "valued_by": ""}, "Unit: Line 1: Say what the quantity counts"),
        ({"quantity": "-3"}, "Quantity: Line 1: Give a quantity above 0"),
        ({"quantity": "lots"}, "“lots” is not a number"),
        ({"valued_by": "actual_cost"}, "Amount: Line 1: Give the amount as a number."),
        ({"valued_by": "not_valued", "amount": "500"}, "Amount: Line 1: A line that is not valued"),
        ({"amount": "999"}, "Amount: Line 1: A line valued by a rate card takes its value"),
        ({"provider_country": "999999"}, "Choose a country from the list."),
        ({"kind": "cofinancing"}, "Valued by: Line 1: Only in-kind contributions are valued"),
    ],
)
def test_bad_in_kind_input_names_the_field_and_writes_nothing(
    cpm_client: Client,
    activity: Activity,
    embrapa: Partner,
    brazil_card: RateCard,
    values: dict[str, object],
    field_message: str,
) -> None:
    url = reverse("finance:activity", args=[activity.pk])
    body = lines_form(services.ledger_version(activity), in_kind_line(0, embrapa, **values))
    response = cpm_client.post(url, body)
    assert response.status_code == 400
    text = response.content.decode()
    assert field_message in text
    assert not FinancialEntry.objects.filter(activity=activity).exists()
    # The messages name fields by their labels, never by their names in the code.
    shown = r'<ul class="errorlist">.*?</ul>|role="alert">.*?</div>'
    messages = "".join(re.findall(shown, text, re.S))
    assert messages and not re.search(r"valued_by|provider_country|unit_rate", messages)


def test_correction_with_a_new_quantity_revalues_at_the_cards_rate(
    cpm_client: Client, activity: Activity, embrapa: Partner, brazil_card: RateCard, cpm: User
) -> None:
    entry = services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=None,
                currency="USD",
                value_date=datetime.date(2026, 3, 10),
                contributor=embrapa,
                unit="expert_days",
                quantity=Decimal(40),
                valued_by="rate_card",
            )
        ],
        user=cpm,
        expected_version=None,
    )[0]
    url = reverse("finance:correct", args=[activity.pk, entry.pk])
    page = reverse("finance:activity", args=[activity.pk])
    assert 'name="new_quantity"' in cpm_client.get(page).content.decode()
    bad = cpm_client.post(
        url,
        {
            "new_quantity": "-1",
            "reason": "Fewer days",
            "version": services.ledger_version(activity),
        },
        follow=True,
    )
    assert "Correct quantity: " in bad.content.decode()
    assert not FinancialEntry.objects.filter(corrects=entry).exists()
    response = cpm_client.post(
        url,
        {
            "new_quantity": "30",
            "reason": "Ten days fewer",
            "version": services.ledger_version(activity),
        },
    )
    assert response.status_code == 302
    correction = FinancialEntry.objects.get(corrects=entry)
    assert correction.entry_type == EntryType.ADJUSTMENT
    assert (correction.quantity, correction.amount) == (Decimal(-10), Decimal(-2500))


def test_ledger_csv_carries_quantities_and_the_method(
    focal_client: Client, activity: Activity, embrapa: Partner, brazil_card: RateCard, focal: User
) -> None:
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=None,
                currency="USD",
                value_date=datetime.date(2026, 3, 10),
                contributor=embrapa,
                unit="expert_days",
                quantity=Decimal(40),
                valued_by="rate_card",
            )
        ],
        user=focal,
        expected_version=None,
    )
    response = focal_client.get(reverse("finance:export_ledger"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    (row,) = rows
    assert {k: row[k] for k in ("unit", "quantity", "valued_by", "provider_country")} == {
        "unit": "expert_days",
        "quantity": "40.00",
        "valued_by": "rate_card",
        "provider_country": "BR",
    }
    assert (row["unit_rate"], row["rate_card_version"]) == ("250.00", "1")
    assert row["amount"] == "10000.00"
