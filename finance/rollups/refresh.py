"""How a refresh finds and recomputes its cells: the requests an edit records, the drain that
answers them, and the two ways of recomputing (whole slices, or one activity's cells)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Min

from activities.models import (
    Activity,
    Visibility,
)

from ..models import (
    ActivityYearTotal,
    FinancialEntry,
    Grain,
    RollupRefresh,
    RollupSlice,
)
from .quantities import recompute_quantities
from .split import INSERT_FULL
from .sql import (
    CELL_COLUMNS,
    INSERT_CORE,
    NEW_CELL,
    NEW_TOTAL,
    NEW_TOTALS,
    SAME_CELL,
    SAME_TOTAL,
    SUBSLICE_COLUMNS,
    TOTAL_COLUMNS,
    Slice,
    Subslice,
    grain_keys_condition,
    insert_coarse,
    keys_condition,
    placeholders,
    slice_condition,
    subslice_condition,
    table_names,
    work_names,
)
from .store import (
    apply_differences,
    begin_work,
    drop_work_tables,
    hash_joins_only,
    index_lookups,
    lock_rollups,
    mark_computed,
    recompute_activity_money,
    recompute_all_years,
    recompute_pairs,
    replace_rows,
    resum_all_years,
    slice_q,
)
from .verify import (
    stored_rows_match,
)


@transaction.atomic
def compute_slices(
    slices: Sequence[Slice] | None, *, verify_first: bool = False, activity_money: bool = True
) -> bool:
    """Recompute the given slices (None: every slice, the whole portfolio) from the ledger;
    return whether any stored row had to change.

    A slice with no entries left simply ends up with no rows. Roll-up writes to the same year
    are serialized (lock_rollups), so two refreshes of the same slice run one after the other
    and the second one's result is the same as the first's.

    `verify_first` (the full rebuild): on PostgreSQL, compare checksums of the recomputed rows
    and of the stored ones before writing anything; when they agree, the slices are left as
    they are. A rebuild over roll-ups the refreshes kept up to date then costs about what
    computing the sums costs, instead of writing every cell into a work table and comparing it.

    `activity_money`: also recompute the ActivityMoney rows of the activities in the slices
    (the rebuild recomputes them all at its end instead, once).
    """
    if slices is not None and not slices:
        return False
    tables = table_names()
    lock_rollups(None if slices is None else [year for year, _division in slices])
    with connection.cursor() as cursor:
        begin_work(cursor)
        compute_new_totals(cursor, slices)
        changed = not (
            verify_first
            and connection.vendor == "postgresql"
            and stored_rows_match(cursor, tables, slices)
        )
        if changed:
            compute_new_cells(cursor)
            moved = apply_differences(cursor, tables, slices)
            if activity_money:
                _recompute_activity_tables(cursor, tables, slices, moved)
        drop_work_tables(cursor)
    if slices is None:
        RollupSlice.objects.all().delete()
        mark_computed(all_slices())
    else:
        mark_computed(set(slices))
    return changed


def compute_new_totals(cursor: CursorWrapper, slices: Sequence[Slice] | None) -> None:
    """The slices' totals from the ledger, into the work table NEW_TOTAL."""
    # Entries are filtered through their activity's division, so the condition is spelled out.
    if slices is None:
        where_entry, entry_params = "1 = 1", list[int]()
    else:
        where_entry, entry_params = slice_condition("x", slices)
        where_entry = where_entry.replace("x.year", "e.fiscal_year").replace(
            "x.division_id", "a.lead_division_id"
        )
    # The slices' entries, each with its activity looked up; the whole ledger's are joined to
    # every activity as they come.
    lookups = index_lookups(cursor) if slices is not None else nullcontext()
    with lookups:
        cursor.execute(
            NEW_TOTALS.format(where=where_entry, **work_names()),
            [Visibility.PUBLIC.value, *entry_params],
        )


def compute_new_cells(cursor: CursorWrapper) -> None:
    """Every grain's cells of the work totals, into the work table NEW_CELL."""
    names = work_names(total=NEW_TOTAL)
    cell = table_names()["cell"]
    cursor.execute(f"CREATE TEMPORARY TABLE {NEW_CELL} AS SELECT * FROM {cell} WHERE 1 = 0")  # noqa: S608 (model name)
    # The work tables hold the slices only: no condition needed when reading them.
    cursor.execute(INSERT_CORE.format(where="1 = 1", **names), [Grain.CORE.value])
    cursor.execute(INSERT_FULL.format(where="1 = 1", **names), [Grain.FULL.value])
    insert_coarse(cursor, NEW_CELL, NEW_CELL, "1 = 1", [])


