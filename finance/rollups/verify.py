"""The rebuild's verification: checksums of what the ledger gives and of what is stored, so that
only what differs is written."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from ..models import Grain
from .counts import (
    ACTIVITY_COUNT_LINE,
    ACTIVITY_COUNTS_SELECT,
    COUNT_LINE,
    PAIR_COUNTS_SELECT,
    recount_activities,
    recount_pairs,
)
from .quantities import (
    ACTIVITY_QUANTITY_LINE,
    ACTIVITY_ROWS_PARAMS,
    QUANTITY_LINE,
    activity_rows_select,
    recompute_quantities,
    summed_select,
)
from .split import NEW_CELLS, NEW_CELLS_GRAINS
from .sql import (
    ACTIVITY_MONEY,
    ACTIVITY_PAIRS,
    ALL_YEARS_GRAINS,
    ALL_YEARS_LINE,
    ALL_YEARS_SELECT,
    CELL_COLUMNS,
    MONEY_LINE,
    NEW_TOTAL,
    PAIR_LINE,
    PROVIDER_ROLES,
    RECEIVER_ROLES,
    TOTAL_COLUMNS,
    Slice,
    all_years_params,
    slice_condition,
    spelled,
    table_names,
    work_names,
)
from .store import (
    lock_rollups,
    recompute_activity_money,
    recompute_all_years,
    recompute_pairs,
)

# A checksum of a set of rows whatever their order: the count and the sum of a 64-bit hash of
# each row's text, summed as numeric so nothing overflows. Two sets that differ by any row or
# amount agree on both by a 2^-64 chance.
_CHECKSUM = """
SELECT COUNT(*), COALESCE(SUM(hashtextextended(concat_ws('|', {columns}), 0)::numeric), 0)
FROM ({rows}) AS c
"""


def _line(columns: str) -> str:
    # Spelled as SAME_CELL and SAME_TOTAL compare them (concat_ws would leave an empty value out).
    return ", ".join(spelled("c", c) for c in columns.split(", "))


_TOTAL_LINE, _CELL_LINE = _line(TOTAL_COLUMNS), _line(CELL_COLUMNS)


def _checksum(
    cursor: CursorWrapper, columns: str, rows: str, params: Sequence[int | str]
) -> tuple[int, int]:
    cursor.execute(_CHECKSUM.format(columns=columns, rows=rows), params)
    count, hashed = cursor.fetchone()
    return int(count), int(hashed)


def stored_rows_match(
    cursor: CursorWrapper,
    tables: dict[str, str],
    slices: Sequence[Slice] | None,
) -> bool:
    """Whether the stored totals and cells of the slices equal what the work totals give.

    The totals are compared first (a few hundred thousand rows at most): when they differ, the
    split is not computed here at all. The cells' index leads with the grain, hence the grains
    named in the condition.
    """

    where, params = slice_condition("s", slices)
    new_totals = _checksum(cursor, _TOTAL_LINE, f"SELECT * FROM {NEW_TOTAL}", [])  # noqa: S608
    stored = f"SELECT * FROM {tables['total']} s WHERE {where}"  # noqa: S608 (model names)
    stored_totals = _checksum(cursor, _TOTAL_LINE, stored, params)
    if new_totals != stored_totals:
        return False
    grains = ", ".join(["%s"] * len(Grain.values))
    stored_cells = _checksum(
        cursor,
        _CELL_LINE,
        f"SELECT * FROM {tables['cell']} s WHERE s.grain IN ({grains}) AND {where}",  # noqa: S608
        [*Grain.values, *params],
    )
    new_cells = _checksum(
        cursor,
        _CELL_LINE,
        NEW_CELLS.format(where="1 = 1", **work_names(total=NEW_TOTAL)),
        NEW_CELLS_GRAINS,
    )
    return new_cells == stored_cells


@transaction.atomic
def recompute_all_activity_money() -> bool:
    """Every ActivityMoney row from the stored totals and the ActivityCount rows from them,
    every ActivityPair row from them and the countries, the PairCount rows from the pairs, the
    AllYearsCell rows from the cells and the in-kind quantities from the ledger: the last step
    of a full rebuild; return whether any row had to change. On PostgreSQL the rows are
    compared (by checksum) before they are rewritten, as the rebuild's years are."""
    lock_rollups(None)
    tables = table_names()
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            recompute_activity_money(cursor, tables, None)
            recompute_pairs(cursor, tables, None)
            recompute_all_years(cursor, tables, None)
            recompute_quantities(cursor, tables, None)
            return True
        # Each INSERT's SELECT, read alone: what the rows would be.
        new = _select_of(ACTIVITY_MONEY).format(total=tables["total"], where="1 = 1")
        money_right = _agrees(cursor, tables["money"], MONEY_LINE, new, [])
        if not money_right:
            recompute_activity_money(cursor, tables, None)
        else:
            # The rows are right; their counts are checked alone.
            new = ACTIVITY_COUNTS_SELECT.format(money=tables["money"], where="1 = 1")
            money_right = _agrees(cursor, tables["activity_count"], ACTIVITY_COUNT_LINE, new, [])
            if not money_right:
                recount_activities(cursor, tables, None)
        new = _select_of(ACTIVITY_PAIRS).format(
            money=tables["money"], country_link=tables["country_link"], where="1 = 1"
        )
        roles = [*PROVIDER_ROLES, *RECEIVER_ROLES]
        pairs_right = _agrees(cursor, tables["pair"], PAIR_LINE, new, roles)
        if not pairs_right:
            recompute_pairs(cursor, tables, None)
        else:
            # The pairs are right; their counts are checked alone.
            new = PAIR_COUNTS_SELECT.format(pair=tables["pair"], where="1 = 1")
            pairs_right = _agrees(cursor, tables["pair_count"], COUNT_LINE, new, [])
            if not pairs_right:
                recount_pairs(cursor, tables, None)
        new = ALL_YEARS_SELECT.format(cell=tables["cell"], where="1 = 1")
        all_years_right = _agrees(
            cursor, tables["all_years"], ALL_YEARS_LINE, new, all_years_params(ALL_YEARS_GRAINS, [])
        )
        if not all_years_right:
            recompute_all_years(cursor, tables, None)
        quantities_right = _agrees(
            cursor,
            tables["activity_quantity"],
            ACTIVITY_QUANTITY_LINE,
            activity_rows_select(tables),
            ACTIVITY_ROWS_PARAMS,
        ) and _agrees(cursor, tables["quantity"], QUANTITY_LINE, summed_select(tables), [])
        if not quantities_right:
            recompute_quantities(cursor, tables, None)
    return not (money_right and pairs_right and all_years_right and quantities_right)


def _select_of(insert: str) -> str:
    """An INSERT ... SELECT statement's SELECT alone."""
    return insert[insert.index("SELECT") :]


def _agrees(
    cursor: CursorWrapper, table: str, line: str, new: str, params: Sequence[int | str]
) -> bool:
    """Whether the rows of `table` are the rows `new` selects. An empty table (a first build)
    agrees only with no row: nothing is summed to compare."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 (model name)
    if not cursor.fetchone()[0]:
        cursor.execute(f"SELECT EXISTS ({new})", params)
        return not cursor.fetchone()[0]
    stored = f"SELECT * FROM {table}"  # noqa: S608 (model name)
    return _checksum(cursor, line, new, params) == _checksum(cursor, line, stored, [])
