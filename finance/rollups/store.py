"""Writing the stored rows: the differences between a work table and the stored rows, the
activity tables summed from the totals, and the locks that keep two writers apart."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.utils import timezone

from ..models import (
    Grain,
    RollupSlice,
)
from .counts import MONEY_KEY, PAIR_KEY, keys_of, recount_activities, recount_pairs
from .sql import (
    ACTIVITY_MONEY,
    ACTIVITY_PAIRS,
    ALL_YEARS,
    ALL_YEARS_GRAINS,
    CELL_COLUMNS,
    NEW_CELL,
    NEW_TOTAL,
    PROVIDER_ROLES,
    RECEIVER_ROLES,
    ROLLUP_WORK_MEM,
    SAME_CELL,
    SAME_TOTAL,
    TOTAL_COLUMNS,
    Slice,
    all_years_params,
    division_keys_condition,
    placeholders,
    slice_condition,
)


def mark_computed(slices: set[Slice]) -> None:
    """Record that the slices' figures are as of now (the dashboard's "figures as of")."""
    RollupSlice.objects.filter(slice_q(slices, division_field="division_id")).delete()
    now = timezone.now()
    RollupSlice.objects.bulk_create(
        [RollupSlice(year=y, division_id=d, computed_at=now) for y, d in sorted(slices)]
    )


def begin_work(cursor: CursorWrapper) -> None:
    """Prepare this transaction's computation: its sorts' memory, no JIT, and no work table
    left over."""
    if connection.vendor == "postgresql":
        # A year's split is sorted and grouped in a few hundred thousand rows: with the default
        # work memory each sort spills to disk. Until the transaction ends.
        cursor.execute(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")
        # The pivoted statements (fifteen amounts summed, spread and split) are costed high
        # enough for the JIT compiler, which then took longer to compile their expressions
        # than the statements take to run (benchmarks/README.md).
        cursor.execute("SET LOCAL jit = off")
    drop_work_tables(cursor)


def drop_work_tables(cursor: CursorWrapper) -> None:
    for table in (NEW_TOTAL, NEW_CELL):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


# Any number, the same in every process: the lock on ActivityMoney's rows (an activity's row
# sums all its years, which writers of different years could otherwise both replace).
_MONEY_LOCK_KEY = 480_911_320


def recompute_activity_money(
    cursor: CursorWrapper, tables: dict[str, str], activities: Iterable[int] | None
) -> None:
    """Replace the ActivityMoney rows of `activities` (None: every activity) with their totals
    summed over all years, and count them again (ActivityCount)."""
    ids = None if activities is None else sorted(activities)
    if ids == []:
        return
    money = tables["money"]
    statement = ACTIVITY_MONEY.format(money=money, total=tables["total"], where="{where}")
    if ids is None:
        _replace_activity_rows(cursor, money, statement, [], "t", None)
        recount_activities(cursor, tables, None)
        return
    # The counts of the keys the activities leave and of those they join.
    lock_activity_tables(cursor)
    before = keys_of(cursor, money, MONEY_KEY, ids)
    _replace_activity_rows(cursor, money, statement, [], "t", ids)
    recount_activities(cursor, tables, before | keys_of(cursor, money, MONEY_KEY, ids))


def _replace_activity_rows(
    cursor: CursorWrapper,
    table: str,
    statement: str,
    params: Sequence[int | str],
    alias: str,
    ids: list[int] | None,
) -> None:
    """Delete the rows of `ids` (None: every row) from a table of one-activity rows and insert
    them again with `statement`, whose `{where}` is filled with a condition on `alias`'s
    activity_id. Under the lock of the activity tables (_MONEY_LOCK_KEY)."""
    lock_activity_tables(cursor)
    if ids is None:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (model name)
        cursor.execute(statement.format(where="1 = 1"), params)
        return
    # In batches: SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(ids), 10_000):
        batch = ids[start : start + 10_000]
        marks = placeholders(batch)
        cursor.execute(f"DELETE FROM {table} WHERE activity_id IN ({marks})", batch)  # noqa: S608
        cursor.execute(
            statement.format(where=f"{alias}.activity_id IN ({marks})"), [*params, *batch]
        )


def lock_activity_tables(cursor: CursorWrapper) -> None:
    """Until the transaction ends: the rows of one activity and the counts of their keys are
    written by one writer at a time, which reads what the others committed."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_MONEY_LOCK_KEY])


