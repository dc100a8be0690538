"""The first build: the rebuild of roll-ups whose tables are empty (a new installation, or tables
emptied on purpose), where every row is written.

Over empty tables there is nothing to compare: each year's totals and cells go straight into the
stored tables, with no checksum and no difference against stored rows, and so do the activity
tables at the end. The cells, totals and pairs are written with their indexes set aside: those
indexes, the covering ones above all, cost more to keep up row by row than to build once from the
finished tables. So are the indexes and unique constraints of the activities' money and the pairs'
counts, whose rows arrive in no order of theirs. They are built again at the end, and at the start
of every rebuild (missing_indexes), so a first build killed halfway leaves them missing only until
the next rebuild, which the worker resumes (finance.tasks).

The stored tables are written as they are in every other case (logged, in one transaction per
year), so a crash loses no committed year.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial

from django.conf import settings
from django.db import connection, models, transaction

from ..models import (
    ActivityCount,
    ActivityMoney,
    ActivityPair,
    ActivityQuantity,
    ActivityYearTotal,
    AllYearsCell,
    FinancialEntry,
    InKindQuantity,
    PairCount,
    RollupCell,
    RollupSlice,
)
from .quantities import recompute_quantities
from .refresh import compute_new_totals, compute_slices
from .split import NEW_CELLS, NEW_CELLS_GRAINS
from .sql import (
    CELL_COLUMNS,
    NEW_TOTAL,
    TOTAL_COLUMNS,
    Slice,
    table_names,
    work_names,
)
from .store import (
    begin_work,
    drop_work_tables,
    lock_rollups,
    mark_computed,
    recompute_activity_money,
    recompute_all_years,
    recompute_pairs,
    slice_q,
)

# PostgreSQL's memory for building one index (two are built at once, as two years are computed).
INDEX_BUILD_MEM = "256MB"

# The tables a first build writes year by year: the cells and the totals, millions of rows.
_WRITTEN = (RollupCell, ActivityYearTotal)
# The tables whose indexes it sets aside: those, and the activity tables written whole at the end
# whose indexes cost the most to keep up row by row (each inserted row looked up in every index,
# for a unique constraint twice).
_ACTIVITY_ASIDE = (ActivityMoney, ActivityPair, PairCount, ActivityQuantity, InKindQuantity)
_ASIDE = (*_WRITTEN, *_ACTIVITY_ASIDE)
# The tables summed from those at the end of every rebuild.
_SUMMED = (
    *(ActivityMoney, ActivityCount, ActivityPair, PairCount, AllYearsCell),
    *(ActivityQuantity, InKindQuantity),
)


@transaction.atomic
def start_first_build() -> bool:
    """If the roll-ups hold nothing yet, set the indexes of their largest tables aside (for a
    ledger of settings.ROLLUP_INDEXES_ASIDE_FROM_ENTRIES lines or more) and return True (the
    rebuild then writes each year with build_slices).

    Under the exclusive roll-up lock, so that no refresh is halfway: from here on, a slice a
    refresh writes has its RollupSlice row, which build_slices reads (the tables' own rows
    cannot say it quickly once their indexes are gone). The slices' old "as of" times go: the
    figures they dated are gone.
    """
    if connection.vendor != "postgresql":
        return False
    lock_rollups(None)
    if any(model.objects.exists() for model in _WRITTEN):
        return False
    RollupSlice.objects.all().delete()
    if FinancialEntry.objects.count() < settings.ROLLUP_INDEXES_ASIDE_FROM_ENTRIES:
        return True  # written with their indexes in place (see the setting)
    with connection.schema_editor() as editor:
        for model in _ASIDE:
            present = _present_indexes(model)
            for index in _indexes(model):
                if index.name not in present:
                    continue
                if isinstance(index, models.Index):
                    editor.remove_index(model, index)
                else:
                    editor.remove_constraint(model, index)
    return True


def _present_indexes(model: type[models.Model]) -> set[str]:
    """The names of the model's indexes and constraints in the database."""
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


# What a first build sets aside: an index, or a unique constraint (an index that refuses
# duplicates; none can arrive meanwhile: every writer of an activity table replaces its
# activities' rows under one lock, store.lock_activity_tables).
Aside = models.Index | models.UniqueConstraint
IndexOf = tuple[type[models.Model], Aside]


def _indexes(model: type[models.Model]) -> list[Aside]:
    unique = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    return [*model._meta.indexes, *unique]


def missing_indexes() -> list[IndexOf]:
    """The indexes of the roll-up tables a first build set aside and has not built again."""
    if connection.vendor != "postgresql":
        return []
    missing: list[IndexOf] = []
    for model in _ASIDE:
        present = _present_indexes(model)
        missing += [(model, index) for index in _indexes(model) if index.name not in present]
    return missing


