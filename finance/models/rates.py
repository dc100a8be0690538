"""Exchange rates and the conversion of an amount to US dollars, to the cent."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_portal_date, validate_single_line_text

CENT = Decimal("0.01")
CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def validate_currency(code: str) -> None:
    if code not in CURRENCY_CODES:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code."), params={"code": code}
        )


def to_usd(amount: Decimal, units_per_usd: Decimal) -> Decimal:
    """Convert with the rate's own precision and round once, half up, to the cent."""
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class ExchangeRate(models.Model):
    """Units of a currency per US dollar for one month (the focal point keeps these)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    month = models.DateField(
        _("month"),
        help_text=_("Stored as the first day of the month."),
        validators=[validate_portal_date],
    )
    units_per_usd = models.DecimalField(_("units per US$"), max_digits=20, decimal_places=8)
    source = models.CharField(
        _("source"), max_length=200, blank=True, validators=[validate_single_line_text]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="one_rate_per_month"),
            models.CheckConstraint(
                condition=models.Q(units_per_usd__gt=0), name="rate_is_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m}: {self.units_per_usd}"
