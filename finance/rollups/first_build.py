"""The first build: the rebuild of roll-ups whose tables are empty (a new installation, or tables
emptied on purpose), where every row is written.

Over empty tables there is nothing to compare: each year's totals and cells go straight into the
stored tables, with no checksum and no difference against stored rows. And the cells are written
with their indexes set aside: the cell table's indexes, its covering ones above all, cost more to
keep up row by row than to build once from the finished table. They are built again at the end,
and at the start of every rebuild (restore_cell_indexes), so a first build killed halfway leaves
them missing only until the next rebuild, which the worker resumes (finance.tasks).

The stored tables are written as they are in every other case (logged, in one transaction per
year), so a crash loses no committed year.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models, transaction

from ..models import ActivityYearTotal, RollupCell
from .refresh import compute_new_cells, compute_new_totals, compute_slices
from .sql import CELL_COLUMNS, NEW_CELL, NEW_TOTAL, TOTAL_COLUMNS, Slice, table_names
from .store import begin_work, drop_work_tables, lock_rollups, mark_computed, slice_q


def is_first_build() -> bool:
    """Whether the roll-ups hold nothing yet (a cell is summed from totals: none without them)."""
    return (
        connection.vendor == "postgresql"
        and not ActivityYearTotal.objects.exists()
        and not RollupCell.objects.exists()
    )


def _cell_indexes() -> list[models.Index]:
    return list(RollupCell._meta.indexes)


def _present_indexes() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table_names()["cell"])
    return {name for name, details in constraints.items() if details["index"]}


def set_cell_indexes_aside() -> None:
    """Drop the cell table's indexes (the first build's writes then touch the table alone)."""
    present = _present_indexes()
    with connection.schema_editor() as editor:
        for index in _cell_indexes():
            if index.name in present:
                editor.remove_index(RollupCell, index)


def missing_cell_indexes() -> list[models.Index]:
    if connection.vendor != "postgresql":
        return []
    present = _present_indexes()
    return [index for index in _cell_indexes() if index.name not in present]


def restore_cell_index(index: models.Index) -> None:
    """Build one of the cell table's indexes again (each on its own connection, when the
    rebuild builds them a few at once: building an index takes a lock that lets others build)."""
    with connection.schema_editor() as editor:
        editor.add_index(RollupCell, index)


@transaction.atomic
def build_slices(slices: Sequence[Slice]) -> bool:
    """Write the totals and cells of slices that hold no row yet (a year of a first build);
    return True (every row is new). Slices a refresh has written meanwhile are recomputed and
    compared instead (compute_slices), as the nightly rebuild does."""
    lock_rollups([year for year, _division in slices])
    if ActivityYearTotal.objects.filter(slice_q(slices)).exists():
        return compute_slices(slices, verify_first=True, activity_money=False)
    tables = table_names()
    with connection.cursor() as cursor:
        begin_work(cursor)
        compute_new_totals(cursor, slices)
        compute_new_cells(cursor)
        for stored, work, columns in (
            (tables["total"], NEW_TOTAL, TOTAL_COLUMNS),
            (tables["cell"], NEW_CELL, CELL_COLUMNS),
        ):
            cursor.execute(
                f"INSERT INTO {stored} ({columns}) SELECT {columns} FROM {work}"  # noqa: S608 (table names)
            )
        drop_work_tables(cursor)
    mark_computed(set(slices))
    return True
