"""Roll-ups: the portfolio's money summed by year, division, country, theme, modality and so on.

Computing (this half of the module): a slice is one fiscal year of one lead division. Refreshing a
slice replaces, in one transaction, its rows of ActivityYearTotal (an activity's money per year,
kind and stage) and of RollupCell (the same money attributed to dimensions, at every grain), so a
rerun, or two overlapping runs, leave the same rows. The work is done by the database in a few
INSERT ... SELECT statements; nothing per row goes through Python. After one activity's edit,
only the cells that activity's money sits in are recomputed (compute_activities).

Attribution without double counting: an activity's money is split over its countries by their
shares (equal when no share is given) and then equally over its themes. The split is done in whole
cents with the largest-remainder rule, so the parts of every amount add up exactly to the amount:
totals by country or by theme equal the portfolio total to the cent.

Reading (the second half): RollupFilters says what the caller asked for, `rollup_rows` picks the
smallest grain that can answer and scopes it to what the user may see, `grouped_totals` pivots the
sums into the figures the dashboard and the API show.
"""

from __future__ import annotations

import datetime
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activities.models import (
    Activity,
    ActivityCountry,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Status,
    Theme,
    Visibility,
)

from . import access
from .figures import FigureSet
from .jobs import queue_rollup_drain_on_commit
from .models import (
    IFAD_KINDS,
    ActivityMoney,
    ActivityPair,
    ActivityYearTotal,
    AllYearsCell,
    ContributionKind,
    FinancialEntry,
    Grain,
    PairCount,
    RollupCell,
    RollupRefresh,
    RollupRun,
    RollupSlice,
    Stage,
)

Slice = tuple[int, int]  # (fiscal year, lead division id)
GroupKey = int | str | None  # a year, a division/country/theme id, or a choice value

# --- computing ------------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "entry": FinancialEntry._meta.db_table,
        "activity": Activity._meta.db_table,
        "country_link": ActivityCountry._meta.db_table,
        "activity_theme": Activity.themes.through._meta.db_table,
        "total": ActivityYearTotal._meta.db_table,
        "cell": RollupCell._meta.db_table,
        "money": ActivityMoney._meta.db_table,
        "pair": ActivityPair._meta.db_table,
        "pair_count": PairCount._meta.db_table,
        "all_years": AllYearsCell._meta.db_table,
    }


def _slice_condition(alias: str, slices: Sequence[Slice] | None) -> tuple[str, list[int]]:
    """SQL restricting `alias` (with year/division_id columns) to the slices; None: every slice."""
    if slices is None:
        return "1 = 1", []
    years = sorted({year for year, _division in slices})
    clauses, params = [], []
    # Grouped by year: one `year = %s AND division_id IN (...)` per year keeps the SQL short.
    for year in years:
        divisions = sorted({division for y, division in slices if y == year})
        marks = ", ".join(["%s"] * len(divisions))
        clauses.append(f"({alias}.year = %s AND {alias}.division_id IN ({marks}))")
        params += [year, *divisions]
    return "(" + " OR ".join(clauses) + ")", params


# PostgreSQL's memory for each sort and hash of a roll-up computation (two run at once in a
# rebuild). Measured on a year of 250,000 cells: 4 MB 4.1-4.5 s, 16 MB 2.9 s, 64 MB 3.4 s.
ROLLUP_WORK_MEM = "16MB"

# The slice is computed into two temporary tables first (the new totals, with a row number for
# an id, and the new cells), then only what differs from the stored rows is deleted and
# inserted: after one edit that is a few rows, where replacing the slice rewrote tens of
# thousands scattered over the table (a second of writes for the largest slices).
NEW_TOTAL, NEW_CELL = "rollup_new_total", "rollup_new_cell"

_NEW_TOTALS = """
CREATE TEMPORARY TABLE {new_total} AS
SELECT ROW_NUMBER() OVER () AS id, sums.* FROM (
    SELECT e.activity_id, e.fiscal_year AS year, a.lead_division_id AS division_id, a.modality,
           a.funding_nature, a.status,
           CASE WHEN a.visibility = %s THEN {true} ELSE {false} END AS is_public, e.kind, e.stage,
           CAST(ROUND(SUM(e.amount_usd) * 100) AS BIGINT) AS amount_cents
    FROM {entry} e JOIN {activity} a ON a.id = e.activity_id
    WHERE {where}
    GROUP BY e.activity_id, e.fiscal_year, a.lead_division_id, a.modality, a.funding_nature,
             a.status, a.visibility, e.kind, e.stage
) AS sums
"""
_TOTAL_COLUMNS = (
    "activity_id, year, division_id, modality, funding_nature, status, is_public, kind, stage, "
    "amount_cents"
)
_CELL_COLUMNS = (
    "grain, year, division_id, country_id, theme_id, modality, funding_nature, status, "
    "is_public, kind, stage, amount_cents"
)
# Equal on every column (a cell's empty country or theme is NULL: COALESCE keeps it hashable,
# where IS NOT DISTINCT FROM would make PostgreSQL compare each row with every other).
_SAME_TOTAL = " AND ".join(f"{{a}}.{c} = {{b}}.{c}" for c in _TOTAL_COLUMNS.split(", "))
_SAME_CELL = " AND ".join(
    f"COALESCE({{a}}.{c}, 0) = COALESCE({{b}}.{c}, 0)"
    if c in ("country_id", "theme_id")
    else f"{{a}}.{c} = {{b}}.{c}"
    for c in _CELL_COLUMNS.split(", ")
)

# The core grain needs no split: it is the totals summed over activities.
_INSERT_CORE = """
INSERT INTO {cell} (grain, year, division_id, country_id, theme_id, modality, funding_nature,
                    status, is_public, kind, stage, amount_cents)
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, t.funding_nature, t.status, t.is_public,
       t.kind, t.stage, SUM(t.amount_cents)
FROM {total} t
WHERE {where}
GROUP BY t.year, t.division_id, t.modality, t.funding_nature, t.status, t.is_public, t.kind, t.stage
"""