def restore_index(index_of: IndexOf) -> None:
    """Build one of the indexes again (each on its own connection, when the rebuild builds them
    a few at once: building an index takes a lock that lets others build)."""
    model, index = index_of
    with connection.schema_editor() as editor:
        # The covering indexes of millions of rows are sorted in memory rather than on disk.
        editor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEM}'")
        if isinstance(index, models.Index):
            editor.add_index(model, index)
        else:
            editor.add_constraint(model, index)


@transaction.atomic
def build_slices(slices: Sequence[Slice]) -> bool:
    """Write the totals and cells of slices that hold no row yet (a year of a first build);
    return True (every row is new). Slices a refresh has written meanwhile are recomputed and
    compared instead (compute_slices), as the nightly rebuild does."""
    lock_rollups([year for year, _division in slices])
    if RollupSlice.objects.filter(slice_q(slices)).exists():
        return compute_slices(slices, verify_first=True, activity_money=False)
    tables = table_names()
    with connection.cursor() as cursor:
        begin_work(cursor)
        compute_new_totals(cursor, slices)
        cursor.execute(
            f"INSERT INTO {tables['total']} ({TOTAL_COLUMNS}) "  # noqa: S608 (table names)
            f"SELECT {TOTAL_COLUMNS} FROM {NEW_TOTAL}"
        )
        # Every grain in one statement, straight into the stored cells: the full grain is
        # written once, where a work table of cells would write it twice.
        cursor.execute(
            f"INSERT INTO {tables['cell']} ({CELL_COLUMNS}) "
            + NEW_CELLS.format(where="1 = 1", **work_names(total=NEW_TOTAL)),
            NEW_CELLS_GRAINS,
        )
        drop_work_tables(cursor)
    mark_computed(set(slices))
    return True


def last_steps() -> list[Callable[[], object]]:
    """What a first build does once its years are written, as steps for a few threads to share:
    the activity tables, the statistics of the cells and totals, the other indexes set aside
    meanwhile, then the activity tables' indexes and statistics.

    The cells' and totals' statistics come before their indexes: ANALYZE and CREATE INDEX of one
    table wait for each other, and while the first thread writes the activity tables (which only
    read the cells and totals) nothing else builds those indexes yet. Their statistics are
    gathered here rather than by vacuum_written_tables, which runs alone.

    The activity tables' indexes and statistics come last and wait for those tables to be
    written: the threads share them, where the thread that wrote the tables built them alone
    while the others had nothing left to do (benchmarks/README.md)."""
    aside = missing_indexes()
    activity = [index_of for index_of in aside if index_of[0] in _ACTIVITY_ASIDE]
    written = _Written()
    steps: list[Callable[[], object]] = [partial(written.write, write_activity_tables)]
    steps += [partial(analyze, model) for model in _WRITTEN]
    steps += [partial(restore_index, index_of) for index_of in aside if index_of not in activity]
    steps += [partial(written.then, partial(restore_index, index_of)) for index_of in activity]
    steps += [partial(written.then, partial(analyze, model)) for model in _SUMMED]
    return steps


class _Written:
    """Whether the activity tables are written: the steps on them wait for it, and are skipped
    if writing them failed (the rebuild then fails with that error)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._ok = False

    def write(self, write: Callable[[], object]) -> None:
        try:
            write()
            self._ok = True
        finally:
            self._done.set()

    def then(self, step: Callable[[], object]) -> None:
        self._done.wait()
        if self._ok:
            step()


def analyze(model: type[models.Model]) -> None:
    """The statistics of a table a first build wrote (the planner's row counts and values)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")


@transaction.atomic
def write_activity_tables() -> None:
    """Every row of the activity tables (money, pairs and their counts, all years, in-kind
    quantities), summed from the totals and cells just written (the quantities from the
    ledger): straight, where recompute_all_activity_money checks each table first (a first
    build has nothing stored worth keeping)."""
    lock_rollups(None)
    tables = table_names()
    with connection.cursor() as cursor:
        recompute_activity_money(cursor, tables, None)
        recompute_pairs(cursor, tables, None)
        recompute_all_years(cursor, tables, None)
        recompute_quantities(cursor, tables, None)


def vacuum_written_tables() -> None:
    """VACUUM the tables a first build wrote: its rows are the only ones, so nothing is freed,
    but the pages are marked all-visible. The covering indexes answer the dashboard from the
    index alone only on such pages: right after a first build, before any vacuum, the cold view
    of one country visited the table for every cell it read. (Their statistics were gathered
    by last_steps, beside the other steps: most of a VACUUM (ANALYZE)'s time, which left the
    other core idle here.) Outside any transaction (VACUUM cannot run in one).

    One table after the other, once every other step is done: VACUUM marks a page all-visible
    only if no running transaction could miss its rows, and any statement of this database
    beside it (an index build, an ANALYZE, a new connection's first query) holds a snapshot as
    old as the oldest transaction on the server, in any database."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in _WRITTEN + _SUMMED:
            cursor.execute(f"VACUUM {model._meta.db_table}")
