"""Closed periods of the ledger, and the exceptions that let one activity's writes through."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_portal_date, validate_single_line_text


class ClosedPeriod(models.Model):
    """A closed stretch of the ledger: a fiscal year, or every day up to a date.

    Once a report has gone out (to the Executive Board, say), its figures must not move: no
    entry, correction or rate may be written into a closed period (finance.periods enforces
    it). Reopening keeps the row, with who reopened it and why; the history has every step.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    up_to = models.DateField(
        _("up to (inclusive)"), null=True, blank=True, validators=[validate_portal_date]
    )
    reason = models.CharField(_("reason"), max_length=500, validators=[validate_single_line_text])
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(
        _("reason for reopening"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_at", "-pk"]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year__isnull=True, up_to__isnull=False)
                | models.Q(fiscal_year__isnull=False, up_to__isnull=True),
                name="closed_period_is_a_year_or_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.fiscal_year is not None:
            return f"FY{self.fiscal_year}"
        return str(_("up to %(date)s") % {"date": f"{self.up_to:%Y-%m-%d}"})

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None

    def covers_date(self, day: datetime.date) -> bool:
        """Whether a value date (or a rate's month, by its first day) falls in the period.

        IFAD's fiscal year is the calendar year."""
        if self.fiscal_year is not None:
            return day.year == self.fiscal_year
        assert self.up_to is not None
        return day <= self.up_to

    def covers_year(self, year: int) -> bool:
        """Whether a whole fiscal year is closed: the reports sum entries by fiscal year."""
        if self.fiscal_year is not None:
            return year == self.fiscal_year
        assert self.up_to is not None
        return datetime.date(year, 12, 31) <= self.up_to


class PeriodException(models.Model):
    """One activity's writes let through a closed period until `expires_on` (inclusive)."""

    period = models.ForeignKey(ClosedPeriod, on_delete=models.PROTECT, related_name="exceptions")
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="period_exceptions",
    )
    reason = models.CharField(_("reason"), max_length=500, validators=[validate_single_line_text])
    expires_on = models.DateField(_("expires on (inclusive)"), validators=[validate_portal_date])
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("closed-period exception")
        verbose_name_plural = _("closed-period exceptions")

    def __str__(self) -> str:
        return f"{self.period} {self.activity_id} <= {self.expires_on:%Y-%m-%d}"
