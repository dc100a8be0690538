"""The dashboard's selection: one user's view of the roll-ups under one set of filters (parsed by
finance.forms.DashboardFilterForm), read query by query as the charts ask.

Everything here reads the roll-up tables (finance.rollups), never the ledger, so the page costs
the same number of queries whatever the size of the portfolio: one query over the coarsest grain
that answers the filters gives the headline, years, divisions, modalities and leverage; one each
gives countries and themes (from the cells summed over all years, AllYearsCell, when no year
range is asked); ActivityCount or ActivityMoney (all years) or ActivityYearTotal (a year range)
gives the activities counted by agreement (the page's count and the coverage's), ActivityMoney
or ActivityYearTotal the top activities; PairCount or ActivityPair gives who shares with whom.

The activities' agreement (their Confirmation) is a dimension of every roll-up table, so a
filter on it reads the same tables as any other filter; the coverage's money (who confirmed how
much of the selection) adds one query, two when the page is filtered by agreement.

On a cold page the reads of the activities' rows and of the ledger run aside (read_aside), on
connections of their own, while the page reads the cells.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, reduce
from typing import Any, TypeVar

from django.db import connections
from django.db.models import BigIntegerField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Activity, Country, Modality

from ..figures import Coverage
from ..in_kind import Unvalued
from ..models import (
    CENT,
    IFAD_KINDS,
    ActivityMoney,
    ActivityPair,
    ActivityYearTotal,
    ContributionKind,
    PairCount,
    Stage,
    amount_column,
)
from ..quantities import InKindRead, Quantities, selection_in_kind
from ..rollups import (
    EVERY_AGREEMENT,
    Figures,
    GroupKey,
    RollupFilters,
    activity_condition,
    agreement_counts,
    coverage,
    money_sums,
    rollup_scope,
    scoped_all_years_rows,
    scoped_rollup_rows,
    unpivot,
)
from .aside import read_aside
from .cache import FigureCache
from .formatting import FAMILIES
from .links import ListLinks
from .reference import Reference

TOP_ACTIVITIES = 10
TOP_FLOWS = 20
# The parts a cold page reads aside (Selection.read_aside), one connection per group: the
# ledger's in-kind, and the reads of the activities' rows (their count, the top ten, the flows).
# The page reads the cells itself (the core pivots, countries and themes), whose sums it then
# turns into its largest tables while the others read.
ASIDE = (("in_kind",), ("agreements", "top", "flows"))
T = TypeVar("T")


def allocated_total(figures: Figures) -> Decimal:
    """IFAD + cofinancing + in-kind, allocated: what the map and the rankings weigh."""
    return sum((getattr(figures, family)[Stage.ALLOCATED] for family in FAMILIES), Decimal("0.00"))


@dataclass(frozen=True)
class TopActivity:
    activity: Activity
    ifad: Decimal
    cofinancing: Decimal
    in_kind: Decimal

    @property
    def total(self) -> Decimal:
        return self.ifad + self.cofinancing + self.in_kind


@dataclass(frozen=True)
class Flow:
    provider: Country
    receiver: Country
    activities: int


def _cents(value: int | None) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(CENT)


def _allocated(kinds: Iterable[str]) -> Sum:
    """The money allocated of these kinds, summed over ActivityYearTotal's rows (each kind's
    column; an empty one counts 0)."""
    columns = [
        Coalesce(amount_column(kind, Stage.ALLOCATED), Value(0, output_field=BigIntegerField()))
        for kind in kinds
    ]
    return Sum(reduce(operator.add, columns))


# The core query's four pivots of the groups `core` holds: each summed by its key, written as
# text so that the four share one column (a division's NULL stays NULL), with every money
# column (one per kind and stage) summed.
_CORE_SUMS = ", ".join(f"SUM({name})" for name in money_sums())
_CORE_PIVOT_SQL = " UNION ALL ".join(
    f"SELECT '{name}', {key}, {_CORE_SUMS} FROM core {group}"  # noqa: S608 (constants)
    for name, key, group in (
        ("year", "CAST(year AS VARCHAR(20))", "GROUP BY year"),
        ("division", "CAST(division_id AS VARCHAR(20))", "GROUP BY division_id"),
        ("modality", "modality", "GROUP BY modality"),
        ("total", "NULL", ""),
    )
)
# How each pivot's key comes back from its text.
_CORE_KEYS: dict[str, Callable[[str | None], Any]] = {
    "year": lambda key: None if key is None else int(key),
    "division": lambda key: None if key is None else int(key),
    "modality": lambda key: key,
    "total": lambda key: None,
}


class Selection:
    """One user's view of the roll-ups under one set of filters.

    Each query runs once, when a chart first needs it, so a single-table download runs only the
    queries of that table. With `version` (cache.selection_version: when the slices it reads
    were last computed) the query results are also cached (FigureCache): the roll-up tables
    change only when a slice is recomputed, which moves that time, so a cached result is never
    older than the tables it was read from.
    """

    def __init__(
        self,
        user: User | None,
        filters: RollupFilters,
        reference: Reference,
        *,
        version: str = "",
        scope: Q | None = None,
    ) -> None:
        """`scope` replaces `user` for the worker, which warms the cache for no one in
        particular."""
        if (user is None) == (scope is None):
            raise ValueError("A selection needs a user or a scope, not both.")
        self.user = user
        self._scope = scope
        self.filters = filters
        self.reference = reference
        self.version = version
        # part -> what waits for it, for the parts read_aside started on other connections
        self._aside: dict[str, Callable[[], dict[str, Any]]] = {}

    @cached_property
    def scope(self) -> Q | None:
        return self._scope if self.user is None else rollup_scope(self.user)

    @cached_property
    def links(self) -> ListLinks:
        """The activity list's links of this selection's chart elements."""
        return ListLinks(self.filters, self.reference)

    @cached_property
    def _cache(self) -> FigureCache:
        return FigureCache(self.version, self.scope, self.filters)

    def _cached(self, part: str, compute: Callable[[], T]) -> T:
        waiting = self._aside.pop(part, None)
        if waiting is not None:
            value: T = waiting()[part]
            return value
        return self._cache.get_or_compute(part, compute)

    def rendered(
        self, part: str, render: Callable[[], T], *, holds: Callable[[T], bool] | None = None
    ) -> T:
        """What the page renders from this selection's figures, cached beside them (the same
        version, scope and filters; `part` names the rest it depends on): FigureCache."""
        return self._cache.get_or_compute(part, render, holds=holds)

    def _fetchers(self) -> dict[str, Callable[[], Any]]:
        """What reads each part that read_aside may start, from the database (uncached)."""
        return {
            "in_kind": lambda: selection_in_kind(self.scope, self.filters),
            "agreements": lambda: agreement_counts(self.scope, self.filters),
            "top": self._top_fetch(),
            "flows": self._flows_fetch(),
        }

    def read_aside(self) -> None:
        """Start the reads that need nothing of the others (ASIDE: the ledger's, then those of
        the activities' rows) on connections of their own, one per group, while this one reads
        the cells (finance.dashboard.aside). Each part is then taken from its
        group's result (cached there, as when read here) instead of being read again."""
        self.scope, self._cache  # noqa: B018 (here, not aside: they are cached properties)
        fetchers = self._fetchers()
        cache = self._cache
        for group in ASIDE:
            parts = [part for part in group if part not in self._aside]
            if not parts:
                continue

            def read(parts: list[str] = parts) -> dict[str, Any]:
                return {part: cache.get_or_compute(part, fetchers[part]) for part in parts}

            waiting = read_aside(read)
            for part in parts:
                self._aside[part] = waiting

    @cached_property
    def _core(self) -> dict[str, list[tuple[Any, str, str, int]]]:
        """Money by year, by division, by modality and in all: one query feeding five charts.

        The cells are summed by year x division x modality (a sum per kind and stage), then
        those groups summed again four ways in the same statement, so only the sums of the four
        pivots come back, as (group, kind, stage, cents), not every group. Summing the groups
        in Python instead cost more than the query on a large portfolio.
        """

        def fetch() -> dict[str, list[tuple[Any, str, str, int]]]:
            pivots: dict[str, list[tuple[Any, str, str, int]]] = {name: [] for name in _CORE_KEYS}
            if self.scope is None:  # the user sees no money: an empty queryset has no SQL
                return pivots
            inner, params, alias = self._core_groups()
            sql = "WITH core AS (" + inner + ") " + _CORE_PIVOT_SQL
            # On the database the ORM would read (the replica, in a lag-tolerant view).
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, params)
                for name, key, kind, stage, cents in unpivot(cursor.fetchall(), 2):
                    pivots[name].append((_CORE_KEYS[name](key), kind, stage, cents))
            return pivots

        return self._cached("core", fetch)

    def _core_groups(self) -> tuple[str, list[Any], str]:
        """(sql, params, database) of the money by year, division and modality (a sum per kind
        and stage: money_sums), from the cells."""
        group_by = ("year", "division", "modality")
        groups = (
            scoped_rollup_rows(self.scope, self.filters, group_by=group_by)
            .values_list("year", "division_id", "modality")
            .annotate(**money_sums())
            .order_by()
        )
        inner, params = groups.query.sql_with_params()
        return inner, list(params), groups.db

    def _grouped(self, dimension: str) -> list[tuple[Any, str, str, int]]:
        """Money by country or theme, as (group, kind, stage, cents)."""
        column = f"{dimension}_id"
        # Over all years, the cells summed over the years answer: far fewer rows than the
        # grain's cells, which are per year.
        rows: QuerySet[Any] | None = scoped_all_years_rows(self.scope, self.filters, dimension)
        if rows is None:
            rows = scoped_rollup_rows(self.scope, self.filters, group_by=[dimension])
        return self._cached(
            dimension,
            lambda: unpivot(rows.values_list(column).annotate(**money_sums()).order_by(), 1),
        )

    @staticmethod
    def _pivot(sums: list[tuple[Any, str, str, int]]) -> dict[GroupKey, Figures]:
        groups: dict[GroupKey, Figures] = {}
        for key, kind, stage, cents in sums:
            figures = groups.get(key)
            if figures is None:
                figures = groups[key] = Figures(key=key)
            figures.add(kind, stage, cents)
        return groups

    @property
    def is_empty(self) -> bool:
        """No money at all in the selection (or the roll-ups were never computed)."""
        return not self._core["total"]

    @cached_property
    def totals(self) -> Figures:
        figures = Figures(label=_("Total"))
        for _key, kind, stage, cents in self._core["total"]:
            figures.add(kind, stage, cents)
        return figures

    @cached_property
    def by_year(self) -> list[Figures]:
        groups = self._pivot(self._core["year"])
        for key, figures in groups.items():
            figures.label = str(key)
        return [groups[key] for key in sorted(groups, key=lambda k: int(k or 0))]

    def _labelled(
        self, groups: dict[GroupKey, Figures], label: Callable[[GroupKey], str], order: list[Any]
    ) -> list[Figures]:
        """Groups in the reference order, "Not attributed" last."""
        for key, figures in groups.items():
            figures.label = label(key)
        position = {key: index for index, key in enumerate(order)}
        return sorted(
            groups.values(), key=lambda f: (f.key is None, position.get(f.key, len(order)))
        )

    @cached_property
    def by_division(self) -> list[Figures]:
        groups = self._pivot(self._core["division"])
        return self._labelled(groups, self.reference.division_label, list(self.reference.divisions))

    @cached_property
    def by_modality(self) -> list[Figures]:
        groups = self._pivot(self._core["modality"])
        names = dict(Modality.choices)
        return self._labelled(
            groups, lambda key: str(names.get(str(key), key)), list(Modality.values)
        )

    @cached_property
    def by_theme(self) -> list[Figures]:
        groups = self._pivot(self._grouped("theme"))
        return self._labelled(groups, self.reference.theme_label, list(self.reference.themes))

    @cached_property
    def by_country(self) -> list[Figures]:
        """Largest allocated money first: the countries that matter most head the table."""
        groups = self._pivot(self._grouped("country"))
        for key, figures in groups.items():
            figures.label = self.reference.country_label(key)
        return sorted(
            groups.values(),
            key=lambda f: (f.key is None, -allocated_total(f), f.label),
        )

    @cached_property
    def _in_kind(self) -> InKindRead:
        """Read from the ledger, not the roll-ups (finance.quantities), in one pass."""
        return self._cached("in_kind", lambda: selection_in_kind(self.scope, self.filters))

    @property
    def unvalued(self) -> Unvalued:
        """The in-kind leverage left out for having no value."""
        return self._in_kind.unvalued

    @property
    def quantities(self) -> Quantities:
        """The selection's in-kind in quantities."""
        return self._in_kind.quantities

    @property
    def country_count(self) -> int:
        """Countries the selection's money is attributed to."""
        return sum(1 for figures in self.by_country if figures.key is not None)

    # ActivityYearTotal keeps one activity's money per year (a column per kind and stage), with
    # the activity's own dimensions copied: counts and rankings of activities read it without
    # touching the ledger.
    # ActivityMoney sums those over all years, one row per activity: with no year range asked
    # for, the counts and rankings read its one row per activity instead of every year's totals.
    # ActivityPair holds the activities' provider -> receiver pairs with the same dimensions:
    # the flows count them (those of the activities with totals in the years, for a range).

    @property
    def _all_years(self) -> bool:
        return self.filters.year_from is None and self.filters.year_to is None

    def _activity_q(self, *, years: bool = True) -> Q | None:
        """The selection as a condition on the rows of one activity (ActivityYearTotal,
        ActivityMoney, ActivityPair); `years=False` leaves the year range out, for the tables
        that have no year."""
        return activity_condition(self.scope, self.filters, years=years)

    def _per_activity(self, query: Q) -> QuerySet[Any]:
        """One row per activity in the selection: activity_id and its allocated money (ifad,
        cofinancing, in_kind, total, in cents)."""
        if self._all_years:
            return ActivityMoney.objects.filter(query).values(
                "activity_id",
                ifad=F("ifad_cents"),
                cofinancing=F("cofinancing_cents"),
                in_kind=F("in_kind_cents"),
                total=F("total_cents"),
            )
        return (
            ActivityYearTotal.objects.filter(query)
            .values("activity_id")
            .annotate(
                ifad=_allocated(IFAD_KINDS),
                cofinancing=_allocated([ContributionKind.COFINANCING]),
                in_kind=_allocated([ContributionKind.IN_KIND]),
                total=_allocated(ContributionKind.values),
            )
            .order_by()
        )

    @cached_property
    def _activity_rows(self) -> list[dict[str, Any]]:
        """The ten activities with the most allocated in the selection: one query. (They are
        counted with their agreement states: activity_count.)"""
        return self._cached("top", self._top_fetch())

    def _top_fetch(self) -> Callable[[], list[dict[str, Any]]]:
        query = self._activity_q()
        if query is None:
            return list
        per_activity = self._per_activity(query)
        inner, params = per_activity.query.sql_with_params()
        # Over all years, ActivityMoney's ranking index gives the first ten without sorting
        # the rest.
        order = "total DESC" if self._all_years else "COALESCE(total, 0) DESC"
        sql = f"""
            SELECT activity_id, ifad, cofinancing, in_kind, total
            FROM ({inner}) AS per_activity
            ORDER BY {order}, activity_id
            LIMIT %s
        """  # noqa: S608 (the inner query is the ORM's, its values are parameters)

        def fetch() -> list[dict[str, Any]]:
            with connections[per_activity.db].cursor() as cursor:
                cursor.execute(sql, [*params, TOP_ACTIVITIES])
                rows = cursor.fetchall()
            names = ("activity_id", "ifad", "cofinancing", "in_kind", "total")
            return [dict(zip(names, row, strict=True)) for row in rows if row[4]]

        return fetch

    @property
    def activity_count(self) -> int:
        """The activities with money in the selection: those of its agreement states (an
        activity has one)."""
        counts = self._agreement_counts
        return sum(counts.get(state, 0) for state in self.filters.agreements or counts)

    @cached_property
    def top_activities(self) -> list[TopActivity]:
        """The activities with the most money allocated (IFAD + cofinancing + in-kind); their
        titles are read live (one query), so a renamed activity shows its new title."""
        ranked = self._activity_rows
        # `or [0]` (no such pk): one query even for an empty ranking, so the page's number of
        # queries does not depend on what the selection holds.
        ids = [row["activity_id"] for row in ranked] or [0]
        activities = Activity.objects.select_related("lead_division").in_bulk(ids)
        return [
            TopActivity(
                activity=activities[row["activity_id"]],
                ifad=_cents(row["ifad"]),
                cofinancing=_cents(row["cofinancing"]),
                in_kind=_cents(row["in_kind"]),
            )
            for row in ranked
            if row["activity_id"] in activities
        ]

    @cached_property
    def _flow_rows(self) -> list[tuple[int, int, int, int]]:
        """(provider, receiver, activities, number of pairs) for the most frequent pairs."""
        return self._cached("flows", self._flows_fetch())

    def _flows_fetch(self) -> Callable[[], list[tuple[int, int, int, int]]]:
        query = self._activity_q()
        if query is None:
            return list
        filters = self.filters
        if self._all_years and not (
            filters.countries
            or filters.themes
            or filters.modalities
            or filters.statuses
            or filters.funding_natures
        ):
            # PairCount has the pairs counted by division, visibility and agreement: all the
            # scope and the division and agreement filters ask; with no agreement asked, the
            # counts over every agreement.
            counts = PairCount.objects.filter(query)
            if not filters.agreements:
                counts = counts.filter(agreement=EVERY_AGREEMENT)
            counted: QuerySet[Any] = counts.values(
                "provider_id", "receiver_id", weight=F("activities")
            )
        else:
            # The pairs carry their activity's dimensions: filtered as ActivityMoney is.
            pairs = ActivityPair.objects.filter(self._activity_q(years=False))
            if not self._all_years:
                # Then those of activities with money in the years (the filter above first
                # keeps, say, one division's pairs out of the whole portfolio's).
                in_years = ActivityYearTotal.objects.filter(query).values("activity_id").order_by()
                pairs = pairs.filter(activity_id__in=in_years)
            counted = pairs.values("provider_id", "receiver_id", weight=Value(1))
        inner, params = counted.order_by().query.sql_with_params()
        sql = f"""
            SELECT provider_id, receiver_id, SUM(weight) AS activities, COUNT(*) OVER () AS pairs
            FROM ({inner}) AS pair
            GROUP BY provider_id, receiver_id
            ORDER BY activities DESC, provider_id, receiver_id
            LIMIT %s
        """  # noqa: S608 (the inner query is the ORM's, its values are parameters)

        def fetch() -> list[tuple[int, int, int, int]]:
            with connections[counted.db].cursor() as cursor:
                cursor.execute(sql, [*params, TOP_FLOWS])
                return [tuple(row) for row in cursor.fetchall()]

        return fetch

    @property
    def flows(self) -> list[Flow]:
        countries = self.reference.countries
        return [
            Flow(countries[provider], countries[receiver], int(count))
            for provider, receiver, count, _pairs in self._flow_rows
            if provider in countries and receiver in countries
        ]

    @cached_property
    def coverage(self) -> Coverage:
        """How much of the selection every side confirmed, the agreement filter left out (two
        queries, three when the page is filtered by agreement)."""
        base_totals = None if self.filters.agreements else self.totals
        activities = self._agreement_counts
        return self._cached(
            "coverage",
            lambda: coverage(
                self.scope, self.filters, base_totals=base_totals, activities=activities
            ),
        )

    @cached_property
    def _agreement_counts(self) -> dict[str, int]:
        """The selection's activities counted by agreement, its filter on agreement left out:
        the coverage's counts, and the selection's own count (one read of the activities'
        rows, where counting them apart read them all once more)."""
        return self._cached("agreements", lambda: agreement_counts(self.scope, self.filters))

    @property
    def flow_pairs(self) -> int:
        return int(self._flow_rows[0][3]) if self._flow_rows else 0
