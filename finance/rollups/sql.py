"""What the roll-ups store, and the SQL that computes it.

A slice is one fiscal year of one lead division; a sub-slice is a slice narrowed to one
combination of the activity dimensions (modality, funding nature, status, visibility,
agreement).
ActivityYearTotal holds an activity's money per year; RollupCell the same money attributed to
dimensions, at every grain (finance.models.Grain); both with one amount column per kind and
stage (AMOUNTS). ActivityMoney, ActivityPair and AllYearsCell are summed from those (and the
first two counted: counts.py). Everything is computed by the database in INSERT ... SELECT
statements: nothing per row goes through Python.

Attribution without double counting: an activity's money is split over its countries by their
shares (equal when no share is given) and then equally over its themes. The split is done in whole
cents with the largest-remainder rule, so the parts of every amount add up exactly to the amount:
totals by country or by theme equal the portfolio total to the cent. Each of an activity-year's
amounts (kind x stage) is split on its own.

The statements hold table names (from the models) and placeholders, never values: the values are
parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.backends.utils import CursorWrapper

from activities.models import Activity, ActivityCountry, CountryRole

from ..models import (
    ALLOCATED_COLUMNS,
    AMOUNT_COLUMNS,
    CELL_AMOUNTS,
    IFAD_KINDS,
    ActivityCount,
    ActivityMoney,
    ActivityPair,
    ActivityQuantity,
    ActivityYearTotal,
    AllYearsCell,
    ContributionKind,
    FinancialEntry,
    Grain,
    InKindQuantity,
    PairCount,
    RollupCell,
)

Slice = tuple[int, int]  # (fiscal year, lead division id)


def table_names() -> dict[str, str]:
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
        "activity_count": ActivityCount._meta.db_table,
        "all_years": AllYearsCell._meta.db_table,
        "activity_quantity": ActivityQuantity._meta.db_table,
        "quantity": InKindQuantity._meta.db_table,
    }


def work_names(**names: str) -> dict[str, str]:
    """What the statements are formatted with: the tables' names, the work tables' (the new
    totals and cells of the slices being computed) and any given `names` in their place."""
    return {**table_names(), "new_total": NEW_TOTAL, "cell": NEW_CELL, **names}


def slice_condition(alias: str, slices: Sequence[Slice] | None) -> tuple[str, list[int]]:
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
# rebuild): enough for a year's split to sort in memory, where more only slowed it down
# (benchmarks/README.md, roll-ups).
ROLLUP_WORK_MEM = "16MB"

# The slice is computed into two temporary tables first (the new totals, with a row number for
# an id, and the new cells), then only what differs from the stored rows is deleted and
# inserted: after one edit that is a few rows, where replacing the slice rewrote tens of
# thousands scattered over the table.
NEW_TOTAL, NEW_CELL = "rollup_new_total", "rollup_new_cell"

# The money columns, one per kind and stage (finance.models.CELL_AMOUNTS).
AMOUNTS = ", ".join(AMOUNT_COLUMNS)
# Each kind and stage's entries summed and rounded to the cent on their own, as a row per kind
# and stage was: empty where the activity has no such entry in the year. The kinds and stages
# are the code's own constants.
_LEDGER_AMOUNTS = ", ".join(
    f"CAST(ROUND(SUM(CASE WHEN e.kind = '{kind}' AND e.stage = '{stage}' THEN e.amount_usd END)"
    f" * 100) AS BIGINT) AS {column}"
    for kind, stage, column in CELL_AMOUNTS
)
NEW_TOTALS = f"""
CREATE TEMPORARY TABLE {{new_total}} AS
SELECT ROW_NUMBER() OVER () AS id, sums.* FROM (
    SELECT e.activity_id, e.fiscal_year AS year, a.lead_division_id AS division_id, a.modality,
           a.funding_nature, a.status, a.agreement, (a.visibility = %s) AS is_public,
           {_LEDGER_AMOUNTS}
    FROM {{entry}} e JOIN {{activity}} a ON a.id = e.activity_id
    WHERE {{where}}
    GROUP BY e.activity_id, e.fiscal_year, a.lead_division_id, a.modality, a.funding_nature,
             a.status, a.agreement, a.visibility
) AS sums
"""  # noqa: S608 (names and constants; the values are parameters)
TOTAL_COLUMNS = (
    "activity_id, year, division_id, modality, funding_nature, status, agreement, is_public, "
    + AMOUNTS
)


def pivoted(value: str) -> str:
    """The money columns summed from the split's rows of `value`, each row the part of one
    amount (`amount`: its column's number, 1 to 15 in CELL_AMOUNTS' order): empty where no
    row has that kind and stage."""
    return ", ".join(
        f"SUM(CASE WHEN amount = {number} THEN {value} END) AS {column}"
        for number, column in enumerate(AMOUNT_COLUMNS, start=1)
    )


def summed(alias: str) -> str:
    """The money columns of the cells `alias` summed."""
    return ", ".join(f"SUM({alias}.{column}) AS {column}" for column in AMOUNT_COLUMNS)


DIMENSION_COLUMNS = (
    "year, division_id, country_id, theme_id, modality, funding_nature, status, agreement, "
    "is_public"
)
CELL_COLUMNS = f"grain, {DIMENSION_COLUMNS}, {AMOUNTS}"
# An empty amount (no line of that kind and stage) is told apart from a zero (lines that add up
# to nothing, or in-kind lines not valued), so that the stored rows are exactly the rows their
# computation gives, whichever wrote them (a first build, a refresh, a rebuild): compared as
# "the same money", a refresh kept an empty amount where a first build wrote a zero. Compared
# and hashed, an empty amount is spelled as this number, which no amount in cents reaches; an
# empty country or theme as 0, which no id is. COALESCE keeps a comparison hashable, where IS
# NOT DISTINCT FROM would make PostgreSQL compare each row with every other, and keeps an empty
# value's place in concat_ws, which leaves NULLs out.
EMPTY_AMOUNT = -(2**62)


def spelled(alias: str, column: str) -> str:
    """`alias.column` as it is compared and hashed: an empty value spelled as a number."""
    if column in AMOUNT_COLUMNS:
        return f"COALESCE({alias}.{column}, {EMPTY_AMOUNT})"
    if column in ("country_id", "theme_id"):
        return f"COALESCE({alias}.{column}, 0)"
    return f"{alias}.{column}"


def _same(columns: str) -> str:
    """Equal on every column (`{a}` and `{b}`: the two aliases, filled in by str.format)."""
    return " AND ".join(f"{spelled('{a}', c)} = {spelled('{b}', c)}" for c in columns.split(", "))


SAME_TOTAL, SAME_CELL = _same(TOTAL_COLUMNS), _same(CELL_COLUMNS)

# The core grain needs no split: it is the totals summed over activities.
INSERT_CORE = f"""
INSERT INTO {{cell}} ({CELL_COLUMNS})
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, t.funding_nature, t.status,
       t.agreement, t.is_public, {summed("t")}
