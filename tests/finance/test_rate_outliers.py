"""A rate more than five times off its currency's neighbouring months (a misplaced decimal mark
makes one a thousand times off) is kept only once confirmed: on the rates page with a checkbox
that names the neighbours, in `import_rates` with --confirm-outliers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from finance import services
from finance.models import ExchangeRate

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2024, month, 1) for month in (1, 2, 3))


@pytest.fixture
def pound(focal: User) -> None:
    for month, rate in ((JAN, "0.785"), (MAR, "0.79")):
        services.set_rate(
            currency="GBP", month=month, units_per_usd=Decimal(rate), source="BoE", user=focal
        )


def _february(rate: str, **extra: str) -> dict[str, str]:
    return {"currency": "GBP", "month": "2024-02", "units_per_usd": rate, "source": "BoE", **extra}


def test_a_rate_ten_times_its_neighbours_asks_for_confirmation_on_the_rates_page(
    focal_client: Client, pound: None
) -> None:
    url = reverse("finance:rates")
    asked = focal_client.post(url, _february("7.85"))
    assert asked.status_code == 400
    page = asked.content.decode()
    assert (
        "7.85 GBP per US$ for 2024-02 is more than 5 times off the neighbouring months "
        "(2024-01: 0.785, 2024-03: 0.79)"
    ) in page
    assert 'type="checkbox" name="confirm"' in page
    assert not ExchangeRate.objects.filter(month=FEB).exists()

    unticked = focal_client.post(url, _february("7.85", confirm=""))
    assert unticked.status_code == 400
    assert not ExchangeRate.objects.filter(month=FEB).exists()

    confirmed = focal_client.post(url, _february("7.85", confirm="on"))
    assert confirmed.status_code == 302
    assert ExchangeRate.objects.get(month=FEB).units_per_usd == Decimal("7.85")


def test_a_rate_in_line_with_its_neighbours_is_kept_without_a_question(
    focal_client: Client, pound: None
) -> None:
    response = focal_client.post(reverse("finance:rates"), _february("0.79"))
    assert response.status_code == 302
    assert ExchangeRate.objects.get(month=FEB).units_per_usd == Decimal("0.79")


def test_a_rate_in_line_with_one_neighbour_is_a_move_not_a_typo() -> None:
    known = {JAN: Decimal("100"), MAR: Decimal("900")}
    assert services.outlier_neighbours(FEB, Decimal("800"), known) == []
    assert services.outlier_neighbours(FEB, Decimal("10"), {JAN: Decimal("100")}) == [
        (JAN, Decimal("100"))
    ]
    assert services.outlier_neighbours(FEB, Decimal("10"), {}) == []


def test_import_rates_refuses_a_rate_ten_times_its_neighbours_unless_confirmed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "currency,month,units_per_usd\nGBP,2024-01,0.785\nGBP,2024-02,7.85\nGBP,2024-03,0.79\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_rates", str(path))
    message = str(refused.value)
    assert "Row 3: 7.85 GBP per US$ for 2024-02 is more than 5 times off" in message
    assert "(2024-01: 0.785, 2024-03: 0.79)" in message
    assert "--confirm-outliers" in message
    assert not ExchangeRate.objects.exists()

    call_command("import_rates", str(path), "--confirm-outliers")
    assert ExchangeRate.objects.get(month=FEB).units_per_usd == Decimal("7.85")


def test_the_rates_upload_refuses_an_outlier_unless_its_box_is_ticked(
    focal_client: Client,
) -> None:
    def upload(**extra: str) -> str:
        csv = (
            b"currency,month,units_per_usd\nGBP,2024-01,0.785\nGBP,2024-02,7.85\nGBP,2024-03,0.79\n"
        )
        body = {"file": SimpleUploadedFile("rates.csv", csv), **extra}
        return focal_client.post(
            reverse("finance:rates_upload"), body, follow=True
        ).content.decode()

    assert "Row 3: 7.85 GBP per US$ for 2024-02 is more than 5 times off" in upload()
    assert not ExchangeRate.objects.exists()
    upload(confirm_outliers="on")
    assert ExchangeRate.objects.get(month=FEB).units_per_usd == Decimal("7.85")