def _recompute_activity_tables(
    cursor: CursorWrapper,
    tables: dict[str, str],
    slices: Sequence[Slice] | None,
    moved: set[int],
) -> None:
    """The activity tables (money, pairs, all years) of the slices just recomputed."""
    if slices is None:
        recompute_activity_money(cursor, tables, None)
        recompute_pairs(cursor, tables, None)
        recompute_all_years(cursor, tables, None)
        recompute_quantities(cursor, tables, None)
        return
    recompute_activity_money(cursor, tables, moved)
    # Every activity of the slices: its countries may have changed with no money moving (an
    # import), and who shares with whom follows them.
    cursor.execute(f"SELECT DISTINCT activity_id FROM {NEW_TOTAL}")  # noqa: S608 (work table)
    activities = moved | {row[0] for row in cursor.fetchall()}
    recompute_pairs(cursor, tables, activities)
    # Their quantities too: the lines' quantities, units and countries move no money.
    recompute_quantities(cursor, tables, activities)
    recompute_all_years(cursor, tables, {division for _year, division in slices})


def activity_years(activity_ids: Sequence[int], years: Iterable[int]) -> set[int]:
    """The fiscal years a refresh of these activities writes: the requested ones and every year
    they have stored totals in (money moved to another year must leave the old one)."""
    stored = (
        ActivityYearTotal.objects.filter(activity_id__in=activity_ids)
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )
    return set(years) | set(stored)


@transaction.atomic
def compute_activities(activity_ids: Iterable[int], years: Iterable[int]) -> set[Slice]:
    """Bring the roll-ups up to date with these activities (their ledger, countries, shares,
    themes and dimensions) in these fiscal years, rewriting only the cells their money sits in
    before or after the change; return the slices touched.

    What one edit costs then depends on the edit, not on the size of its slice (a slice holds
    tens of thousands of cells; the sub-slices of one activity a few hundred):

    1. the activities' totals are recomputed from the ledger and replaced where they differ;
    2. every sub-slice of their totals, stored before or computed now, has its full and core
       cells recomputed from the stored totals of all the activities in it (their split over
       countries and themes included), and replaced where they differ;
    3. the country and theme cells whose full cells changed are summed again from them.

    It gives what recomputing the whole slices gives as long as every other activity's stored
    totals are current, which the refreshes keep: an edit commits its refresh request with
    it, and until the request is drained the activity's old sub-slices are still named by its
    stored totals. tests/finance/test_rollup_hooks.py checks it against the full recomputation
    after edits of every kind.
    """
    ids = sorted(set(activity_ids))
    if not ids:
        return set()
    year_list = sorted(activity_years(ids, years))
    lock_rollups(year_list)
    tables = table_names()
    with connection.cursor() as cursor:
        begin_work(cursor)
        ours = _TheirTotals(ids, year_list)
        cursor.execute(
            NEW_TOTALS.format(where=ours.condition("e", "fiscal_year"), **work_names()),
            [Visibility.PUBLIC.value, *ours.params],
        )
        subslices = _subslices_of(cursor, tables["total"], ours)
        if not subslices:  # no money in these years, before or now
            drop_work_tables(cursor)
            return set()
        with hash_joins_only(cursor):
            moved = replace_rows(
                cursor, tables["total"], NEW_TOTAL, TOTAL_COLUMNS, SAME_TOTAL, ours.restrict,
                returning="activity_id",
            )  # fmt: skip
        full = _recompute_subslice_cells(cursor, tables, subslices)
        resum_all_years(cursor, tables, full)
        recompute_activity_money(cursor, tables, {row[0] for row in moved})
        # Their countries or roles may have changed with no money moving, and so may their
        # lines' quantities.
        recompute_pairs(cursor, tables, ids)
        recompute_quantities(cursor, tables, ids)
        drop_work_tables(cursor)
    slices = {(year, division) for year, division, *_dimensions in subslices}
    mark_computed(slices)
    return slices


