"""The results dashboard's stored rows (`PeriodFigure`): a cache of results.progress.actuals.

Every results write that changes what counts (an approval, and the revision it retires; a
period, its target or its dates; an indicator's core indicator or how its updates add up; a
deleted period, indicator or result) calls `refresh_activities` for its activity inside its
transaction, and so does an activity's change of lead division or modality (receivers.py); a
core indicator moving between `sum` and `latest` restates its rows' chains (`restate_rule`).
The refresh recomputes the activity's rows from results.progress and writes only the rows that
differ; `rebuild` does it for every activity, a batch per transaction, and says how many rows
it had to fix (`manage.py rebuild_period_figures`): run nightly, a missed refresh cannot leave
a figure wrong for long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from activities.models import Activity

from .models import Aggregation, CoreIndicator, Period, PeriodFigure
from .progress import Actual, actuals

BATCH = 500  # activities per transaction of a rebuild (and per IN list)

# The stored columns a refresh compares: a row that differs in none of them is left alone.
COLUMNS = (
    "core_id",
    "indicator_id",
    "activity_id",
    "division_id",
    "modality",
    "year",
    "reported",
    "value",
    "target",
    "next_reported_in_activity",
    "next_target_in_activity",
    "rule_value_next",
    "rule_target_next",
)


@dataclass
class Rebuilt:
    activities: int = 0
    written: int = 0  # rows inserted or replaced
    deleted: int = 0  # rows no period needs any more


def _periods(activity_ids: list[int]) -> list[Period]:
    """The activities' periods of indicators adopting a core indicator, in chain order."""
    return list(
        Period.objects.filter(
            indicator__result__activity_id__in=activity_ids, indicator__core__isnull=False
        )
        .select_related("indicator__core")
        .annotate(
            activity_id=F("indicator__result__activity_id"),
            division_id=F("indicator__result__activity__lead_division_id"),
            modality=F("indicator__result__activity__modality"),
        )
        .order_by("end", "start", "pk")
    )


def _value(period: Period, actual: Actual) -> Decimal | None:
    if not actual.reported:
        return None
    if period.indicator.is_quantitative:
        return actual.value
    return Decimal(1 if actual.achieved else 0)


def _next_years(
    rows: list[PeriodFigure], key: Callable[[PeriodFigure], Any], counts: Any
) -> dict[int, int | None]:
    """The year of the next row of each row's chain (`key`) that `counts`, by period id."""
    following: dict[Any, int | None] = {}
    found = {}
    for row in reversed(rows):
        found[row.period_id] = following.get(key(row))
        if counts(row):
            following[key(row)] = row.year
    return found


def compute(activity_ids: Iterable[int]) -> dict[int, PeriodFigure]:
    """The rows the activities' periods should have, by period id (three queries)."""
    periods = _periods(list(activity_ids))
    actual = actuals(periods)
    rows = [
        PeriodFigure(
            period_id=period.pk,
            core_id=period.indicator.core_id,  # type: ignore[misc]  # not None: filtered
            indicator_id=period.indicator_id,
            activity_id=period.activity_id,  # type: ignore[attr-defined]
            division_id=period.division_id,  # type: ignore[attr-defined]
            modality=period.modality,  # type: ignore[attr-defined]
            year=period.end.year,
            reported=actual[period.pk].reported,
            value=_value(period, actual[period.pk]),
            target=period.target_value,
        )
        for period in periods
    ]
    in_activity = lambda row: (row.core_id, row.activity_id)  # noqa: E731
    reported = _next_years(rows, in_activity, lambda row: row.reported)
    targeted = _next_years(rows, in_activity, lambda row: row.target is not None)
    in_indicator = _next_years(rows, lambda row: row.indicator_id, lambda row: row.reported)
    any_in_indicator = _next_years(rows, lambda row: row.indicator_id, lambda row: True)
    rules = {p.pk: p.indicator.core.aggregation for p in periods}  # type: ignore[union-attr]
    for row in rows:
        row.next_reported_in_activity = reported[row.period_id]
        row.next_target_in_activity = targeted[row.period_id]
        if rules[row.period_id] == Aggregation.LATEST:
            row.rule_value_next = row.next_reported_in_activity
            row.rule_target_next = row.next_target_in_activity
        elif rules[row.period_id] == Aggregation.ACHIEVED:
            row.target = Decimal(1)
            row.rule_value_next = in_indicator[row.period_id]
            row.rule_target_next = any_in_indicator[row.period_id]
    return {row.period_id: row for row in rows}