# Each total is split into parts (country x theme). A country's weight is its share in hundredths
# of a percent, or 1 each when shares are left empty; a theme's is 1. Integer arithmetic: each part
# gets floor(|cents| * weight / weight_sum), and the cents left over go one each to the parts with
# the largest remainders, so the parts add up exactly. The parts, summed, are the full grain.
# With |cents| = q * weight_sum + r, that floor is q * weight + floor(r * weight / weight_sum):
# computed so, no intermediate exceeds |cents| (|cents| * weight overflowed bigint for totals of
# a few hundred billion US$ split by shares).
_SPLIT = """
WITH t AS (
    SELECT t.id, t.activity_id, t.year, t.division_id, t.modality, t.funding_nature, t.status,
           t.is_public, t.kind, t.stage, t.amount_cents
    FROM {total} t WHERE {where}
),
acts AS (SELECT DISTINCT activity_id FROM t),
countries AS (
    SELECT cl.activity_id, cl.country_id,
           COALESCE(CAST(ROUND(cl.share * 100) AS BIGINT), 1) AS weight
    FROM {country_link} cl JOIN acts ON acts.activity_id = cl.activity_id
    UNION ALL
    SELECT acts.activity_id, NULL, 1 FROM acts
    WHERE NOT EXISTS (SELECT 1 FROM {country_link} cl WHERE cl.activity_id = acts.activity_id)
),
themes AS (
    SELECT at.activity_id, at.theme_id
    FROM {activity_theme} at JOIN acts ON acts.activity_id = at.activity_id
    UNION ALL
    SELECT acts.activity_id, NULL FROM acts
    WHERE NOT EXISTS (SELECT 1 FROM {activity_theme} at WHERE at.activity_id = acts.activity_id)
),
parts AS (
    SELECT c.activity_id, c.country_id, th.theme_id, c.weight,
           CAST(SUM(c.weight) OVER (PARTITION BY c.activity_id) AS BIGINT) AS weight_sum
    FROM countries c JOIN themes th ON th.activity_id = c.activity_id
),
split AS (
    SELECT t.id AS total_id, t.year, t.division_id, t.modality, t.funding_nature, t.status,
           t.is_public, t.kind, t.stage, t.amount_cents, p.country_id, p.theme_id,
           (ABS(t.amount_cents) / p.weight_sum) * p.weight
           + (ABS(t.amount_cents) %% p.weight_sum) * p.weight / p.weight_sum AS base,
           ((ABS(t.amount_cents) %% p.weight_sum) * p.weight) %% p.weight_sum AS remainder
    FROM t JOIN parts p ON p.activity_id = t.activity_id
),
ranked AS (
    SELECT split.*,
           ABS(amount_cents) - SUM(base) OVER (PARTITION BY total_id) AS left_over,
           ROW_NUMBER() OVER (
               PARTITION BY total_id ORDER BY remainder DESC, country_id, theme_id
           ) AS place
    FROM split
)
SELECT year, division_id, country_id, theme_id, modality, funding_nature, status, is_public,
       kind, stage,
       (CASE WHEN amount_cents < 0 THEN -1 ELSE 1 END)
       * (base + CASE WHEN place <= left_over THEN 1 ELSE 0 END) AS cents
FROM ranked
"""

_INSERT_FULL = (
    """
INSERT INTO {cell} (grain, year, division_id, country_id, theme_id, modality, funding_nature,
                    status, is_public, kind, stage, amount_cents)
SELECT %s, year, division_id, country_id, theme_id, modality, funding_nature, status,
       is_public, kind, stage, SUM(cents)
FROM ("""
    + _SPLIT
    + """) AS parts
GROUP BY year, division_id, country_id, theme_id, modality, funding_nature, status, is_public,
         kind, stage
"""
)

# The coarse grains are cells of a finer grain summed again, in SQL: the country and theme
# grains from the full grain (the split is computed once per slice and the ledger is not read a
# second time), the modality grain from the core grain.
_INSERT_COARSE = """
INSERT INTO {into} (grain, year, division_id, country_id, theme_id, modality, funding_nature,
                    status, is_public, kind, stage, amount_cents)
SELECT %s, c.year, c.division_id, {country}, {theme}, {modality}, '', '', c.is_public, c.kind,
       c.stage, SUM(c.amount_cents)
FROM {cell} c
WHERE c.grain = %s AND {where}
GROUP BY c.year, c.division_id, {group}, c.is_public, c.kind, c.stage
"""


@dataclass(frozen=True)
class _Coarse:
    source: Grain
    kept: str  # the one dimension the coarse grain keeps beside year and division

    def insert(self, into: str, cell: str, where: str) -> str:
        kept = {"country": "NULL", "theme": "NULL", "modality": "''"}
        kept[self.kept] = f"c.{self.kept}_id" if self.kept != "modality" else "c.modality"
        return _INSERT_COARSE.format(
            into=into, cell=cell, where=where, group=kept[self.kept], **kept
        )


_COARSE = {
    Grain.COUNTRY: _Coarse(Grain.FULL, "country"),
    Grain.THEME: _Coarse(Grain.FULL, "theme"),
    Grain.MODALITY: _Coarse(Grain.CORE, "modality"),
}


def _insert_coarse(
    cursor: CursorWrapper,
    into: str,
    source: str,
    where: str,
    params: Sequence[int | str],
    grains: Iterable[Grain] = tuple(_COARSE),
) -> None:
    """Sum the cells of `source` (those `where` selects, alias c) into the coarse grains'
    cells, written to `into`."""
    for grain in grains:
        coarse = _COARSE[grain]
        cursor.execute(
            coarse.insert(into, source, where), [grain.value, coarse.source.value, *params]
        )