def recompute_pairs(
    cursor: CursorWrapper, tables: dict[str, str], activities: Iterable[int] | None
) -> None:
    """Replace the ActivityPair rows of `activities` (None: every activity) from their current
    countries and their ActivityMoney rows (recomputed first: the pairs copy their dimensions)."""
    ids = None if activities is None else sorted(set(activities))
    if ids == []:
        return
    pair = tables["pair"]
    statement = ACTIVITY_PAIRS.format(
        pair=pair, money=tables["money"], country_link=tables["country_link"], where="{where}"
    )
    roles = [*PROVIDER_ROLES, *RECEIVER_ROLES]
    if ids is None:
        _replace_activity_rows(cursor, pair, statement, roles, "m", None)
        recount_pairs(cursor, tables, None)
        return
    # The counts of the keys the activities' pairs leave and of those they join.
    lock_activity_tables(cursor)
    before = keys_of(cursor, pair, PAIR_KEY, ids)
    _replace_activity_rows(cursor, pair, statement, roles, "m", ids)
    recount_pairs(cursor, tables, before | keys_of(cursor, pair, PAIR_KEY, ids))


_ALL_YEARS_LOCK_KEY = 480_911_321


def recompute_all_years(
    cursor: CursorWrapper, tables: dict[str, str], divisions: set[int] | None
) -> None:
    """Sum the country and theme cells of these divisions (None: every division) over all
    years again into AllYearsCell. A division's rows sum its cells of every year, which
    refreshes of different years could otherwise both replace: under a lock of their own,
    taken here and held until the transaction ends, each sum reads what the other committed."""
    if divisions is not None and not divisions:
        return
    _lock_all_years(cursor)
    all_years, cell = tables["all_years"], tables["cell"]
    if divisions is None:
        cursor.execute(f"DELETE FROM {all_years}")  # noqa: S608 (model name)
        where, params = "1 = 1", list[int]()
    else:
        ids = sorted(divisions)
        where, params = f"c.division_id IN ({placeholders(ids)})", ids
        cursor.execute(
            f"DELETE FROM {all_years} WHERE division_id IN ({placeholders(ids)})",  # noqa: S608
            ids,
        )
    cursor.execute(
        ALL_YEARS.format(all_years=all_years, cell=cell, where=where),
        all_years_params(ALL_YEARS_GRAINS, params),
    )


def resum_all_years(
    cursor: CursorWrapper, tables: dict[str, str], changed_full: Sequence[Sequence[Any]]
) -> None:
    """Sum again over all years only the countries and themes whose cells an edit changed, in
    their divisions (`changed_full`: (year, division id, country id, theme id) of each full
    cell deleted or inserted): one activity's few, where summing its whole division again
    read a large part of the country and theme grains after every edit. Locked as
    recompute_all_years."""
    if not changed_full:
        return
    _lock_all_years(cursor)
    all_years, cell = tables["all_years"], tables["cell"]
    for grain, position, column in ((Grain.COUNTRY, 2, "country_id"), (Grain.THEME, 3, "theme_id")):
        keys: dict[int, set[int]] = {}
        for row in changed_full:
            keys.setdefault(int(row[1]), set()).add(int(row[position] or 0))
        stored, stored_params = division_keys_condition(all_years, column, keys)
        cursor.execute(
            f"DELETE FROM {all_years} WHERE grain = %s AND {stored}",  # noqa: S608 (model name)
            [grain.value, *stored_params],
        )
        where, params = division_keys_condition("c", column, keys)
        # This grain's cells alone: the other grain's have no country (or theme), which a
        # key of none would otherwise match.
        cursor.execute(
            ALL_YEARS.format(all_years=all_years, cell=cell, where=where),
            all_years_params([grain.value, grain.value], params),
        )


def _lock_all_years(cursor: CursorWrapper) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ALL_YEARS_LOCK_KEY])


def apply_differences(
    cursor: CursorWrapper, tables: dict[str, str], slices: Sequence[Slice] | None
) -> set[int]:
    """Make the stored rows of the slices equal to the work tables, touching only the rows that
    differ (see replace_rows). Return the activities whose totals changed."""

    def in_slices(alias: str) -> tuple[str, list[int | str]]:
        where, params = slice_condition(alias, slices)
        return where, [*params]

    def cells_in_slices(alias: str) -> tuple[str, list[int | str]]:
        # The cells' index leads with the grain: naming every grain lets PostgreSQL read the
        # slice through it instead of scanning the whole table.
        where, params = slice_condition(alias, slices)
        marks = ", ".join(["%s"] * len(Grain.values))
        return f"{alias}.grain IN ({marks}) AND {where}", [*Grain.values, *params]

    with hash_joins_only(cursor):
        moved = replace_rows(
            cursor, tables["total"], NEW_TOTAL, TOTAL_COLUMNS, SAME_TOTAL, in_slices,
            returning="activity_id",
        )  # fmt: skip
        replace_rows(cursor, tables["cell"], NEW_CELL, CELL_COLUMNS, SAME_CELL, cells_in_slices)
    return {row[0] for row in moved}


