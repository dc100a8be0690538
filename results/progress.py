"""What a period achieved: the one definition of an indicator's actual value, used by the
activity's results page, the API, the IATI file and (as the oracle of its reconciliation test)
the results dashboard.

Only approved updates that no approved revision replaced count (`Update.counts`):

- a quantitative indicator whose updates add up (`cumulative`): the sum of their values, and of
  their disaggregated values per dimension value;
- one whose updates restate the value: the latest approved one (by approval time);
- a qualitative indicator: the latest approved update's narrative and `achieved`.

A period without a counting update has no actual (None), which is not zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from .models import Period, Update, UpdateDisaggregation, UpdateStatus


@dataclass
class Actual:
    value: Decimal | None = None
    achieved: bool | None = None
    narrative: str = ""
    parts: dict[int, Decimal] = field(default_factory=dict)  # by dimension value id
    updates: int = 0  # how many approved updates count towards it

    @property
    def reported(self) -> bool:
        return self.updates > 0


def activities_with_approved_results() -> QuerySet[Update, Any]:
    """The ids of the activities with at least one counting update (approved, not replaced):
    for activities.results_seam, whose rule lets such results stand for a completed activity's
    outcomes text."""
    return Update.objects.filter(status=UpdateStatus.APPROVED, retired=False).values(
        "period__indicator__result__activity_id"
    )


def counting_updates(periods: Iterable[int]) -> list[Update]:
    """The updates that count for `periods` (ids), oldest approval first (one query)."""
    return list(
        Update.objects.filter(
            period_id__in=list(periods), status=UpdateStatus.APPROVED, retired=False
        )
        .select_related("period__indicator")
        .order_by("period_id", "reviewed_at", "pk")
    )


def actuals(periods: Iterable[Period]) -> dict[int, Actual]:
    """The actual of each period, by id, in two queries whatever their number."""
    periods = list(periods)
    updates = counting_updates(p.pk for p in periods)
    parts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = UpdateDisaggregation.objects.filter(update__in=[u.pk for u in updates]).values_list(
        "update_id", "dimension_value_id", "value"
    )
    for update_id, value_id, value in rows:
        parts[update_id][value_id] = value
    result = {p.pk: Actual() for p in periods}
    for update in updates:
        _add(result[update.period_id], update, parts.get(update.pk, {}))
    return result


def _add(actual: Actual, update: Update, parts: dict[int, Decimal]) -> None:
    indicator = update.period.indicator
    actual.updates += 1
    if not indicator.is_quantitative:
        actual.achieved, actual.narrative = update.achieved, update.narrative
        return
    if indicator.cumulative and actual.value is not None:
        actual.value += update.value or Decimal(0)
        for value_id, value in parts.items():
            actual.parts[value_id] = actual.parts.get(value_id, Decimal(0)) + value
    else:
        actual.value, actual.parts = update.value, dict(parts)


def progress_percent(period: Period, actual: Actual) -> int | None:
    """How far the actual is towards the target, 0 to 100, from the baseline and in the
    indicator's direction; None when there is no target or no actual."""
    indicator = period.indicator
    if period.target_value is None or actual.value is None or not indicator.is_quantitative:
        return None
    baseline = indicator.baseline_value or Decimal(0)
    span = period.target_value - baseline
    if span == 0:
        reached = actual.value >= period.target_value
        if not indicator.ascending:
            reached = actual.value <= period.target_value
        return 100 if reached else 0
    share = (actual.value - baseline) / span * 100
    return max(0, min(100, int(share)))
