"""The ledger endpoint with in-kind quantities: a rate-card line needs no amount, bad input is a
400 naming the field (nothing recorded), a correction takes a new quantity, and every entry
reads with its unit, quantity, method, provider country and card rate."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from activities.models import Activity, Partner
from finance import in_kind, services
from finance.in_kind import CardData
from finance.models import FinancialEntry, InKindUnit, RateCard
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = pytest.mark.django_db

URL = "/api/v1/ledger/"
ApiFor = Callable[[User | None], Client]


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory()


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
        ),
        user=focal,
        expected_version=None,
    )


def _line(partner: Partner, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "in_kind",
        "stage": "allocated",
        "currency": "USD",
        "value_date": "2026-03-10",
        "contributor": partner.pk,
        "unit": "expert_days",
        "quantity": "40",
        "valued_by": "rate_card",
        **extra,
    }


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_forty_expert_days_by_card_recorded_without_an_amount(
    api_for: ApiFor, focal: User, activity: Activity, embrapa: Partner, brazil_card: RateCard
) -> None:
    body = {
        "activity": activity.pk,
        "ledger_version": 0,
        "entries": [
            _line(embrapa),
            _line(embrapa, unit="venue_days", quantity="5", valued_by="not_valued"),
        ],
    }
    response = _post(api_for(focal), URL, body)
    assert response.status_code == 201, response.json()
    card_line, venue = response.json()["entries"]
    assert {k: card_line[k] for k in ("unit", "quantity", "valued_by", "provider_country")} == {
        "unit": "expert_days",
        "quantity": "40.00",
        "valued_by": "rate_card",
        "provider_country": "BR",
    }
    assert (card_line["amount"], card_line["unit_rate"], card_line["rate_card_version"]) == (
        "10000.00",
        "250.00",
        1,
    )
    assert (venue["valued_by"], venue["amount"], venue["unit_rate"]) == ("not_valued", "0.00", None)
    read = api_for(focal).get(f"{URL}{card_line['id']}/").json()
    assert read["quantity"] == "40.00" and read["provider_country"] == "BR"


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"unit": "scholarships"}, "valued_by", "no rate card for Scholarships"),
        ({"unit": "minutes"}, "unit", ""),
        ({"quantity": "-2"}, "quantity", "above 0"),
        ({"quantity": "1.234"}, "quantity", ""),
        ({"valued_by": "actual_cost"}, "amount", "Give the amount"),
        ({"amount": "12"}, "amount", "takes its value from the card"),
        ({"provider_country": "ZZ"}, "provider_country", ""),
        ({"kind": "cofinancing"}, "valued_by", "Only in-kind"),
    ],
)
def test_bad_in_kind_input_is_a_400_naming_the_field(
    api_for: ApiFor,
    focal: User,
    activity: Activity,
    embrapa: Partner,
    brazil_card: RateCard,
    extra: dict[str, Any],
    field: str,
    words: str,
) -> None:
    body = {"activity": activity.pk, "ledger_version": 0, "entries": [_line(embrapa, **extra)]}
    response = _post(api_for(focal), URL, body)
    assert response.status_code == 400
    errors = response.json()
    text = str(errors)
    assert field in text and words in text
    assert not FinancialEntry.objects.exists()


def test_correction_with_a_new_quantity(
    api_for: ApiFor, focal: User, activity: Activity, embrapa: Partner, brazil_card: RateCard
) -> None:
    client = api_for(focal)
    body = {"activity": activity.pk, "ledger_version": 0, "entries": [_line(embrapa)]}
    created = _post(client, URL, body).json()
    entry_id = created["entries"][0]["id"]
    bad = _post(
        client,
        f"{URL}{entry_id}/correct/",
        {
            "new_amount": None,
            "new_quantity": "-1",
            "reason": "x",
            "ledger_version": created["ledger_version"],
        },
    )
    assert bad.status_code == 400 and "new_quantity" in bad.json()["errors"]
    response = _post(
        client,
        f"{URL}{entry_id}/correct/",
        {
            "new_amount": None,
            "new_quantity": "30",
            "reason": "Ten days fewer",
            "ledger_version": services.ledger_version(activity),
        },
    )
    assert response.status_code == 201, response.json()
    entry = response.json()["entry"]
    assert (entry["quantity"], entry["amount"], entry["entry_type"]) == (
        "-10.00",
        "-2500.00",
        "adjustment",
    )
