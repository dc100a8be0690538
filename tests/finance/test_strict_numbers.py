"""Numbers read strictly: an entry that could be read two ways (`0,785`: 0.785 or 785) is refused
naming both readings, on the finance page, the rates page, `import_rates` and the workbook; the
unambiguous forms people type are read as before."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from finance.amounts import AmbiguousAmount, AmountError, parse_amount
from finance.importer import ImportRefused, import_legacy_workbook
from finance.models import ExchangeRate, FinancialEntry
from tests.factories import ActivityFactory
from tests.finance.workbooks import activity_row, build

READ = [
    ("1 500 000", "1500000"),
    ("US$ 609,000.00", "609000.00"),
    ("1,500,000", "1500000"),
    ("1,500,000.50", "1500000.50"),
    ("1.500.000,50", "1500000.50"),
    ("1 500,50", "1500.50"),
    ("1 500,000", "1500.000"),
    ("200000.00", "200000.00"),
    ("0.785", "0.785"),
    ("0,5", "0.5"),
    ("0,50", "0.50"),
    ("1,5000", "1.5000"),
    ("€ 12'500", "12500"),
]
AMBIGUOUS = [
    ("0,785", "0.785", "785"),
    ("0,500", "0.500", "500"),
    ("1,500", "1.500", "1500"),
    ("US$ 609,000", "609.000", "609000"),
]


@pytest.mark.parametrize(("text", "number"), READ)
def test_unambiguous_numbers_are_read(text: str, number: str) -> None:
    assert parse_amount(text) == Decimal(number)
    assert str(parse_amount(text)) == number


@pytest.mark.parametrize(("text", "decimal", "thousands"), AMBIGUOUS)
def test_a_lone_comma_before_three_digits_is_refused_naming_both_readings(
    text: str, decimal: str, thousands: str
) -> None:
    with pytest.raises(AmbiguousAmount) as refused:
        parse_amount(text)
    assert refused.value.readings == (Decimal(decimal), Decimal(thousands))
    assert f"could be read as {decimal} or {thousands}" in refused.value.message


def test_words_are_still_not_numbers() -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount("a lot")
    assert not isinstance(refused.value, AmbiguousAmount)


@pytest.mark.django_db
def test_the_rates_page_refuses_an_ambiguous_rate(focal_client: Client) -> None:
    body = {"currency": "GBP", "month": "2024-01", "units_per_usd": "0,785", "source": "BoE"}
    response = focal_client.post(reverse("finance:rates"), body)
    assert response.status_code == 400
    assert "“0,785” could be read as 0.785 or as 785" in response.content.decode()
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_the_finance_page_refuses_an_ambiguous_amount(cpm_client: Client) -> None:
    activity = ActivityFactory()
    body: dict[str, object] = {"version": 0, "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0}
    line = {
        "kind": "ifad_grant",
        "stage": "planned",
        "amount": "0,500",
        "currency": "USD",
        "value_date": "2024-01-01",
    }
    body.update({f"lines-0-{key}": value for key, value in line.items()})
    response = cpm_client.post(reverse("finance:activity", args=[activity.pk]), body)
    assert response.status_code == 400
    assert "“0,500” could be read as 0.5 or as 500" in response.content.decode()
    assert not FinancialEntry.objects.exists()


@pytest.mark.django_db
def test_import_rates_refuses_an_ambiguous_rate_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text('currency,month,units_per_usd\nEUR,2024-01,0.9\nGBP,2024-01,"0,785"\n')
    with pytest.raises(CommandError) as refused:
        call_command("import_rates", str(path))
    assert "Row 3, column units_per_usd: 0,785 could be read as 0.785 or 785" in str(refused.value)
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_the_workbook_refuses_an_ambiguous_amount_typed_as_text(focal: User) -> None:
    handle = build([activity_row(planned="US$ 609,000")])
    with pytest.raises(ImportRefused) as refused:
        import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=True)
    assert any(
        "US$ 609,000 could be read as 609.000 or 609000" in problem
        for problem in refused.value.problems
    )
