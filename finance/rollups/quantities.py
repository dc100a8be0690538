"""The in-kind quantities kept over all years: each activity's (ActivityQuantity), summed from
the ledger's lines with a unit, and those summed by the activity's ActivityMoney key (lead
division, agreement, visibility) into InKindQuantity, which the dashboard reads instead of the
lines when it asks for nothing else (finance.quantities).

Written from ActivityMoney, so the lines are those of the activities the roll-ups hold, as the
dashboard's filtered reads of the ledger select them (through ActivityMoney too); every line
with a unit has its activity's ActivityMoney row once the roll-ups are current. A refresh
replaces its activities' rows, then sums again the keys they left or joined from the rows of
the activities in them, not from the ledger's lines of those activities.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.db.models import Q, Sum

from ..models import ContributionKind, EntryType, InKindQuantity, InKindUnit, ValuedBy
from .filters import RollupFilters
from .sql import EVERY_AGREEMENT, RECEIVER_ROLES, placeholders
from .store import lock_activity_tables

# (division id, agreement, is public): the rows of one ActivityMoney key.
QuantityKey = tuple[int, str, bool]

_KEY = "division_id, agreement, is_public"
_SUMS = "received, country_id, unit, quantity, not_valued, lines"
_COLUMNS = f"{_KEY}, {_SUMS}"

# The rows of the activities of the ActivityMoney rows `{where}` selects (alias m): by provider
# country and unit, then the participant-days by receiving country (finance.quantities' sums).
# The lines are read once (a CTE named twice is computed once). Its parameters: the `where`
# parameters, then _ACTIVITY_ROWS_PARAMS.
_ACTIVITY_ROWS = """
WITH line AS (
    SELECT m.activity_id, m.division_id, m.agreement, m.is_public, e.provider_country_id,
           e.unit, e.quantity, e.kind, e.valued_by, e.entry_type
    FROM {money} m JOIN {entry} e ON e.activity_id = m.activity_id AND e.unit <> ''
    WHERE {where}
)
SELECT activity_id, division_id, agreement, is_public, FALSE AS received,
       provider_country_id AS country_id, unit, COALESCE(SUM(quantity), 0) AS quantity,
       SUM(CASE WHEN kind = %s AND valued_by = %s THEN quantity END) AS not_valued,
       COUNT(CASE WHEN kind = %s AND valued_by = %s AND entry_type = %s THEN 1 END) AS lines
FROM line
GROUP BY activity_id, division_id, agreement, is_public, provider_country_id, unit
UNION ALL
SELECT l.activity_id, l.division_id, l.agreement, l.is_public, TRUE, link.country_id, l.unit,
       COALESCE(SUM(l.quantity), 0), NULL, 0
FROM line l
JOIN {country_link} link ON link.activity_id = l.activity_id AND link.role IN (%s, %s)
WHERE l.unit = %s
GROUP BY l.activity_id, l.division_id, l.agreement, l.is_public, link.country_id, l.unit
"""
_NOT_VALUED = [ContributionKind.IN_KIND.value, ValuedBy.NOT_VALUED.value]
ACTIVITY_ROWS_PARAMS = [
    *(*_NOT_VALUED, *_NOT_VALUED, EntryType.ORIGINAL.value),
    *(*RECEIVER_ROLES, InKindUnit.PARTICIPANT_DAYS.value),
]

# The rows of some keys summed from the activities' rows (`{rows}`, alias q): by agreement, or
# (`{agreement}` the constant '') over every agreement.
_SUMMED = """
SELECT q.division_id, {agreement} AS agreement, q.is_public, q.received, q.country_id, q.unit,
       SUM(q.quantity) AS quantity, SUM(q.not_valued) AS not_valued, SUM(q.lines) AS lines