def restate_rule(core: CoreIndicator) -> None:
    """A core indicator moved between `sum` and `latest` (`achieved` is its kind's and stays
    while activities use it): its rows read the chains of their new rule."""
    rows = PeriodFigure.objects.filter(core=core)
    if core.aggregation == Aggregation.LATEST:
        rows.update(
            rule_value_next=F("next_reported_in_activity"),
            rule_target_next=F("next_target_in_activity"),
        )
    elif core.aggregation == Aggregation.SUM:
        rows.update(rule_value_next=None, rule_target_next=None)


def _key(values: Iterable[Any]) -> tuple[Any, ...]:
    """A row's columns, compared as numbers where they are numbers (SQLite reads a stored
    decimal back as a float-like value)."""
    return tuple(
        Decimal(str(v)).normalize() if isinstance(v, Decimal | float) else v for v in values
    )


def _stored(activity_ids: list[int], period_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The rows stored for the activities, and for the periods (wherever a row placed them)."""
    rows = PeriodFigure.objects.filter(
        Q(activity_id__in=activity_ids) | Q(pk__in=period_ids)
    ).values_list("period_id", *COLUMNS)
    return {row[0]: _key(row[1:]) for row in rows}


def _differences(
    activity_ids: list[int], wanted: dict[int, PeriodFigure]
) -> tuple[list[PeriodFigure], list[int], list[int]]:
    """The wanted rows that are missing or differ, the stored rows they replace, and the
    stored rows no period wants any more."""
    stored = _stored(activity_ids, list(wanted))
    changed = [
        row
        for pk, row in wanted.items()
        if stored.get(pk) != _key(getattr(row, name) for name in COLUMNS)
    ]
    replaced = [row.pk for row in changed if row.pk in stored]
    return changed, replaced, [pk for pk in stored if pk not in wanted]


def _refresh(activity_ids: list[int], *, dry_run: bool = False) -> tuple[int, int]:
    """Make the activities' stored rows what results.progress says, touching only those that
    differ: (rows written, rows deleted without a replacement). The activities are locked
    first: two writes on one activity refresh one after the other, each reading what the other
    committed."""
    with transaction.atomic():
        list(
            Activity.objects.select_for_update()
            .filter(pk__in=activity_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        wanted = compute(activity_ids)
        changed, replaced, gone = _differences(activity_ids, wanted)
        if not dry_run:
            if replaced or gone:
                PeriodFigure.objects.filter(pk__in=replaced + gone).delete()
            PeriodFigure.objects.bulk_create(changed)
    return len(changed), len(gone)


def refresh_activities(activity_ids: Iterable[int]) -> None:
    """Bring the activities' stored rows in line with results.progress, in the caller's
    transaction."""
    for batch in _batches(sorted(set(activity_ids))):
        _refresh(batch)


def refresh_periods(period_ids: Iterable[int]) -> None:
    """Refresh the activities of these periods (their chains run through the activity)."""
    refresh_activities(
        Period.objects.filter(pk__in=list(period_ids))
        .values_list("indicator__result__activity_id", flat=True)
        .distinct()
    )


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _all_activities() -> list[int]:
    """Every activity with stored rows or with a period that should have one."""
    with_periods = Period.objects.filter(indicator__core__isnull=False).values_list(
        "indicator__result__activity_id", flat=True
    )
    stored = PeriodFigure.objects.values_list("activity_id", flat=True)
    return sorted(set(with_periods) | set(stored))


def rebuild(*, dry_run: bool = False) -> Rebuilt:
    """Recompute every activity's rows and write those that differ, a batch per transaction;
    with `dry_run`, only count them. Idempotent: a second run writes nothing."""
    result = Rebuilt()
    for batch in _batches(_all_activities()):
        written, deleted = _refresh(batch, dry_run=dry_run)
        result.activities += len(batch)
        result.written += written
        result.deleted += deleted
    return result
