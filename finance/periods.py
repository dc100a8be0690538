"""Closed periods: what a closed fiscal year (or a period up to a date) refuses, and why.

The focal point closes a period once its figures have been reported; from then on every write
dated in it (ledger entries from the finance page, the API and the workbook import, corrections,
exchange rates for its months) is refused with the period's reason and closing date. The ledger's
services (finance.services) and the workbook import each load one PeriodGuard in their
transaction and ask it about every line: the rule lives here and nowhere else.

A write and a closing must not cross: a closing that commits while an entry it should refuse is
being recorded would let that entry in. Writers therefore hold a shared advisory lock from the
guard's load to their commit, and a closing or reopening holds the exclusive one: it waits for
the writes in flight, and the writes that start after it read the new period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import ClosedPeriod, PeriodException, first_of_month

# Apart from finance.rollups' keys (480_911_317 to 480_911_319).
_PERIOD_LOCK_KEY = 480_911_400


def lock_for_write() -> None:
    """Until the transaction ends, no period is closed or reopened under this write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_PERIOD_LOCK_KEY])


def lock_for_closing() -> None:
    """Wait for the writes in flight; hold back new ones until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PERIOD_LOCK_KEY])


def closed_periods() -> list[ClosedPeriod]:
    """The periods closed now, oldest closing first."""
    return list(
        ClosedPeriod.objects.filter(reopened_at__isnull=True)
        .select_related("closed_by")
        .order_by("closed_at", "pk")
    )


def describe(period: ClosedPeriod) -> str:
    """Why a write into the period is refused: which period, since when, the reason given."""
    what = (
        _("fiscal year %(year)d") % {"year": period.fiscal_year}
        if period.fiscal_year is not None
        else _("the period up to %(date)s") % {"date": f"{period.up_to:%Y-%m-%d}"}
    )
    return _("%(period)s is closed since %(date)s: “%(reason)s”") % {
        "period": capfirst(what),
        "date": f"{timezone.localdate(period.closed_at):%Y-%m-%d}",
        "reason": period.reason,
    }


@dataclass(frozen=True)
class PeriodGuard:
    """The closed periods and the unexpired exceptions, read once for a whole write."""

    periods: tuple[ClosedPeriod, ...]
    exempt: frozenset[tuple[int, int]]  # (period, activity) with an unexpired exception

    @classmethod
    def load(cls) -> PeriodGuard:
        lock_for_write()
        periods = tuple(closed_periods())
        exempt: frozenset[tuple[int, int]] = frozenset()
        if periods:
            exempt = frozenset(
                PeriodException.objects.filter(
                    period__in=[p.pk for p in periods], expires_on__gte=timezone.localdate()
                ).values_list("period_id", "activity_id")
            )
        return cls(periods, exempt)

    def entry_refusals(
        self, *, value_date: datetime.date, fiscal_year: int | None, activity_id: int | None
    ) -> dict[str, list[str]]:
        """Errors by field for an entry of `activity_id` dated `value_date` in `fiscal_year`;
        empty when it may be written."""
        for period in self.periods:
            if activity_id is not None and (period.pk, activity_id) in self.exempt:
                continue
            if period.covers_date(value_date):
                return {"value_date": [describe(period)]}
            if fiscal_year is not None and period.covers_year(fiscal_year):
                return {"fiscal_year": [describe(period)]}
        return {}

    def month_refusals(self, month: datetime.date) -> dict[str, list[str]]:
        """Errors for a change of the rate of `month`: the month's first day is closed.

        Recorded entries keep their rate, but a closed month's entries are to be read with the
        rate the report used; no activity's exception reaches the shared rate table."""
        for period in self.periods:
            if period.covers_date(first_of_month(month)):
                return {"month": [describe(period)]}
        return {}


def _last_day(period: ClosedPeriod) -> datetime.date:
    if period.fiscal_year is not None:
        return datetime.date(period.fiscal_year, 12, 31)
    assert period.up_to is not None
    return period.up_to


def closed_line(periods: Iterable[ClosedPeriod] | None = None) -> str:
    """The dashboard's and the reports' short line, e.g. "Closed: FY2023 (since 10 Feb 2024),
    FY2024 (since 10 Feb 2025)"; empty when nothing is closed."""
    found = list(closed_periods() if periods is None else periods)
    if not found:
        return ""
    parts = [
        _("%(period)s (since %(date)s)")
        % {
            "period": period.label,
            "date": date_format(timezone.localdate(period.closed_at), "DATE_FORMAT"),
        }
        for period in sorted(found, key=_last_day)
    ]
    return _("Closed: %(periods)s") % {"periods": ", ".join(parts)}