@transaction.atomic
def compute_slices(
    slices: Sequence[Slice] | None, *, verify_first: bool = False, activity_money: bool = True
) -> bool:
    """Recompute the given slices (None: every slice, the whole portfolio) from the ledger;
    return whether any stored row had to change.

    A slice with no entries left simply ends up with no rows. Roll-up writes to the same year
    are serialized (_lock_rollups), so two refreshes of the same slice run one after the other
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

    def _present() -> set[int]:
        # Every activity of the slices: its countries may have changed with no money moving
        # (an import), and who shares with whom follows them.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT activity_id FROM {NEW_TOTAL}")  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    tables = _tables()
    _lock_rollups(None if slices is None else [year for year, _division in slices])
    sql_true, sql_false = ("TRUE", "FALSE") if connection.vendor == "postgresql" else ("1", "0")
    work = {**tables, "total": NEW_TOTAL, "cell": NEW_CELL, "new_total": NEW_TOTAL}
    fmt = {**work, "true": sql_true, "false": sql_false}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A year's split is sorted and grouped in a few hundred thousand rows: with the
            # default 4 MB each sort spills to disk (a third slower). Until the transaction ends.
            cursor.execute(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")
        _drop_work_tables(cursor)
        # Entries are filtered through their activity's division, so the condition is spelled out.
        if slices is None:
            where_entry, entry_params = "1 = 1", list[int]()
        else:
            where_entry, entry_params = _slice_condition("x", slices)
            where_entry = where_entry.replace("x.year", "e.fiscal_year").replace(
                "x.division_id", "a.lead_division_id"
            )
        cursor.execute(
            _NEW_TOTALS.format(where=where_entry, **fmt), [Visibility.PUBLIC.value, *entry_params]
        )
        changed = not (
            verify_first
            and connection.vendor == "postgresql"
            and _stored_rows_match(cursor, tables, fmt, slices)
        )
        if changed:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {NEW_CELL} AS SELECT * FROM {tables['cell']} WHERE 1 = 0"  # noqa: S608
            )
            # The work tables hold the slices only: no condition needed when reading them.
            cursor.execute(_INSERT_CORE.format(where="1 = 1", **fmt), [Grain.CORE.value])
            cursor.execute(_INSERT_FULL.format(where="1 = 1", **fmt), [Grain.FULL.value])
            _insert_coarse(cursor, NEW_CELL, NEW_CELL, "1 = 1", [])
            moved = _apply_differences(cursor, tables, slices)
            if activity_money:
                _recompute_activity_money(cursor, tables, None if slices is None else moved)
                _recompute_pairs(cursor, tables, None if slices is None else moved | _present())
                _recompute_all_years(
                    cursor, tables, None if slices is None else {d for _y, d in slices}
                )
        _drop_work_tables(cursor)

    if slices is None:
        RollupSlice.objects.all().delete()
        _mark_computed(_all_slices())
    else:
        _mark_computed(set(slices))
    return changed


def _mark_computed(slices: set[Slice]) -> None:
    """Record that the slices' figures are as of now (the dashboard's "figures as of")."""
    RollupSlice.objects.filter(_slice_q(slices, division_field="division_id")).delete()
    now = timezone.now()
    RollupSlice.objects.bulk_create(
        [RollupSlice(year=y, division_id=d, computed_at=now) for y, d in sorted(slices)]
    )


# The dimensions an activity's total shares with the cells of the full and core grains it is
# summed into: a sub-slice. An activity's money is in no cell outside its totals' sub-slices.
_SUBSLICE_COLUMNS = "year, division_id, modality, funding_nature, status, is_public"
Subslice = tuple[int, int, str, str, str, bool]


def _subslice_condition(alias: str, subslices: Sequence[Subslice]) -> tuple[str, list[int | str]]:
    """SQL selecting the rows of these sub-slices, each spelled out: PostgreSQL reads each one
    through the tables' slice indexes, which lead with these columns."""
    one = " AND ".join(f"{alias}.{column} = %s" for column in _SUBSLICE_COLUMNS.split(", "))
    params: list[int | str] = []
    for subslice in subslices:
        params += subslice
    return "(" + " OR ".join([f"({one})"] * len(subslices)) + ")", params


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


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

    What one edit costs then depends on the edit, not on the size of its slice (a slice is up
    to 65,000 cells at a million entries; the sub-slices of one activity a few hundred):

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
    _lock_rollups(year_list)
    tables = _tables()
    cell, total = tables["cell"], tables["total"]
    sql_true, sql_false = ("TRUE", "FALSE") if connection.vendor == "postgresql" else ("1", "0")
    fmt = {**tables, "cell": NEW_CELL, "new_total": NEW_TOTAL, "true": sql_true, "false": sql_false}
    ours = f"activity_id IN ({_marks(ids)}) AND {{a}}.year IN ({_marks(year_list)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{ROLLUP_WORK_MEM}'")
        _drop_work_tables(cursor)
        entries = f"e.activity_id IN ({_marks(ids)}) AND e.fiscal_year IN ({_marks(year_list)})"
        cursor.execute(
            _NEW_TOTALS.format(where=entries, **fmt), [Visibility.PUBLIC.value, *ids, *year_list]
        )
        cursor.execute(
            f"SELECT {_SUBSLICE_COLUMNS} FROM {total} t WHERE t.{ours.format(a='t')} "  # noqa: S608
            f"UNION SELECT {_SUBSLICE_COLUMNS} FROM {NEW_TOTAL}",
            [*ids, *year_list],
        )
        subslices: list[Subslice] = sorted(
            (int(y), int(d), mod, nature, status, bool(public))
            for y, d, mod, nature, status, public in cursor.fetchall()
        )
        if not subslices:  # no money in these years, before or now
            _drop_work_tables(cursor)
            return set()
        of_totals, totals_params = _subslice_condition("t", subslices)

        def our_totals(alias: str) -> tuple[str, list[int | str]]:
            return f"{alias}.{ours.format(a=alias)}", [*ids, *year_list]

        def in_subslices(alias: str) -> tuple[str, list[int | str]]:
            where, params = _subslice_condition(alias, subslices)
            grains = [Grain.CORE.value, Grain.FULL.value]
            return f"{alias}.grain IN (%s, %s) AND {where}", [*grains, *params]

        with _hash_joins_only(cursor):
            moved = _replace_rows(
                cursor, total, NEW_TOTAL, _TOTAL_COLUMNS, _SAME_TOTAL, our_totals,
                returning="activity_id",
            )  # fmt: skip
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW_CELL} AS SELECT * FROM {cell} WHERE 1 = 0")  # noqa: S608
        from_stored = {**fmt, "total": total}
        for statement, grain in ((_INSERT_CORE, Grain.CORE), (_INSERT_FULL, Grain.FULL)):
            cursor.execute(
                statement.format(where=of_totals, **from_stored), [grain.value, *totals_params]
            )
        with _hash_joins_only(cursor):
            changed = _replace_rows(
                cursor, cell, NEW_CELL, _CELL_COLUMNS, _SAME_CELL, in_subslices,
                returning="grain, year, division_id, country_id, theme_id",
            )  # fmt: skip
            full = [row[1:] for row in changed if row[0] == Grain.FULL.value]
            _resum_coarse_cells(cursor, cell, full)
            _resum_modality_cells(cursor, cell, subslices)
        _recompute_all_years(cursor, tables, {int(row[1]) for row in full})
        _recompute_activity_money(cursor, tables, {row[0] for row in moved})
        # Their countries or roles may have changed with no money moving.
        _recompute_pairs(cursor, tables, ids)
        _drop_work_tables(cursor)
    slices = {(year, division) for year, division, *_dimensions in subslices}
    _mark_computed(slices)
    return slices


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
        where, params = _keys_condition("c", column, keys)
        _insert_coarse(cursor, NEW_CELL, cell, where, params, grains=[grain])
        _replace_rows(
            cursor, cell, NEW_CELL, _CELL_COLUMNS, _SAME_CELL,
            partial(_grain_keys_condition, grain=grain, column=column, keys=keys),
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
    _insert_coarse(cursor, NEW_CELL, cell, *of_keys("c"), grains=[Grain.MODALITY])
    _replace_rows(cursor, cell, NEW_CELL, _CELL_COLUMNS, _SAME_CELL, modality_cells)


def _keys_condition(
    alias: str, column: str, keys: dict[tuple[int, int], set[int]]
) -> tuple[str, list[int | str]]:
    """SQL selecting the rows of these (year, division) with these values of `column` (0 for
    none), grouped by year and division to keep it short."""
    clauses, params = [], list[int | str]()
    for (year, division), values in sorted(keys.items()):
        ids = sorted(values - {0})
        # Spelled without COALESCE, so that the cells' country and theme indexes can answer.
        either = [f"{alias}.{column} IN ({_marks(ids)})"] if ids else []
        if 0 in values:
            either.append(f"{alias}.{column} IS NULL")
        clauses.append(
            f"({alias}.year = %s AND {alias}.division_id = %s AND ({' OR '.join(either)}))"
        )
        params += [year, division, *ids]
    return "(" + " OR ".join(clauses) + ")", params


def _grain_keys_condition(
    alias: str, *, grain: Grain, column: str, keys: dict[tuple[int, int], set[int]]
) -> tuple[str, list[int | str]]:
    where, params = _keys_condition(alias, column, keys)
    return f"{alias}.grain = %s AND {where}", [grain.value, *params]


# A checksum of a set of rows whatever their order: the count and the sum of a 64-bit hash of
# each row's text, summed as numeric so nothing overflows. Two sets that differ by any row or
# amount agree on both by a 2^-64 chance.
_CHECKSUM = """
SELECT COUNT(*), COALESCE(SUM(hashtextextended(concat_ws('|', {columns}), 0)::numeric), 0)
FROM ({rows}) AS c
"""
_TOTAL_LINE = ", ".join(f"c.{c}" for c in _TOTAL_COLUMNS.split(", "))
_CELL_LINE = ", ".join(
    f"COALESCE(c.{c}, 0)" if c in ("country_id", "theme_id") else f"c.{c}"
    for c in _CELL_COLUMNS.split(", ")
)

# Every grain's cells of the work totals, as the compute steps would write them (the core and
# modality grains from the totals, the full grain from the split, the country and theme grains
# from the full grain), for the checksum only: nothing is written. The full grain is grouped
# once and kept (MATERIALIZED) for the two coarser groupings, which then read its cells instead
# of the parts (GROUPING SETS over the parts sorted them again for each grain: twice the time).
_NEW_CELLS = (
    """
WITH parts AS ("""  # noqa: S608 (model names only; the values are parameters)
    + _SPLIT
    + """),
full_cells AS MATERIALIZED (
    SELECT year, division_id, country_id, theme_id, modality, funding_nature, status, is_public,
           kind, stage, SUM(cents) AS amount_cents
    FROM parts
    GROUP BY year, division_id, country_id, theme_id, modality, funding_nature, status,
             is_public, kind, stage
)
SELECT %s AS grain, f.* FROM full_cells AS f
UNION ALL
SELECT %s, f.year, f.division_id, f.country_id, NULL, '', '', '', f.is_public, f.kind, f.stage,
       SUM(f.amount_cents)
FROM full_cells f
GROUP BY f.year, f.division_id, f.country_id, f.is_public, f.kind, f.stage
UNION ALL
SELECT %s, f.year, f.division_id, NULL, f.theme_id, '', '', '', f.is_public, f.kind, f.stage,
       SUM(f.amount_cents)
FROM full_cells f
GROUP BY f.year, f.division_id, f.theme_id, f.is_public, f.kind, f.stage
UNION ALL
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, t.funding_nature, t.status, t.is_public,
       t.kind, t.stage, SUM(t.amount_cents)
FROM {total} t
GROUP BY t.year, t.division_id, t.modality, t.funding_nature, t.status, t.is_public, t.kind, t.stage
UNION ALL
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, '', '', t.is_public, t.kind, t.stage,
       SUM(t.amount_cents)
FROM {total} t
GROUP BY t.year, t.division_id, t.modality, t.is_public, t.kind, t.stage
"""
)


def _checksum(
    cursor: CursorWrapper, columns: str, rows: str, params: Sequence[int | str]
) -> tuple[int, int]:
    cursor.execute(_CHECKSUM.format(columns=columns, rows=rows), params)
    count, hashed = cursor.fetchone()
    return int(count), int(hashed)


def _stored_rows_match(
    cursor: CursorWrapper,
    tables: dict[str, str],
    fmt: dict[str, str],
    slices: Sequence[Slice] | None,
) -> bool:
    """Whether the stored totals and cells of the slices equal what the work totals give.

    The totals are compared first (a few hundred thousand rows at most): when they differ, the
    split is not computed here at all. The cells' index leads with the grain, hence the grains
    named in the condition.
    """

    where, params = _slice_condition("s", slices)
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
        _NEW_CELLS.format(where="1 = 1", **fmt),
        [*(g.value for g in (Grain.FULL, Grain.COUNTRY, Grain.THEME, Grain.CORE, Grain.MODALITY))],
    )
    return new_cells == stored_cells


