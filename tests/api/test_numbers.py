"""Numbers sent to the API are JSON numbers or decimal strings with a dot, whatever the
client's language: `"0,785"` or `"1 500 000,50"` is refused with a 400 naming the field, never
read as 785 or guessed; the schema says so on every decimal a request takes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework import serializers

from accounts.api_numbers import DecimalField
from accounts.models import User
from activities.serializers import CountryLinkInput
from counterparts.serializers import ProposalInput
from finance import services
from finance.models import FinancialEntry
from finance.serializers import CorrectionInput, EntryInput
from results.serializers import UpdateInput, UpdatePartInput
from tests.factories import ActivityFactory

ApiFor = Callable[[User | None], Client]
URL = "/api/v1/ledger/"
RULE = "a JSON number or a decimal string with a dot, e.g. 0.785"
REFUSAL = "Send a JSON number or a decimal string with a dot, e.g. 0.785 (no commas or spaces)."
NOT_DOT_DECIMALS = ["0,785", "1 500 000,50", "1,500", "1e3", "1_000", "1.500,5", "NaN", "١٢"]

INPUTS: list[tuple[type[serializers.Serializer], str]] = [
    (EntryInput, "amount"),
    (EntryInput, "quantity"),
    (CorrectionInput, "new_amount"),
    (CorrectionInput, "new_quantity"),
    (CountryLinkInput, "share"),
    (UpdateInput, "value"),
    (UpdatePartInput, "value"),
    (ProposalInput, "amount"),
]
IDS = [f"{serializer.__name__}.{name}" for serializer, name in INPUTS]


def _line(amount: Any) -> dict[str, Any]:
    return {
        "kind": "ifad_grant",
        "stage": "planned",
        "amount": amount,
        "currency": "USD",
        "value_date": "2024-01-01",
    }


@pytest.mark.parametrize(("serializer", "name"), INPUTS, ids=IDS)
@pytest.mark.parametrize("text", NOT_DOT_DECIMALS)
def test_a_decimal_string_without_a_dot_is_refused_naming_the_rule(
    serializer: type[serializers.Serializer], name: str, text: str
) -> None:
    field = serializer().fields[name]
    assert isinstance(field, DecimalField)
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(text)
    assert refused.value.detail == [REFUSAL]


@pytest.mark.parametrize(("serializer", "name"), INPUTS, ids=IDS)
def test_json_numbers_and_dot_strings_are_taken(
    serializer: type[serializers.Serializer], name: str
) -> None:
    field = serializer().fields[name]
    for sent in (12.5, 12, "12.5", " 12.50 ", ".5"):
        assert field.run_validation(sent) in (Decimal("12.5"), Decimal(12), Decimal("0.5"))


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0,785", "1 500 000,50"])
def test_the_ledger_refuses_a_comma_amount_with_400_json_naming_the_field(
    api_for: ApiFor, cpm: User, amount: str
) -> None:
    activity = ActivityFactory()
    body = {"activity": activity.pk, "ledger_version": 0, "entries": [_line(amount)]}
    response = api_for(cpm).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"entries.0.amount": [REFUSAL]}
    assert RULE in response.json()["detail"]
    assert not FinancialEntry.objects.exists()


@pytest.mark.django_db
def test_the_ledger_takes_a_json_number_and_a_dot_string(api_for: ApiFor, cpm: User) -> None:
    activity = ActivityFactory()
    body = {
        "activity": activity.pk,
        "ledger_version": 0,
        "entries": [_line(1500000.5), _line("0.75")],
    }
    response = api_for(cpm).post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    amounts = sorted(FinancialEntry.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("0.75"), Decimal("1500000.50")]


@pytest.mark.django_db
def test_a_correction_refuses_a_comma_amount(api_for: ApiFor, cpm: User, focal: User) -> None:
    activity = ActivityFactory()
    entry = services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="allocated",
                currency="USD",
                amount=Decimal(1000),
                value_date=datetime.date(2024, 3, 15),
            )
        ],
        user=focal,
        expected_version=None,
    )[0]
    body = {"new_amount": "900,50", "reason": "Invoice was lower", "ledger_version": 1}
    response = api_for(cpm).post(f"{URL}{entry.pk}/correct/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"new_amount": [REFUSAL]}
    assert FinancialEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_schema_says_so_on_every_decimal_a_request_takes() -> None:
    components = Client().get("/api/schema/?format=json").json()["components"]["schemas"]
    described = []
    for name, component in components.items():
        if not name.endswith("Request"):
            continue
        for field, schema in component.get("properties", {}).items():
            if schema.get("format") == "decimal":
                described.append(f"{name}.{field}")
                assert "A JSON number or a decimal string with a dot, e.g. 0.785" in schema.get(
                    "description", ""
                ), f"{name}.{field}"
    assert "EntryInputRequest.amount" in described
    assert "ProposalInputRequest.amount" in described
    assert len(described) >= len(INPUTS)


@pytest.mark.django_db
def test_the_getting_started_guide_says_how_to_send_numbers() -> None:
    page = Client().get("/api/getting-started/")
    assert page.status_code == 200
    assert '<code>"0,785"</code> or <code>"1 500 000,50"</code> is refused' in page.text