FROM {{total}} t
WHERE {{where}}
GROUP BY t.year, t.division_id, t.modality, t.funding_nature, t.status, t.agreement, t.is_public
"""  # noqa: S608 (names and constants; the values are parameters)

# The coarse grains are cells of a finer grain summed again, in SQL: the country and theme
# grains from the full grain (the split is computed once per slice and the ledger is not read a
# second time), the modality grain from the core grain.
_INSERT_COARSE = f"""
INSERT INTO {{into}} ({CELL_COLUMNS})
SELECT %s, c.year, c.division_id, {{country}}, {{theme}}, {{modality}}, '', '', c.agreement,
       c.is_public, {summed("c")}
FROM {{cell}} c
WHERE c.grain = %s AND {{where}}
GROUP BY c.year, c.division_id, {{group}}, c.agreement, c.is_public
"""  # noqa: S608 (names and constants; the values are parameters)


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


def insert_coarse(
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


# The dimensions an activity's total shares with the cells of the full and core grains it is
# summed into: a sub-slice. An activity's money is in no cell outside its totals' sub-slices.
SUBSLICE_COLUMNS = "year, division_id, modality, funding_nature, status, is_public, agreement"
Subslice = tuple[int, int, str, str, str, bool, str]


def subslice_condition(alias: str, subslices: Sequence[Subslice]) -> tuple[str, list[int | str]]:
    """SQL selecting the rows of these sub-slices, each spelled out: PostgreSQL reads each one
    through the tables' sub-slice indexes (year, division and modality), filtering the rest."""
    one = " AND ".join(f"{alias}.{column} = %s" for column in SUBSLICE_COLUMNS.split(", "))
    params: list[int | str] = []
    for subslice in subslices:
        params += subslice
    return "(" + " OR ".join([f"({one})"] * len(subslices)) + ")", params


def placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _values_clause(alias: str, column: str, values: set[int]) -> str:
    """SQL for `column` among these ids (0 for none), with the ids' placeholders."""
    ids = sorted(values - {0})
    # Spelled without COALESCE, so that the cells' country and theme indexes can answer.
    either = [f"{alias}.{column} IN ({placeholders(ids)})"] if ids else []
    if 0 in values:
        either.append(f"{alias}.{column} IS NULL")
    return f"({' OR '.join(either)})"


def keys_condition(
    alias: str, column: str, keys: dict[tuple[int, int], set[int]]
) -> tuple[str, list[int | str]]:
    """SQL selecting the rows of these (year, division) with these values of `column` (0 for
    none), grouped by year and division to keep it short."""
    clauses, params = [], list[int | str]()
    for (year, division), values in sorted(keys.items()):
        clauses.append(
            f"({alias}.year = %s AND {alias}.division_id = %s AND "
            f"{_values_clause(alias, column, values)})"
        )
        params += [year, division, *sorted(values - {0})]
    return "(" + " OR ".join(clauses) + ")", params


def division_keys_condition(
    alias: str, column: str, keys: dict[int, set[int]]
) -> tuple[str, list[int | str]]:
    """As keys_condition, for these divisions in every year."""
    clauses, params = [], list[int | str]()
    for division, values in sorted(keys.items()):
        clauses.append(f"({alias}.division_id = %s AND {_values_clause(alias, column, values)})")
        params += [division, *sorted(values - {0})]
    return "(" + " OR ".join(clauses) + ")", params


def grain_keys_condition(
    alias: str, *, grain: Grain, column: str, keys: dict[tuple[int, int], set[int]]
) -> tuple[str, list[int | str]]:
    where, params = keys_condition(alias, column, keys)
    return f"{alias}.grain = %s AND {where}", [grain.value, *params]


# An activity's dimensions are the same on all its totals once its slices are refreshed (an
# edit that changes one requests every year of the activity); MAX picks one meanwhile.
def allocated(kinds: Iterable[str]) -> str:
    """The totals' (alias t) allocated money of these kinds, an empty amount as 0."""
    return " + ".join(
        f"COALESCE(t.{column}, 0)"
        for kind, stage, column in CELL_AMOUNTS
        if kind in kinds and column in ALLOCATED_COLUMNS
    )


ACTIVITY_MONEY = f"""
INSERT INTO {{money}} (activity_id, division_id, modality, funding_nature, status, agreement,
                     is_public, ifad_cents, cofinancing_cents, in_kind_cents, total_cents)
SELECT t.activity_id, MAX(t.division_id) AS division_id, MAX(t.modality) AS modality,
       MAX(t.funding_nature) AS funding_nature, MAX(t.status) AS status,
       MAX(t.agreement) AS agreement,
       MAX(CASE WHEN t.is_public THEN 1 ELSE 0 END) = 1 AS is_public,
       SUM({allocated(IFAD_KINDS)}) AS ifad_cents,
       SUM({allocated([ContributionKind.COFINANCING])}) AS cofinancing_cents,
       SUM({allocated([ContributionKind.IN_KIND])}) AS in_kind_cents,
       SUM({allocated(ContributionKind.values)}) AS total_cents
FROM {{total}} t
WHERE {{where}}
GROUP BY t.activity_id
"""  # noqa: S608 (names and constants)