def _drop_work_tables(cursor: CursorWrapper) -> None:
    for table in (NEW_TOTAL, NEW_CELL):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


# An activity's dimensions are the same on all its totals once its slices are refreshed (an
# edit that changes one requests every year of the activity); MAX picks one meanwhile.
_ACTIVITY_MONEY = """
INSERT INTO {money} (activity_id, division_id, modality, funding_nature, status, is_public,
                     ifad_cents, cofinancing_cents, in_kind_cents, total_cents)
SELECT t.activity_id, MAX(t.division_id) AS division_id, MAX(t.modality) AS modality,
       MAX(t.funding_nature) AS funding_nature, MAX(t.status) AS status,
       MAX(CASE WHEN t.is_public THEN 1 ELSE 0 END) = 1 AS is_public,
       SUM(CASE WHEN t.stage = %s AND t.kind IN ({ifad}) THEN t.amount_cents ELSE 0 END)
           AS ifad_cents,
       SUM(CASE WHEN t.stage = %s AND t.kind = %s THEN t.amount_cents ELSE 0 END)
           AS cofinancing_cents,
       SUM(CASE WHEN t.stage = %s AND t.kind = %s THEN t.amount_cents ELSE 0 END) AS in_kind_cents,
       SUM(CASE WHEN t.stage = %s THEN t.amount_cents ELSE 0 END) AS total_cents
FROM {total} t
WHERE {where}
GROUP BY t.activity_id
"""
# Any number, the same in every process: the lock on ActivityMoney's rows (an activity's row
# sums all its years, which writers of different years could otherwise both replace).
_MONEY_LOCK_KEY = 480_911_320


def _recompute_activity_money(
    cursor: CursorWrapper, tables: dict[str, str], activities: Iterable[int] | None
) -> None:
    """Replace the ActivityMoney rows of `activities` (None: every activity) with their totals
    summed over all years."""
    ids = None if activities is None else sorted(activities)
    if ids == []:
        return
    money = tables["money"]
    kinds = sorted(IFAD_KINDS)
    statement = _ACTIVITY_MONEY.format(
        money=money, total=tables["total"], where="{where}", ifad=", ".join(["%s"] * len(kinds))
    )
    _replace_activity_rows(cursor, money, statement, _money_sums(kinds), "t", ids)


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
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_MONEY_LOCK_KEY])
    if ids is None:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (model name)
        cursor.execute(statement.format(where="1 = 1"), params)
        return
    # In batches: SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(ids), 10_000):
        batch = ids[start : start + 10_000]
        marks = _marks(batch)
        cursor.execute(f"DELETE FROM {table} WHERE activity_id IN ({marks})", batch)  # noqa: S608
        cursor.execute(
            statement.format(where=f"{alias}.activity_id IN ({marks})"), [*params, *batch]
        )


# Who shares with whom: a provider is a country whose role is provider or both, a receiver one
# whose role is receiver or both, and an activity links each provider to each other receiver.
PROVIDER_ROLES = (CountryRole.PROVIDER.value, CountryRole.BOTH.value)
RECEIVER_ROLES = (CountryRole.RECEIVER.value, CountryRole.BOTH.value)

_ACTIVITY_PAIRS = """
INSERT INTO {pair} (activity_id, provider_id, receiver_id, division_id, modality, funding_nature,
                    status, is_public)
SELECT m.activity_id, p.country_id AS provider_id, r.country_id AS receiver_id, m.division_id,
       m.modality, m.funding_nature, m.status, m.is_public
FROM {money} m
JOIN {country_link} p ON p.activity_id = m.activity_id
JOIN {country_link} r ON r.activity_id = m.activity_id AND r.country_id <> p.country_id
WHERE p.role IN (%s, %s) AND r.role IN (%s, %s) AND {where}
"""
_PAIR_LINE = (
    "c.activity_id, c.provider_id, c.receiver_id, c.division_id, c.modality, "
    "c.funding_nature, c.status, c.is_public"
)