@dataclass(frozen=True)
class _TheirTotals:
    """The totals of some activities in some fiscal years, as an SQL condition."""

    ids: list[int]
    years: list[int]

    @property
    def params(self) -> list[int | str]:
        return [*self.ids, *self.years]

    def condition(self, alias: str, year: str = "year") -> str:
        return (
            f"{alias}.activity_id IN ({placeholders(self.ids)}) "
            f"AND {alias}.{year} IN ({placeholders(self.years)})"
        )

    def restrict(self, alias: str) -> tuple[str, list[int | str]]:
        return self.condition(alias), self.params


def _subslices_of(cursor: CursorWrapper, total: str, ours: _TheirTotals) -> list[Subslice]:
    """The sub-slices of the activities' totals, stored before or computed now."""
    cursor.execute(
        f"SELECT {SUBSLICE_COLUMNS} FROM {total} t WHERE {ours.condition('t')} "  # noqa: S608 (model name)
        f"UNION SELECT {SUBSLICE_COLUMNS} FROM {NEW_TOTAL}",
        ours.params,
    )
    return sorted(
        (int(y), int(d), mod, nature, status, bool(public), agreement)
        for y, d, mod, nature, status, public, agreement in cursor.fetchall()
    )


def _recompute_subslice_cells(
    cursor: CursorWrapper, tables: dict[str, str], subslices: list[Subslice]
) -> list[tuple[Any, ...]]:
    """The full and core cells of the sub-slices from the stored totals, then the coarse cells
    they change; return (year, division, country, theme) of each full cell that changed."""
    cell = tables["cell"]
    of_totals, totals_params = subslice_condition("t", subslices)

    def in_subslices(alias: str) -> tuple[str, list[int | str]]:
        where, params = subslice_condition(alias, subslices)
        grains = [Grain.CORE.value, Grain.FULL.value]
        return f"{alias}.grain IN (%s, %s) AND {where}", [*grains, *params]

    cursor.execute(f"CREATE TEMPORARY TABLE {NEW_CELL} AS SELECT * FROM {cell} WHERE 1 = 0")  # noqa: S608 (model name)
    from_stored = work_names(total=tables["total"])
    for statement, grain in ((INSERT_CORE, Grain.CORE), (INSERT_FULL, Grain.FULL)):
        cursor.execute(
            statement.format(where=of_totals, **from_stored), [grain.value, *totals_params]
        )
    with hash_joins_only(cursor):
        changed = replace_rows(
            cursor, cell, NEW_CELL, CELL_COLUMNS, SAME_CELL, in_subslices,
            returning="grain, year, division_id, country_id, theme_id",
        )  # fmt: skip
        full = [row[1:] for row in changed if row[0] == Grain.FULL.value]
        _resum_coarse_cells(cursor, cell, full)
        _resum_modality_cells(cursor, cell, subslices)
    return full


def _resum_coarse_cells(
    cursor: CursorWrapper, cell: str, changed_full: Sequence[tuple[Any, ...]]
) -> None:
    """Sum the country and theme cells again from the full cells, for the (year, division,
    country) and (year, division, theme) of the full cells that changed: only those can move.

    `changed_full`: (year, division id, country id, theme id) of each full cell deleted or
    inserted."""
    for grain, position, column in (
        (Grain.COUNTRY, 2, "country_id"),
        (Grain.THEME, 3, "theme_id"),
    ):
        keys: dict[tuple[int, int], set[int]] = {}
        for row in changed_full:
            year, division, key = (int(value or 0) for value in (row[0], row[1], row[position]))
            keys.setdefault((year, division), set()).add(key)
        if not keys:
            continue
        cursor.execute(f"DELETE FROM {NEW_CELL}")  # noqa: S608 (a work table's name)
        where, params = keys_condition("c", column, keys)
        insert_coarse(cursor, NEW_CELL, cell, where, params, grains=[grain])
        replace_rows(
            cursor, cell, NEW_CELL, CELL_COLUMNS, SAME_CELL,
            partial(grain_keys_condition, grain=grain, column=column, keys=keys),
        )  # fmt: skip


