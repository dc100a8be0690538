"""In-kind and technical cooperation as quantities (expert-days, scholarships ...) and the rate
cards that value them.

Most South-South cooperation is not cash: a ledger line can say what was given, as a unit and a
quantity, and how it was valued: at its actual cost, by a rate card, or not at all. A line that
is not valued still counts, in its quantity, where money cannot say it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_single_line_text
from finance.models.rates import validate_currency


class InKindUnit(models.TextChoices):
    EXPERT_DAYS = "expert_days", _("Expert-days")
    EXPERT_MONTHS = "expert_months", _("Expert-months")
    PARTICIPANT_DAYS = "participant_days", _("Participant-days")
    SCHOLARSHIPS = "scholarships", _("Scholarships")
    VENUE_DAYS = "venue_days", _("Venue-days")
    EQUIPMENT = "equipment", _("Equipment (items)")


# The units that are people's know-how (technical cooperation, in the UN framework to measure
# South-South cooperation and in TOSSD); the others are goods, places and grants in kind.
TECHNICAL_COOPERATION_UNITS = frozenset({InKindUnit.EXPERT_DAYS, InKindUnit.EXPERT_MONTHS})


class ValuedBy(models.TextChoices):
    """How a line's money was reached. Cash is always its actual amount."""

    ACTUAL_COST = "actual_cost", _("Actual cost")
    RATE_CARD = "rate_card", _("Rate card")
    NOT_VALUED = "not_valued", _("Not valued")


class RateCard(models.Model):
    """What one unit of in-kind is worth, for a year, in a provider country or anywhere (the
    focal point keeps these).

    A line valued by a card keeps the rate and the card's version it was valued at, so changing
    the card never moves a recorded value: re-valuing is an explicit step (finance.in_kind).
    The currency is fixed when the card is made, so that a re-valuation's correction is in its
    line's currency.
    """

    unit = models.CharField(_("unit"), max_length=20, choices=InKindUnit.choices)
    country = models.ForeignKey(
        "activities.Country",
        verbose_name=_("provider country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the card applies to every provider country without its own."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("value of one unit"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    version = models.PositiveIntegerField(_("version"), default=1)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        validators=[validate_single_line_text],
        help_text=_("Where the rate comes from, e.g. the government's expert fee scale 2026."),
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
        ordering = ["-year", "unit", "country__name"]
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "country", "year"],
                condition=models.Q(country__isnull=False),
                name="one_rate_card_per_country",
            ),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=models.Q(country__isnull=True),
                name="one_default_rate_card",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="rate_card_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.country_id or '*'} {self.year}: {self.amount} {self.currency}"