def _recompute_pairs(
    cursor: CursorWrapper, tables: dict[str, str], activities: Iterable[int] | None
) -> None:
    """Replace the ActivityPair rows of `activities` (None: every activity) from their current
    countries and their ActivityMoney rows (recomputed first: the pairs copy their dimensions)."""
    ids = None if activities is None else sorted(set(activities))
    if ids == []:
        return
    pair = tables["pair"]
    statement = _ACTIVITY_PAIRS.format(
        pair=pair, money=tables["money"], country_link=tables["country_link"], where="{where}"
    )
    roles = [*PROVIDER_ROLES, *RECEIVER_ROLES]
    if ids is None:
        _replace_activity_rows(cursor, pair, statement, roles, "m", None)
        _recount_pairs(cursor, tables, None)
        return
    # The counts of the keys the activities' pairs leave and of those they join.
    before = _pair_keys(cursor, pair, ids)
    _replace_activity_rows(cursor, pair, statement, roles, "m", ids)
    _recount_pairs(cursor, tables, before | _pair_keys(cursor, pair, ids))


_PAIR_KEY = "provider_id, receiver_id, division_id, is_public"
PairKey = tuple[int, int, int, bool]
_PAIR_COUNTS = """
INSERT INTO {count} (provider_id, receiver_id, division_id, is_public, activities)
SELECT provider_id, receiver_id, division_id, is_public, COUNT(*) AS activities
FROM {pair}
WHERE {where}
GROUP BY provider_id, receiver_id, division_id, is_public
"""


def _pair_keys(cursor: CursorWrapper, pair: str, ids: list[int]) -> set[PairKey]:
    keys: set[PairKey] = set()
    for start in range(0, len(ids), 10_000):
        batch = ids[start : start + 10_000]
        cursor.execute(
            f"SELECT DISTINCT {_PAIR_KEY} FROM {pair} WHERE activity_id IN ({_marks(batch)})",  # noqa: S608 (model name)
            batch,
        )
        keys.update((p, r, d, bool(public)) for p, r, d, public in cursor.fetchall())
    return keys


def _recount_pairs(
    cursor: CursorWrapper, tables: dict[str, str], keys: set[PairKey] | None
) -> None:
    """Count the pairs of `keys` (None: every key) again into PairCount. Called under the lock
    of the activity tables, which _replace_activity_rows took."""
    count, pair = tables["pair_count"], tables["pair"]
    if keys is None:
        cursor.execute(f"DELETE FROM {count}")  # noqa: S608 (model name)
        cursor.execute(_PAIR_COUNTS.format(count=count, pair=pair, where="1 = 1"))
        return
    ordered = sorted(keys)
    # 4 parameters a key: SQLite takes at most 32,766 in a statement.
    for start in range(0, len(ordered), 5_000):
        batch = ordered[start : start + 5_000]
        where = f"({_PAIR_KEY}) IN (VALUES {', '.join(['(%s, %s, %s, %s)'] * len(batch))})"
        params = [value for key in batch for value in key]
        cursor.execute(f"DELETE FROM {count} WHERE {where}", params)  # noqa: S608 (model name)
        cursor.execute(_PAIR_COUNTS.format(count=count, pair=pair, where=where), params)


# The country and theme grains summed over every year (AllYearsCell).
_ALL_YEARS = """
INSERT INTO {all_years} (grain, division_id, country_id, theme_id, is_public, kind, stage,
                         amount_cents)
SELECT c.grain, c.division_id, c.country_id, c.theme_id, c.is_public, c.kind, c.stage,
       SUM(c.amount_cents) AS amount_cents
FROM {cell} c
WHERE c.grain IN (%s, %s) AND {where}
GROUP BY c.grain, c.division_id, c.country_id, c.theme_id, c.is_public, c.kind, c.stage
"""
_ALL_YEARS_GRAINS = [Grain.COUNTRY.value, Grain.THEME.value]
_ALL_YEARS_LINE = (
    "c.grain, c.division_id, c.country_id, c.theme_id, c.is_public, c.kind, c.stage, c.amount_cents"
)
_ALL_YEARS_LOCK_KEY = 480_911_321


def _recompute_all_years(
    cursor: CursorWrapper, tables: dict[str, str], divisions: set[int] | None
) -> None:
    """Sum the country and theme cells of these divisions (None: every division) over all
    years again into AllYearsCell. A division's rows sum its cells of every year, which
    refreshes of different years could otherwise both replace: under a lock of their own,
    taken here and held until the transaction ends, each sum reads what the other committed."""
    if divisions is not None and not divisions:
        return
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ALL_YEARS_LOCK_KEY])
    all_years, cell = tables["all_years"], tables["cell"]
    if divisions is None:
        cursor.execute(f"DELETE FROM {all_years}")  # noqa: S608 (model name)
        where, params = "1 = 1", list[int]()
    else:
        ids = sorted(divisions)
        where, params = f"c.division_id IN ({_marks(ids)})", ids
        cursor.execute(
            f"DELETE FROM {all_years} WHERE division_id IN ({_marks(ids)})",  # noqa: S608
            ids,
        )
    cursor.execute(
        _ALL_YEARS.format(all_years=all_years, cell=cell, where=where),
        [*_ALL_YEARS_GRAINS, *params],
    )


_COUNT_LINE = "c.provider_id, c.receiver_id, c.division_id, c.is_public, c.activities"
_MONEY_LINE = (
    "c.activity_id, c.division_id, c.modality, c.funding_nature, c.status, c.is_public, "
    "c.ifad_cents, c.cofinancing_cents, c.in_kind_cents, c.total_cents"
)