# Who shares with whom: a provider is a country whose role is provider or both, a receiver one
# whose role is receiver or both, and an activity links each provider to each other receiver.
PROVIDER_ROLES = (CountryRole.PROVIDER.value, CountryRole.BOTH.value)
RECEIVER_ROLES = (CountryRole.RECEIVER.value, CountryRole.BOTH.value)

ACTIVITY_PAIRS = """
INSERT INTO {pair} (activity_id, provider_id, receiver_id, division_id, modality, funding_nature,
                    status, agreement, is_public)
SELECT m.activity_id, p.country_id AS provider_id, r.country_id AS receiver_id, m.division_id,
       m.modality, m.funding_nature, m.status, m.agreement, m.is_public
FROM {money} m
JOIN {country_link} p ON p.activity_id = m.activity_id
JOIN {country_link} r ON r.activity_id = m.activity_id AND r.country_id <> p.country_id
WHERE p.role IN (%s, %s) AND r.role IN (%s, %s) AND {where}
"""
PAIR_LINE = (
    "c.activity_id, c.provider_id, c.receiver_id, c.division_id, c.modality, "
    "c.funding_nature, c.status, c.agreement, c.is_public"
)


# The country and theme grains summed over every year (AllYearsCell): by agreement, then those
# sums added up over every agreement (EVERY_AGREEMENT), which a view not filtered by agreement
# sums instead of four times as many rows: from one read of the cells, where grouping them twice
# read them twice. Its parameters: the two grains and the `where` parameters (all_years_params).
EVERY_AGREEMENT = ""
_ALL_YEARS_KEY = "grain, division_id, country_id, theme_id"
ALL_YEARS_SELECT = f"""
WITH by_agreement AS (
    SELECT c.grain, c.division_id, c.country_id, c.theme_id, c.agreement, c.is_public,
           {summed("c")}
    FROM {{cell}} c
    WHERE c.grain IN (%s, %s) AND {{where}}
    GROUP BY c.grain, c.division_id, c.country_id, c.theme_id, c.agreement, c.is_public
)
SELECT {_ALL_YEARS_KEY}, agreement, is_public, {AMOUNTS} FROM by_agreement
UNION ALL
SELECT {_ALL_YEARS_KEY}, '', is_public, {summed("by_agreement")}
FROM by_agreement
GROUP BY {_ALL_YEARS_KEY}, is_public
"""  # noqa: S608 (names and constants; the values are parameters)
ALL_YEARS = (
    f"INSERT INTO {{all_years}} ({_ALL_YEARS_KEY}, agreement, is_public, {AMOUNTS})"
    + ALL_YEARS_SELECT
)
ALL_YEARS_GRAINS = [Grain.COUNTRY.value, Grain.THEME.value]


def all_years_params(grains: Sequence[str], params: Sequence[int | str]) -> list[int | str]:
    """ALL_YEARS' parameters: the grains it sums and its `where` parameters."""
    return [*grains, *params]


# The country and theme are left as they are: the grain tells which of them is empty.
ALL_YEARS_LINE = "c.grain, c.division_id, c.country_id, c.theme_id, c.agreement, c.is_public, " + (
    ", ".join(spelled("c", column) for column in AMOUNT_COLUMNS)
)

MONEY_LINE = (
    "c.activity_id, c.division_id, c.modality, c.funding_nature, c.status, c.agreement, "
    "c.is_public, c.ifad_cents, c.cofinancing_cents, c.in_kind_cents, c.total_cents"
)