FROM {rows} q
WHERE {where}
GROUP BY q.division_id, q.is_public, q.received, q.country_id, q.unit{by_agreement}
"""
_EVERY = f"'{EVERY_AGREEMENT}'"


def _names(tables: dict[str, str]) -> dict[str, str]:
    return {name: tables[name] for name in ("money", "entry", "country_link")}


def activity_rows_select(tables: dict[str, str]) -> str:
    """Every activity's rows as the ledger gives them (the rebuild's check); its parameters:
    ACTIVITY_ROWS_PARAMS."""
    return _ACTIVITY_ROWS.format(where="1 = 1", **_names(tables))


def summed_select(tables: dict[str, str]) -> str:
    """Every InKindQuantity row as the activities' rows give them (the rebuild's check)."""
    rows = tables["activity_quantity"]
    by_agreement = _SUMMED.format(
        agreement="q.agreement", by_agreement=", q.agreement", rows=rows, where="1 = 1"
    )
    every = _SUMMED.format(agreement=_EVERY, by_agreement="", rows=rows, where="1 = 1")
    return f"{by_agreement} UNION ALL {every}"


# The checksums' lines: no country (a line without one) and no quantity not valued as 0.
ACTIVITY_QUANTITY_LINE = (
    "c.activity_id, c.division_id, c.agreement, c.is_public, c.received, "
    "COALESCE(c.country_id, 0), c.unit, c.quantity, COALESCE(c.not_valued, 0), c.lines"
)
QUANTITY_LINE = (
    "c.division_id, c.agreement, c.is_public, c.received, COALESCE(c.country_id, 0), c.unit, "
    "c.quantity, COALESCE(c.not_valued, 0), c.lines"
)


def _keys_condition(alias: str, keys: list[QuantityKey]) -> tuple[str, list[Any]]:
    clause = f"({alias}.division_id = %s AND {alias}.agreement = %s AND {alias}.is_public = %s)"
    return "(" + " OR ".join([clause] * len(keys)) + ")", [v for key in keys for v in key]


def _pairs_condition(alias: str, pairs: list[tuple[int, bool]]) -> tuple[str, list[Any]]:
    clause = f"({alias}.division_id = %s AND {alias}.is_public = %s)"
    return "(" + " OR ".join([clause] * len(pairs)) + ")", [v for pair in pairs for v in pair]


def _keys_of(cursor: CursorWrapper, rows: str, ids: list[int]) -> set[QuantityKey]:
    cursor.execute(
        f"SELECT DISTINCT {_KEY} FROM {rows} WHERE activity_id IN ({placeholders(ids)})",  # noqa: S608 (model name)
        ids,
    )
    return {(int(d), str(agreement), bool(public)) for d, agreement, public in cursor.fetchall()}


def recompute_quantities(
    cursor: CursorWrapper, tables: dict[str, str], activities: Iterable[int] | None
) -> None:
    """Replace the ActivityQuantity rows of `activities` (None: every activity) from the
    ledger, then sum again the InKindQuantity rows of the keys they left or joined, and those
    over every agreement of their divisions and visibilities. After the ActivityMoney rows:
    the lines are read through them. Under the lock of the activity tables."""
    ids = None if activities is None else sorted(set(activities))
    if ids == []:
        return
    lock_activity_tables(cursor)
    rows, quantity = tables["activity_quantity"], tables["quantity"]
    insert_rows = f"INSERT INTO {rows} (activity_id, {_COLUMNS}) "
    insert_sums = f"INSERT INTO {quantity} ({_COLUMNS}) "
    if ids is None:
        for table in (rows, quantity):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (model name)
        cursor.execute(insert_rows + activity_rows_select(tables), ACTIVITY_ROWS_PARAMS)
        by_agreement = _SUMMED.format(
            agreement="q.agreement", by_agreement=", q.agreement", rows=rows, where="1 = 1"
        )
        cursor.execute(insert_sums + by_agreement)
        every = _SUMMED.format(
            agreement=_EVERY, by_agreement="", rows=quantity, where="q.agreement <> %s"
        )
        cursor.execute(insert_sums + every, [EVERY_AGREEMENT])
        return
    keys: set[QuantityKey] = set()
    # In batches: SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(ids), 10_000):
        batch = ids[start : start + 10_000]
        marks = placeholders(batch)
        keys |= _keys_of(cursor, rows, batch)
        cursor.execute(f"DELETE FROM {rows} WHERE activity_id IN ({marks})", batch)  # noqa: S608
        statement = _ACTIVITY_ROWS.format(where=f"m.activity_id IN ({marks})", **_names(tables))
        cursor.execute(insert_rows + statement, [*batch, *ACTIVITY_ROWS_PARAMS])
        keys |= _keys_of(cursor, rows, batch)
    _resum(cursor, rows, quantity, sorted(keys))


def _resum(cursor: CursorWrapper, rows: str, quantity: str, keys: list[QuantityKey]) -> None:
    """Sum the InKindQuantity rows of these keys again from the activities' rows (`rows`),
    then those over every agreement of their divisions and visibilities."""
    if not keys:
        return
    insert = f"INSERT INTO {quantity} ({_COLUMNS}) "
    stored, params = _keys_condition(quantity, keys)
    cursor.execute(f"DELETE FROM {quantity} WHERE {stored}", params)  # noqa: S608 (model name)
    where, params = _keys_condition("q", keys)
    cursor.execute(
        insert
        + _SUMMED.format(
            agreement="q.agreement", by_agreement=", q.agreement", rows=rows, where=where
        ),
        params,
    )
    pairs = sorted({(division, public) for division, _agreement, public in keys})
    stored, params = _pairs_condition(quantity, pairs)
    cursor.execute(
        f"DELETE FROM {quantity} WHERE agreement = %s AND {stored}",  # noqa: S608 (model name)
        [EVERY_AGREEMENT, *params],
    )
    # From the rows by agreement just summed: fewer than the activities' rows.
    where, params = _pairs_condition("q", pairs)
    every = _SUMMED.format(
        agreement=_EVERY, by_agreement="", rows=quantity, where=f"q.agreement <> %s AND {where}"
    )
    cursor.execute(insert + every, [EVERY_AGREEMENT, *params])


# What one read returns: (received, country id, unit, quantity, quantity not valued, lines).
StoredQuantity = tuple[bool, int | None, str, Any, Any, int]


def stored_quantities(scope: Q, filters: RollupFilters) -> list[StoredQuantity] | None:
    """The selection's quantities summed from InKindQuantity, or None when it cannot answer:
    a year range, or a filter on anything but divisions and agreements."""
    if filters.dimensions() - {"division", "agreement"}:
        return None
    rows = InKindQuantity.objects.filter(scope)
    if filters.agreements:
        rows = rows.filter(agreement__in=filters.agreements)
    else:
        rows = rows.filter(agreement=EVERY_AGREEMENT)
    if filters.divisions:
        rows = rows.filter(division_id__in=filters.divisions)
    return list(
        rows.values("received", "country_id", "unit")
        .annotate(total=Sum("quantity"), not_valued=Sum("not_valued"), count=Sum("lines"))
        .order_by()
        .values_list("received", "country_id", "unit", "total", "not_valued", "count")
    )