@transaction.atomic
def recompute_all_activity_money() -> bool:
    """Every ActivityMoney row from the stored totals, every ActivityPair row from them and
    the countries, the PairCount rows from the pairs and the AllYearsCell rows from the cells:
    the last step of a full rebuild; return whether any row had to change. On
    PostgreSQL the rows are compared (by checksum) before they are rewritten, as the rebuild's
    years are."""
    _lock_rollups(None)
    tables = _tables()
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            _recompute_activity_money(cursor, tables, None)
            _recompute_pairs(cursor, tables, None)
            _recompute_all_years(cursor, tables, None)
            return True
        # Each INSERT's SELECT, read alone: what the rows would be.
        select = _ACTIVITY_MONEY[_ACTIVITY_MONEY.index("SELECT") :]
        kinds = sorted(IFAD_KINDS)
        new = select.format(
            total=tables["total"], where="1 = 1", ifad=", ".join(["%s"] * len(kinds))
        )
        stored = f"SELECT * FROM {tables['money']}"  # noqa: S608 (model name)
        money_right = _checksum(cursor, _MONEY_LINE, new, _money_sums(kinds)) == _checksum(
            cursor, _MONEY_LINE, stored, []
        )
        if not money_right:
            _recompute_activity_money(cursor, tables, None)
        select = _ACTIVITY_PAIRS[_ACTIVITY_PAIRS.index("SELECT") :]
        new = select.format(
            money=tables["money"], country_link=tables["country_link"], where="1 = 1"
        )
        stored = f"SELECT * FROM {tables['pair']}"  # noqa: S608 (model name)
        roles = [*PROVIDER_ROLES, *RECEIVER_ROLES]
        pairs_right = _checksum(cursor, _PAIR_LINE, new, roles) == _checksum(
            cursor, _PAIR_LINE, stored, []
        )
        if not pairs_right:
            _recompute_pairs(cursor, tables, None)
        else:
            # The pairs are right; their counts are checked alone.
            select = _PAIR_COUNTS[_PAIR_COUNTS.index("SELECT") :]
            new = select.format(pair=tables["pair"], where="1 = 1")
            stored = f"SELECT * FROM {tables['pair_count']}"  # noqa: S608 (model name)
            counts_right = _checksum(cursor, _COUNT_LINE, new, []) == _checksum(
                cursor, _COUNT_LINE, stored, []
            )
            if not counts_right:
                _recount_pairs(cursor, tables, None)
            pairs_right = counts_right
        select = _ALL_YEARS[_ALL_YEARS.index("SELECT") :]
        new = select.format(cell=tables["cell"], where="1 = 1")
        stored = f"SELECT * FROM {tables['all_years']}"  # noqa: S608 (model name)
        all_years_right = _checksum(cursor, _ALL_YEARS_LINE, new, _ALL_YEARS_GRAINS) == _checksum(
            cursor, _ALL_YEARS_LINE, stored, []
        )
        if not all_years_right:
            _recompute_all_years(cursor, tables, None)
    return not (money_right and pairs_right and all_years_right)


def _money_sums(kinds: Sequence[str]) -> list[int | str]:
    """The parameters of _ACTIVITY_MONEY's sums, in their order."""
    return [
        Stage.ALLOCATED.value,
        *kinds,
        Stage.ALLOCATED.value,
        ContributionKind.COFINANCING.value,
        Stage.ALLOCATED.value,
        ContributionKind.IN_KIND.value,
        Stage.ALLOCATED.value,
    ]


def _apply_differences(
    cursor: CursorWrapper, tables: dict[str, str], slices: Sequence[Slice] | None
) -> set[int]:
    """Make the stored rows of the slices equal to the work tables, touching only the rows that
    differ (see _replace_rows). Return the activities whose totals changed."""

    def in_slices(alias: str) -> tuple[str, list[int | str]]:
        where, params = _slice_condition(alias, slices)
        return where, [*params]

    def cells_in_slices(alias: str) -> tuple[str, list[int | str]]:
        # The cells' index leads with the grain: naming every grain lets PostgreSQL read the
        # slice through it instead of scanning the whole table.
        where, params = _slice_condition(alias, slices)
        marks = ", ".join(["%s"] * len(Grain.values))
        return f"{alias}.grain IN ({marks}) AND {where}", [*Grain.values, *params]

    with _hash_joins_only(cursor):
        moved = _replace_rows(
            cursor, tables["total"], NEW_TOTAL, _TOTAL_COLUMNS, _SAME_TOTAL, in_slices,
            returning="activity_id",
        )  # fmt: skip
        _replace_rows(cursor, tables["cell"], NEW_CELL, _CELL_COLUMNS, _SAME_CELL, cells_in_slices)
    return {row[0] for row in moved}


@contextmanager
def _hash_joins_only(cursor: CursorWrapper) -> Iterator[None]:
    """Each comparison of _replace_rows must be a hash anti-join. The planner has no statistics
    for the temporary tables and guesses them tiny: it chose a nested loop (five minutes for one
    slice), then a merge join on the grain alone (16 s: every cell of a grain compared with
    every other), where hashing takes a tenth of a second. Both are refused meanwhile."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
    yield
    if postgresql:
        cursor.execute("RESET enable_nestloop")
        cursor.execute("RESET enable_mergejoin")


Restriction = Callable[[str], tuple[str, list[int | str]]]


def _replace_rows(
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


def _lock_rollups(years: Iterable[int] | None) -> None:
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


def _slice_q(slices: Iterable[Slice], *, division_field: str = "division_id") -> Q:
    query = Q(pk__in=[])
    for year, division in slices:
        query |= Q(year=year, **{division_field: division})
    return query


def _all_slices() -> set[Slice]:
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
            RollupRefresh.objects.filter(_slice_q(slices)).values_list(
                "pk", "year", "division_id", "activity_key"
            )
        )
        whole, activities, years = _plan_drain(requests)
        if activities:
            years = activity_years(activities, years)
        # Every year at once, in order, before any is written: see _lock_rollups.
        _lock_rollups({year for year, _division in whole} | years)
        if whole:
            compute_slices(sorted(whole))
        if activities:
            compute_activities(activities, years)
        _delete_requests([request[0] for request in requests])
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


def _delete_requests(ids: list[int]) -> None:
    for start in range(0, len(ids), 10_000):
        RollupRefresh.objects.filter(pk__in=ids[start : start + 10_000]).delete()


@dataclass(frozen=True)
class YearComputed:
    """Progress of a full rebuild, reported after each fiscal year."""

    year: int
    done: int
    total: int
    seconds: float
    changed: bool = True  # False: the stored rows were found right and left as they were


# PostgreSQL advisory lock keys: (this class, RollupRun id) is held by the process running that
# rebuild, for as long as it runs. PostgreSQL releases it when the process's connection closes,
# so a free lock on a RUNNING rebuild means its worker died (kill -9, OOM, lost machine).
_RUN_LOCK_CLASS = 480_911_318


def _try_claim_run(run_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK_CLASS, run_id])
        return bool(cursor.fetchone()[0])


def _release_run(run_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK_CLASS, run_id])


def rebuild_is_alive(run: RollupRun) -> bool:
    """Whether some process is running this rebuild now (always assumed off PostgreSQL)."""
    if run.state != RollupRun.State.RUNNING:
        return False
    if connection.vendor != "postgresql":
        return True
    if not _try_claim_run(run.pk):
        return True
    _release_run(run.pk)
    return False


def rebuild_all(
    run: RollupRun | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    on_year: Callable[[YearComputed], None] | None = None,
) -> RollupRun:
    """Recompute every slice, one fiscal year at a time (rebuild_workers() years at once),
    recording progress on `run`. Years whose stored rows are already right are left as they are.

    A year is one transaction: a rebuild killed halfway keeps the years it finished, and running
    it again from the start gives the same rows (each year's rows are replaced, not added to).
    A run already finished, or being run by another process, is returned as it is: a task
    delivered twice does the work once.
    """
    run = run or RollupRun.objects.create()
    if not _try_claim_run(run.pk):
        run.refresh_from_db()
        return run
    try:
        run.refresh_from_db()
        if run.state == RollupRun.State.DONE:
            return run
        _rebuild(run, progress, on_year)
    finally:
        _release_run(run.pk)
    run.refresh_from_db()
    return run


def rebuild_workers() -> int:
    """How many fiscal years a rebuild computes at once, each on its own database connection.

    Two on PostgreSQL by default (settings.ROLLUP_REBUILD_WORKERS): a year's computation is one
    large statement PostgreSQL runs on one core, so a second connection puts the second core to
    work. One on SQLite, which takes one writer at a time, and inside a transaction, whose
    uncommitted rows other connections could not see.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, settings.ROLLUP_REBUILD_WORKERS)