@contextmanager
def hash_joins_only(cursor: CursorWrapper) -> Iterator[None]:
    """Each comparison of replace_rows must be a hash anti-join. The planner has no statistics
    for the temporary tables and guesses them tiny: it chose a nested loop, then a merge join on
    the grain alone (every cell of a grain compared with every other), each orders of magnitude
    slower than hashing (benchmarks/README.md). Both are refused meanwhile."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
    yield
    if postgresql:
        cursor.execute("RESET enable_nestloop")
        cursor.execute("RESET enable_mergejoin")


@contextmanager
def index_lookups(cursor: CursorWrapper) -> Iterator[None]:
    """Each join meanwhile looks its rows up through an index, in this process alone. The
    planner costs such a lookup as a read from disk, where the tables are in memory: for a
    year's totals it read the whole activity table (most of its pages hold texts the totals do
    not need) rather than look up the activities of the year's entries, for every year of a
    rebuild. Looking them up, it planned parallel workers, which only wait for this process:
    a rebuild already computes a year on each core."""
    postgresql = connection.vendor == "postgresql"
    settings = ("enable_hashjoin", "enable_mergejoin", "max_parallel_workers_per_gather")
    if postgresql:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = 0")
    yield
    if postgresql:
        for setting in settings:
            cursor.execute(f"RESET {setting}")


Restriction = Callable[[str], tuple[str, list[int | str]]]


def replace_rows(
    cursor: CursorWrapper,
    stored: str,
    new: str,
    columns: str,
    same: str,
    where: Restriction,
    *,
    returning: str = "",
) -> list[tuple[Any, ...]]:
    """Make the stored rows that `where` selects equal to the rows of the work table `new`:
    stored rows with no equal new row are deleted, new rows with no equal stored row are
    inserted (a changed amount is one of each). Return the `returning` columns of both.

    `where` gives the SQL condition (and its parameters) for a table alias; the work table
    must hold only rows that `where` selects.
    """
    rows: list[tuple[Any, ...]] = []
    suffix = f" RETURNING {returning}" if returning else ""
    # The stored table is named, not aliased, in the DELETE: SQLite takes no alias there.
    condition, params = where(stored)
    cursor.execute(
        f"DELETE FROM {stored} WHERE {condition} AND NOT EXISTS ("  # noqa: S608 (model names)
        f"SELECT 1 FROM {new} n WHERE {same.format(a='n', b=stored)}){suffix}",
        params,
    )
    if returning:
        rows += cursor.fetchall()
    condition, params = where("s")
    cursor.execute(
        f"INSERT INTO {stored} ({columns}) SELECT {columns} FROM {new} n "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {stored} s WHERE {condition} "
        f"AND {same.format(a='n', b='s')}){suffix}",
        params,
    )
    if returning:
        rows += cursor.fetchall()
    return rows


# Any number, the same in every process: the key of PostgreSQL's advisory lock on roll-up writes.
_ROLLUP_LOCK_KEY = 480_911_317
# With a year as second key: the lock on one fiscal year's roll-up rows.
_YEAR_LOCK_CLASS = 480_911_319


def lock_rollups(years: Iterable[int] | None) -> None:
    """Serialize roll-up writes to the same fiscal years until the transaction ends.

    Without it, two refreshes of one slice could each delete the rows they see and insert their
    own: under READ COMMITTED neither sees the other's new rows, and the slice would be counted
    twice. Different years share no row, so a rebuild can compute two years at once. Every
    writer takes the roll-up lock first (shared, or exclusive to write every year at once),
    then its years in ascending order: no two writers can wait for each other. SQLite allows one
    writer at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if years is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK_KEY])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_ROLLUP_LOCK_KEY])
        for year in sorted(set(years)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_YEAR_LOCK_CLASS, year])


def lock_rebuild_starts() -> None:
    """Serialize "is a rebuild running? if not, start one" until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK_KEY + 2])


def slice_q(slices: Iterable[Slice], *, division_field: str = "division_id") -> Q:
    query = Q(pk__in=[])
    for year, division in slices:
        query |= Q(year=year, **{division_field: division})
    return query
