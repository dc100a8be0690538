"""Reads of the per-activity rows (ActivityYearTotal, ActivityMoney, ActivityPair) and of their
counts (ActivityCount, PairCount): the selection as a condition on one activity's rows (or on
their counts, which keep their dimensions), and its activities counted by agreement.

Each of those rows copies its activity's dimensions, its agreement included (Activity.agreement,
kept by the counterparts app, which asks for the activity's roll-ups to be refreshed when it
moves), so these reads join nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from activities.models import Activity, ActivityCountry

from ..models import ActivityCount, ActivityMoney, ActivityYearTotal
from .filters import RollupFilters


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
        (filters.agreements, "agreement"),
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


def agreement_counts(scope: Q | None, filters: RollupFilters) -> dict[str, int]:
    """How many of the selection's activities (those with money in it, as the dashboard counts
    them) are in each agreement state; the filter on agreement itself is left out. One query."""
    base = dataclasses.replace(filters, agreements=())
    query = activity_condition(scope, base)
    if query is None:
        return {}
    all_years = filters.year_from is None and filters.year_to is None
    if all_years and not (filters.countries or filters.themes):
        # ActivityMoney counted by every dimension but the activity: its rows are added up
        # where grouping the activities' own rows hashed every one of them.
        counted = ActivityCount.objects.filter(query).values_list("agreement")
        rows: QuerySet[Any, tuple[Any, ...]] = counted.annotate(
            activities=Sum("activities")
        ).order_by()
    else:
        model = ActivityMoney if all_years else ActivityYearTotal
        rows = (
            model.objects.filter(query)  # type: ignore[attr-defined]
            .values_list("agreement")
            .annotate(activities=Count("activity_id", distinct=not all_years))
            .order_by()
        )
    return {agreement: int(count) for agreement, count in rows}
