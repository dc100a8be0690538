"""Reads of the per-activity grain, for what the cells do not keep: whether the activities'
sides confirmed them (Activity.agreement, kept by the counterparts app; finance reads the
column only).

The cells sum many activities together, so they cannot say how much of their money is in
confirmed activities. Filtered by agreement, the figures are summed from the activities' own
totals (ActivityYearTotal) joined to their activity instead, and split over countries and themes
by the same statement as the full grain (sql.SPLIT) when a country or theme is asked: the same
cents as the cells would hold for those activities alone, in one query whatever the filters.
An activity's agreement moves without any roll-up being recomputed, so these reads are never
cached under the roll-ups' "as of" time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from activities.models import Activity, ActivityCountry

from ..models import ActivityMoney, ActivityYearTotal
from .filters import RollupFilters
from .sql import SPLIT, table_names

# What a dimension is called in the totals and in the split parts.
_COLUMNS = {
    "year": "year",
    "division": "division_id",
    "country": "country_id",
    "theme": "theme_id",
    "modality": "modality",
    "funding_nature": "funding_nature",
    "status": "status",
}
_SPLIT_DIMENSIONS = frozenset({"country", "theme"})


def activity_condition(scope: Q | None, filters: RollupFilters, *, years: bool = True) -> Q | None:
    """The selection as a condition on the rows of one activity (ActivityYearTotal,
    ActivityMoney, ActivityPair); `years=False` leaves the year range out, for the tables that
    have no year. None: the scope reads nothing."""
    if scope is None:
        return None
    query = scope
    if years and filters.year_from is not None:
        query &= Q(year__gte=filters.year_from)
    if years and filters.year_to is not None:
        query &= Q(year__lte=filters.year_to)
    for values, name in (
        (filters.divisions, "division_id"),
        (filters.modalities, "modality"),
        (filters.statuses, "status"),
        (filters.funding_natures, "funding_nature"),
        (filters.agreements, "activity__agreement"),
    ):
        if values:
            query &= Q(**{f"{name}__in": values})
    # An activity is in when one of its countries (themes) is: a subquery, not a join, so an
    # activity with two selected countries is still one activity.
    if filters.countries:
        links = ActivityCountry.objects.filter(country_id__in=filters.countries)
        query &= Q(activity_id__in=links.values("activity_id"))
    if filters.themes:
        tagged = Activity.themes.through.objects.filter(theme_id__in=filters.themes)
        query &= Q(activity_id__in=tagged.values("activity_id"))
    return query


def activity_grain_sql(
    scope: Q, filters: RollupFilters, group_by: Sequence[str]
) -> tuple[str, list[Any], str]:
    """(sql, params, database alias) of the selection's money grouped by `group_by`: columns
    named as the cells' (year, division_id, country_id, ...), then kind, stage and cents, as
    the cells summed would give them.

    Without a country or theme in the filters or the grouping, the totals summed answer.
    Otherwise the totals are split into parts as the full grain is, and the parts outside the
    chosen countries and themes left out: a country filter keeps the country's share of the
    money, as the cells do, not the whole money of its activities.
    """
    totals = ActivityYearTotal.objects.filter(activity_condition(scope, filters))
    needs_split = bool(_SPLIT_DIMENSIONS & (set(group_by) | filters.dimensions()))
    columns = [_COLUMNS[name] for name in group_by]
    if not needs_split:
        grouped = (
            totals.values_list(*columns, "kind", "stage").annotate(cents=Sum("amount_cents"))
        ).order_by()
        sql, grouped_params = grouped.query.sql_with_params()
        return sql, list(grouped_params), grouped.db
    parts, params, alias = _kept_parts(totals, filters)
    keys = ", ".join([*columns, "kind", "stage"])
    sql = f"SELECT {keys}, SUM(cents) AS cents FROM ({parts}) AS parts GROUP BY {keys}"  # noqa: S608 (names only)
    return sql, params, alias


def _kept_parts(
    totals: QuerySet[ActivityYearTotal], filters: RollupFilters
) -> tuple[str, list[Any], str]:
    """(sql, params, database alias) of the totals split into parts (sql.SPLIT), those outside
    the chosen countries and themes left out."""
    rows = totals.values_list(
        "id",
        "activity_id",
        "year",
        "division_id",
        "modality",
        "funding_nature",
        "status",
        "is_public",
        "kind",
        "stage",
        "amount_cents",
    ).order_by()
    inner, params = rows.query.sql_with_params()
    split = SPLIT.format(**{**table_names(), "total": f"({inner})", "where": "1 = 1"})
    kept, kept_params = [], list[Any]()
    for values, column in ((filters.countries, "country_id"), (filters.themes, "theme_id")):
        if values:
            kept.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            kept_params += values
    sql = f"SELECT * FROM ({split}) AS parts WHERE {' AND '.join(kept) or '1 = 1'}"  # noqa: S608 (names only)
    return sql, [*params, *kept_params], rows.db


def country_and_theme_sums(
    scope: Q | None, filters: RollupFilters
) -> dict[str, list[tuple[Any, str, str, int]]]:
    """The selection's money by country and by theme, {"country": [(country_id, kind, stage,
    cents), ...], "theme": [...]}, from one split (it is most of the cost): one query."""
    sums: dict[str, list[tuple[Any, str, str, int]]] = {"country": [], "theme": []}
    if scope is None:
        return sums
    parts, params, alias = _kept_parts(
        ActivityYearTotal.objects.filter(activity_condition(scope, filters)), filters
    )
    sql = (
        f"WITH kept AS ({parts}) "  # noqa: S608 (names only)
        "SELECT 'country', country_id, kind, stage, SUM(cents) FROM kept "
        "GROUP BY country_id, kind, stage "
        "UNION ALL SELECT 'theme', theme_id, kind, stage, SUM(cents) FROM kept "
        "GROUP BY theme_id, kind, stage"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for dimension, key, kind, stage, cents in cursor.fetchall():
            sums[dimension].append((key, kind, stage, int(cents or 0)))
    return sums


def activity_grain_sums(
    scope: Q | None, filters: RollupFilters, group_by: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The rows of activity_grain_sql: (*group keys, kind, stage, cents); one query."""
    if scope is None:
        return []
    sql, params, alias = activity_grain_sql(scope, filters, group_by)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [(*row[:-1], int(row[-1] or 0)) for row in cursor.fetchall()]


def agreement_counts(scope: Q | None, filters: RollupFilters) -> dict[str, int]:
    """How many of the selection's activities (those with money in it, as the dashboard counts
    them) are in each agreement state; the filter on agreement itself is left out. One query."""
    base = dataclasses.replace(filters, agreements=())
    query = activity_condition(scope, base)
    if query is None:
        return {}
    all_years = filters.year_from is None and filters.year_to is None
    model = ActivityMoney if all_years else ActivityYearTotal
    rows = (
        model.objects.filter(query)  # type: ignore[attr-defined]
        .values_list("activity__agreement")
        .annotate(activities=Count("activity_id", distinct=not all_years))
        .order_by()
    )
    return {agreement: int(count) for agreement, count in rows}