def _resum_modality_cells(cursor: CursorWrapper, cell: str, subslices: Sequence[Subslice]) -> None:
    """Sum the modality cells again from the core cells, for the (year, division, modality)
    of the sub-slices recomputed: only those can move."""
    keys = sorted({(year, division, modality) for year, division, modality, *_rest in subslices})
    if not keys:
        return

    def of_keys(alias: str) -> tuple[str, list[int | str]]:
        clause = f"({alias}.year = %s AND {alias}.division_id = %s AND {alias}.modality = %s)"
        return "(" + " OR ".join([clause] * len(keys)) + ")", [v for key in keys for v in key]

    def modality_cells(alias: str) -> tuple[str, list[int | str]]:
        where, params = of_keys(alias)
        return f"{alias}.grain = %s AND {where}", [Grain.MODALITY.value, *params]

    cursor.execute(f"DELETE FROM {NEW_CELL}")  # noqa: S608 (a work table's name)
    insert_coarse(cursor, NEW_CELL, cell, *of_keys("c"), grains=[Grain.MODALITY])
    replace_rows(cursor, cell, NEW_CELL, CELL_COLUMNS, SAME_CELL, modality_cells)


def all_slices() -> set[Slice]:
    """Every slice that has entries now or had rows before (those must be emptied)."""
    # order_by(): the ledger's default ordering (value date, id) would join the DISTINCT and
    # send every entry, a million rows, to Python.
    current = set(
        FinancialEntry.objects.values_list("fiscal_year", "activity__lead_division_id")
        .distinct()
        .order_by()
    )
    previous = set(RollupSlice.objects.values_list("year", "division_id"))
    return current | previous


# Above this many activities in one drain, their slices are recomputed whole instead: a bulk
# change (an import, a backlog after an outage) touches most of their cells anyway.
ACTIVITY_REFRESH_LIMIT = 200


def drain_refresh_requests(*, limit: int = 500) -> int:
    """Answer the requested refreshes (at most `limit` slices); return how many slices were
    requested.

    A slice asked for without an activity is recomputed whole, once however many requests name
    it; a slice asked for only by activities' edits has just those activities' cells
    recomputed (compute_activities). The requests answered are the ones visible before the
    recomputation starts, and they are deleted in the same transaction as it: a worker killed
    halfway leaves them in place for the next drain, and a request that commits meanwhile (its
    edit perhaps not seen by the recomputation) stays for the next drain.
    """
    with transaction.atomic():
        slices = [
            (year, division)
            for year, division, _first in RollupRefresh.objects.values_list("year", "division_id")
            .annotate(first=Min("pk"))
            .order_by("first")[:limit]
        ]
        if not slices:
            return 0
        requests = list(
            RollupRefresh.objects.filter(slice_q(slices)).values_list(
                "pk", "year", "division_id", "activity_key"
            )
        )
        whole, activities, years = _plan_drain(requests)
        if activities:
            years = activity_years(activities, years)
        # Every year at once, in order, before any is written: see lock_rollups.
        lock_rollups({year for year, _division in whole} | years)
        if whole:
            compute_slices(sorted(whole))
        if activities:
            compute_activities(activities, years)
        delete_requests([request[0] for request in requests])
    return len(slices)


def _plan_drain(
    requests: Sequence[tuple[int, int, int, int | None]],
) -> tuple[set[Slice], list[int], set[int]]:
    """Split the requests into slices to recompute whole and activities to recompute (with the
    years asked for them)."""
    whole = {(year, division) for _pk, year, division, activity in requests if activity is None}
    asked: dict[int, set[Slice]] = {}
    for _pk, year, division, activity in requests:
        if activity is not None and (year, division) not in whole:
            asked.setdefault(activity, set()).add((year, division))
    # An activity deleted since its request has no totals left to say where its money was.
    existing = set(Activity.objects.filter(pk__in=list(asked)).values_list("pk", flat=True))
    if len(existing) > ACTIVITY_REFRESH_LIMIT:
        existing = set()
    for activity in set(asked) - existing:
        whole |= asked.pop(activity)
    years = {year for activity_slices in asked.values() for year, _division in activity_slices}
    return whole, sorted(asked), years


def delete_requests(ids: list[int]) -> None:
    for start in range(0, len(ids), 10_000):
        RollupRefresh.objects.filter(pk__in=ids[start : start + 10_000]).delete()
