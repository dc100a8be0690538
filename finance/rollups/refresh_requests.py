"""What an edit records: the slices (and the activity) whose roll-ups it made stale, written in
the edit's own transaction, with the drain queued once it commits (finance.jobs). The drain
(finance.rollups.refresh) answers them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..jobs import queue_rollup_drain_on_commit
from ..models import FinancialEntry, RollupRefresh
from .sql import Slice


def slices_of_activities(
    activity_ids: Iterable[int], *, extra_divisions: Iterable[int] = ()
) -> set[Slice]:
    """The slices an activity's money sits in: each fiscal year of its entries x its division.

    `extra_divisions` covers an activity that just moved division: its money must leave the old
    division's slices too.
    """
    ids = list(activity_ids)
    rows = (
        FinancialEntry.objects.filter(activity_id__in=ids)
        .values_list("fiscal_year", "activity__lead_division_id")
        .distinct()
        .order_by()
    )
    slices = set(rows)
    extra = set(extra_divisions)
    return slices | {(year, division) for year, _d in slices for division in extra}


def request_refresh(slices: Iterable[Slice], *, activity: int | None = None) -> None:
    """Record slices to recompute and queue the drain once the caller's transaction commits.

    Call it inside the transaction that changes the money or an activity's dimensions: the
    request rows commit (or roll back) with the edit itself. `activity`: the one activity whose
    change made the slices stale, so that only its cells are recomputed (compute_activities).
    """
    _record_requests(
        [
            RollupRefresh(year=year, division_id=division, activity_key=activity)
            for year, division in set(slices)
        ]
    )


def request_refresh_for_changed_activities(divisions: Mapping[int, Iterable[int]]) -> None:
    """Refresh the slices of activities whose dimensions a batch save changed, by activity:
    `divisions` maps each one to its divisions, before and after the save (money leaves the old
    division's slices). Two queries, however many activities."""
    years: dict[int, set[int]] = defaultdict(set)
    for activity_id, year in (
        FinancialEntry.objects.filter(activity_id__in=list(divisions))
        .values_list("activity_id", "fiscal_year")
        .distinct()
        .order_by()
    ):
        years[activity_id].add(year)
    _record_requests(
        [
            RollupRefresh(year=year, division_id=division, activity_key=activity_id)
            for activity_id, in_years in years.items()
            for year in in_years
            for division in set(divisions[activity_id])
        ]
    )


def _record_requests(rows: list[RollupRefresh]) -> None:
    if not rows:
        return
    RollupRefresh.objects.bulk_create(rows)
    queue_rollup_drain_on_commit()


def request_refresh_for_activities(
    activity_ids: Iterable[int], *, extra_divisions: Iterable[int] = ()
) -> None:
    extra = list(extra_divisions)
    for activity_id in activity_ids:
        request_refresh(
            slices_of_activities([activity_id], extra_divisions=extra), activity=activity_id
        )


def request_refresh_for_entries_after(entry_id: int) -> None:
    """Refresh the slices of every entry recorded after `entry_id` (the last one before a bulk
    write such as the workbook import): one query, whatever the number of entries."""
    request_refresh(
        FinancialEntry.objects.filter(pk__gt=entry_id)
        .values_list("fiscal_year", "activity__lead_division_id")
        .distinct()
        .order_by()
    )


def last_entry_id() -> int:
    return FinancialEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