def _years_largest_first(years: Iterable[int]) -> list[int]:
    """The years by number of ledger entries, largest first: when the workers take them in this
    order, the last year to finish is a small one and no worker waits long for the other."""
    sizes = dict(
        FinancialEntry.objects.values_list("fiscal_year")
        .annotate(entries=models.Count("pk"))
        .order_by()
    )
    return sorted(years, key=lambda year: (-sizes.get(year, 0), year))


def _rebuild(
    run: RollupRun,
    progress: Callable[[int, int], None] | None,
    on_year: Callable[[YearComputed], None] | None,
) -> None:
    RollupRun.objects.filter(pk=run.pk).update(
        state=RollupRun.State.RUNNING, started_at=timezone.now(), finished_at=None, error=""
    )
    # The requests already committed are answered by this rebuild; later ones are left for the
    # drain, as their edits may land in a year already recomputed.
    answered = list(RollupRefresh.objects.values_list("pk", flat=True))
    try:
        slices = sorted(_all_slices())
        by_year: dict[int, list[Slice]] = {}
        for year, division in slices:
            by_year.setdefault(year, []).append((year, division))
        total = len(by_year)
        RollupRun.objects.filter(pk=run.pk).update(slices_total=total, slices_done=0)
        years = _years_largest_first(by_year)
        workers = min(rebuild_workers(), len(years))
        done = 0
        done_lock = threading.Lock()

        def compute_year(year: int) -> None:
            nonlocal done
            started = time.monotonic()
            changed = compute_slices(by_year[year], verify_first=True, activity_money=False)
            with done_lock:
                done += 1
                finished = done
                RollupRun.objects.filter(pk=run.pk).update(slices_done=finished)
            if progress:
                progress(finished, total)
            if on_year:
                seconds = time.monotonic() - started
                on_year(YearComputed(year, finished, total, seconds, changed))

        if workers <= 1:
            for year in years:
                compute_year(year)
        else:
            _in_threads(compute_year, years, workers)
        recompute_all_activity_money()
        _delete_requests(answered)
        RollupRun.objects.filter(pk=run.pk).update(
            state=RollupRun.State.DONE, finished_at=timezone.now()
        )
    except Exception as error:
        RollupRun.objects.filter(pk=run.pk).update(
            state=RollupRun.State.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise


def _in_threads(work: Callable[[int], None], years: list[int], workers: int) -> None:
    """Run `work` for each year, `workers` at a time, each thread with its own connection.

    The first failure stops the threads from taking more years and is raised here, once every
    thread has stopped; the years already committed stay (a rerun recomputes them anyway).
    """
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for year in years:
        pending.put(year)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            while not failures:
                try:
                    year = pending.get_nowait()
                except queue.Empty:
                    return
                work(year)
        except BaseException as error:  # re-raised in the calling thread
            failures.append(error)
        finally:
            # Django opened this thread's connection; nothing else would close it.
            connection.close()

    threads = [threading.Thread(target=worker, name=f"rollup-rebuild-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def interrupted_rebuilds(*, include_queued: bool) -> list[RollupRun]:
    """Rebuilds whose worker died while running them (and, with `include_queued`, those still
    waiting, whose message a dead worker may have taken with it)."""
    runs = RollupRun.objects.filter(
        state__in=[RollupRun.State.QUEUED, RollupRun.State.RUNNING]
    ).order_by("pk")
    return [
        run
        for run in runs
        if (run.state == RollupRun.State.QUEUED and include_queued)
        or (run.state == RollupRun.State.RUNNING and not rebuild_is_alive(run))
    ]


def rebuild_in_progress() -> RollupRun | None:
    """The rebuild queued or running, if any: the focal point cannot start a second one."""
    return (
        RollupRun.objects.filter(state__in=[RollupRun.State.QUEUED, RollupRun.State.RUNNING])
        .order_by("pk")
        .first()
    )


# --- reading --------------------------------------------------------------------------------------

DIMENSIONS = ("year", "division", "country", "theme", "modality", "funding_nature", "status")
GROUP_BY_CHOICES = ("year", "division", "country", "theme", "modality", "funding_nature", "status")

_GRAIN_DIMENSIONS: dict[str, frozenset[str]] = {
    Grain.MODALITY: frozenset({"year", "division", "modality"}),
    Grain.CORE: frozenset({"year", "division", "modality", "funding_nature", "status"}),
    Grain.COUNTRY: frozenset({"year", "division", "country"}),
    Grain.THEME: frozenset({"year", "division", "theme"}),
    Grain.FULL: frozenset(DIMENSIONS),
}
# Smallest first: the first grain that has every needed dimension answers the query.
_GRAIN_ORDER = (Grain.MODALITY, Grain.CORE, Grain.THEME, Grain.COUNTRY, Grain.FULL)


@dataclass(frozen=True)
class RollupFilters:
    """What a dashboard or API caller asked for; empty means no restriction on that dimension."""

    year_from: int | None = None
    year_to: int | None = None
    divisions: tuple[int, ...] = ()
    countries: tuple[int, ...] = ()
    themes: tuple[int, ...] = ()
    modalities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    funding_natures: tuple[str, ...] = ()

    def dimensions(self) -> set[str]:
        used = {
            "division": self.divisions,
            "country": self.countries,
            "theme": self.themes,
            "modality": self.modalities,
            "status": self.statuses,
            "funding_nature": self.funding_natures,
        }
        dims = {name for name, values in used.items() if values}
        if self.year_from is not None or self.year_to is not None:
            dims.add("year")
        return dims


def choose_grain(dimensions: Iterable[str]) -> Grain:
    needed = set(dimensions)
    for grain in _GRAIN_ORDER:
        if needed <= _GRAIN_DIMENSIONS[grain]:
            return grain
    raise ValueError(f"Unknown roll-up dimensions: {sorted(needed - set(DIMENSIONS))}")


def rollup_scope(user: User) -> Q | None:
    """What part of the portfolio's money a user may see; None: nothing (finance.access)."""
    return access.rollup_scope(user)


def _filter_q(filters: RollupFilters) -> Q:
    query = Q()
    if filters.year_from is not None:
        query &= Q(year__gte=filters.year_from)
    if filters.year_to is not None:
        query &= Q(year__lte=filters.year_to)
    for values, name in (
        (filters.divisions, "division_id"),
        (filters.countries, "country_id"),
        (filters.themes, "theme_id"),
        (filters.modalities, "modality"),
        (filters.statuses, "status"),
        (filters.funding_natures, "funding_nature"),
    ):
        if values:
            query &= Q(**{f"{name}__in": values})
    return query


def rollup_rows(
    user: User, filters: RollupFilters, *, group_by: Iterable[str] = ()
) -> QuerySet[RollupCell]:
    """The roll-up rows that answer `filters` grouped by `group_by`, scoped to the user."""
    return scoped_rollup_rows(rollup_scope(user), filters, group_by=group_by)


def scoped_rollup_rows(
    scope: Q | None, filters: RollupFilters, *, group_by: Iterable[str] = ()
) -> QuerySet[RollupCell]:
    """As rollup_rows, for a scope given directly (None: nothing), as rollup_scope returns it."""
    grain = choose_grain(filters.dimensions() | set(group_by))
    rows = RollupCell.objects.filter(grain=grain)
    if scope is None:
        return rows.none()
    return rows.filter(scope, _filter_q(filters))


def scoped_all_years_rows(
    scope: Q | None, filters: RollupFilters, dimension: str
) -> QuerySet[AllYearsCell] | None:
    """The selection's cells by country (or theme) over all years, from AllYearsCell: when no
    year range is asked and the filters name nothing but divisions and that dimension. None
    when those cells cannot answer (scoped_rollup_rows then does)."""
    if dimension not in ("country", "theme") or not filters.dimensions() <= {
        "division",
        dimension,
    }:
        return None
    rows = AllYearsCell.objects.filter(grain=Grain(dimension).value)
    if scope is None:
        return rows.none()
    return rows.filter(scope, _filter_q(filters))


# The family each contribution kind's money counts in.
_FAMILY_OF_KIND = {kind.value: "ifad" for kind in IFAD_KINDS} | {
    ContributionKind.COFINANCING.value: "cofinancing",
    ContributionKind.IN_KIND.value: "in_kind",
}


_FAMILIES = ("ifad", "cofinancing", "in_kind")
_STAGES = tuple(Stage.values)  # Stage.values builds its list again at each call


def _dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass
class Figures(FigureSet):
    """Money of one group (or of the whole selection) by contribution family and stage, in US$.

    The sums are kept in whole cents and turned into Decimals when read: a dashboard page adds
    up thousands of sums, and adding Decimals one by one cost more than the page's queries.
    """

    key: GroupKey = None
    label: str = ""
    # kind -> stage -> cents
    cents: dict[str, dict[str, int]] = field(default_factory=dict)
    # family -> stage -> US$, computed when first read after a change
    _families: dict[str, dict[str, Decimal]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, kind: str, stage: str, cents: int) -> None:
        per_stage = self.cents.setdefault(kind, {})
        per_stage[stage] = per_stage.get(stage, 0) + cents
        self._families = None

    def _family(self, name: str) -> dict[str, Decimal]:
        if self._families is None:
            sums = {family: dict.fromkeys(_STAGES, 0) for family in _FAMILIES}
            for kind, stages in self.cents.items():
                family = sums[_FAMILY_OF_KIND[kind]]
                for stage, cents in stages.items():
                    family[stage] += cents
            self._families = {
                family: {stage: _dollars(cents) for stage, cents in per_stage.items()}
                for family, per_stage in sums.items()
            }
        return self._families[name]

    @property
    def ifad(self) -> dict[str, Decimal]:
        return self._family("ifad")

    @property
    def cofinancing(self) -> dict[str, Decimal]:
        return self._family("cofinancing")

    @property
    def in_kind(self) -> dict[str, Decimal]:
        return self._family("in_kind")


def _labels(group_by: str, keys: set[int | str]) -> dict[GroupKey, str]:
    ids = [key for key in keys if isinstance(key, int)]
    if group_by == "division":
        return {d.pk: f"{d.code}: {d.name}" for d in Division.objects.filter(pk__in=ids)}
    if group_by == "country":
        return {c.pk: c.name for c in Country.objects.filter(pk__in=ids)}
    if group_by == "theme":
        return {t.pk: t.name for t in Theme.objects.filter(pk__in=ids)}
    choices: dict[str, type[models.TextChoices]] = {
        "modality": Modality,
        "funding_nature": FundingNature,
        "status": Status,
    }
    if group_by in choices:
        names = dict(choices[group_by].choices)
        return {key: str(names.get(str(key), key)) for key in keys}
    return {key: str(key) for key in keys}


UNATTRIBUTED = _("Not attributed")


def totals(user: User, filters: RollupFilters) -> Figures:
    """The selection's headline money (one query)."""
    figures = Figures(label=str(_("Total")))
    rows = rollup_rows(user, filters).values("kind", "stage").annotate(cents=Sum("amount_cents"))
    for row in rows:
        figures.add(row["kind"], row["stage"], row["cents"])
    return figures


def grouped_totals(user: User, filters: RollupFilters, group_by: str) -> list[Figures]:
    """The selection's money by one dimension (two queries: the sums and their labels).

    Groups come in the dimension's natural order (years ascending, names alphabetical); money of
    activities with no country or no theme is its own group, so the groups add up to `totals`.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"Unknown group_by: {group_by}")
    column = f"{group_by}_id" if group_by in ("division", "country", "theme") else group_by
    rows = (
        rollup_rows(user, filters, group_by=[group_by])
        .values(column, "kind", "stage")
        .annotate(cents=Sum("amount_cents"))
    )
    groups: dict[GroupKey, Figures] = {}
    for row in rows:
        key = row[column]
        groups.setdefault(key, Figures(key=key)).add(row["kind"], row["stage"], row["cents"])
    labels = _labels(group_by, {key for key in groups if key is not None})
    for key, figures in groups.items():
        figures.label = labels.get(key, str(UNATTRIBUTED)) if key is not None else str(UNATTRIBUTED)
    if group_by == "year":
        return [groups[key] for key in sorted(groups, key=lambda k: k if isinstance(k, int) else 0)]
    return sorted(groups.values(), key=lambda f: (f.key is None, f.label))


@dataclass(frozen=True)
class RollupState:
    """How fresh the figures are, for "figures as of <time>" and the stale warning."""

    as_of: datetime.datetime | None
    pending: int
    oldest_pending: datetime.datetime | None
    rebuild: RollupRun | None

    @property
    def is_refreshing(self) -> bool:
        return bool(self.pending) or (
            self.rebuild is not None
            and self.rebuild.state in (RollupRun.State.QUEUED, RollupRun.State.RUNNING)
        )

    def is_stale(self, now: datetime.datetime | None = None, grace_seconds: int = 30) -> bool:
        """A refresh asked for longer ago than a worker needs: Redis or the worker may be down."""
        if self.oldest_pending is None:
            return False
        now = now or timezone.now()
        return (now - self.oldest_pending).total_seconds() > grace_seconds


def rollup_state() -> RollupState:
    """Three small queries, whatever the size of the portfolio."""
    as_of = RollupSlice.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    pending = RollupRefresh.objects.order_by("requested_at").values_list("requested_at", flat=True)
    pending_list = list(pending[:1])
    return RollupState(
        as_of=next(iter(as_of[:1]), None),
        pending=RollupRefresh.objects.count() if pending_list else 0,
        oldest_pending=pending_list[0] if pending_list else None,
        rebuild=RollupRun.objects.first(),
    )
