"""The dashboard's figures: the roll-ups read chart by chart, each chart with its data table.

Everything here reads the roll-up tables (finance.rollups), never the ledger, so the page costs
the same number of queries whatever the size of the portfolio: one query over the coarsest grain
that answers the filters gives the headline, years, divisions, modalities and leverage; one each
gives countries and themes (from the cells summed over all years, AllYearsCell, when no year
range is asked); ActivityMoney (all years) or ActivityYearTotal (a year range) gives the number
of activities and the top activities; PairCount or ActivityPair gives who shares with whom.

Money of an activity with several countries (or themes) is attributed by the countries' shares
(equal split when none is given) in whole cents (largest remainder), so the country and theme
tables add up to the portfolio total; `SPLIT_NOTE` says so on the page.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from html import escape as escape_text
from typing import Any, TypeVar, cast

import pycountry
from django.core.cache import caches
from django.db import connections
from django.db.models import F, Q, QuerySet, Sum, Value
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import RedisError

from accounts.models import User
from activities.models import (
    Activity,
    ActivityCountry,
    Country,
    Division,
    FundingNature,
    Modality,
    Status,
    Theme,
)

from .figures import FIGURE_LABELS, NO_VALUE, Percent, Ratio, format_percent, format_ratio
from .models import (
    CENT,
    IFAD_KINDS,
    ActivityMoney,
    ActivityPair,
    ActivityYearTotal,
    ContributionKind,
    PairCount,
    Stage,
)
from .rollups import (
    Figures,
    GroupKey,
    RollupFilters,
    RollupState,
    rollup_scope,
    rollup_state,
    scoped_all_years_rows,
    scoped_rollup_rows,
)

logger = logging.getLogger(__name__)

FAMILIES = ("ifad", "cofinancing", "in_kind")
STAGES = tuple(Stage.values)
TOP_ACTIVITIES = 10
TOP_FLOWS = 20
# Cached results are keyed by the roll-ups' "as of" time, so they are never stale; the timeout
# only bounds how long superseded ones take memory. The cache ("dashboard" in settings.CACHES) is
# Redis in production: every web process shares what one of them, or the worker, computed.
CACHE_SECONDS = 3600
T = TypeVar("T")


def family_label(family: str) -> str:
    return {"ifad": _("IFAD"), "cofinancing": _("Cofinancing"), "in_kind": _("In-kind")}[family]


def stage_label(stage: str) -> str:
    return {
        Stage.PLANNED: _("planned"),
        Stage.ALLOCATED: _("allocated"),
        Stage.SPENT: _("spent"),
    }[Stage(stage)]


# --- formatting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberStyle:
    """The active language's decimal mark and thousands separator, looked up once per table:
    looking them up per number (two settings lookups through the active language each) cost
    a third of the time the dashboard spends formatting its few thousand amounts."""

    decimal_mark: str
    thousands: str

    @classmethod
    def active(cls) -> NumberStyle:
        return cls(str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR")))


def grouped(value: Decimal | int, places: int, style: NumberStyle | None = None) -> str:
    """A number with the active language's separators, grouped by thousands.

    Python's own formatting with the separators swapped in: Django's number_format does the
    same but costs ten times more, and the country table alone has thousands of amounts.
    """
    style = style or NumberStyle.active()
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", style.decimal_mark).replace("\0", style.thousands)


def format_usd(value: Decimal | None, decimals: int = 2, style: NumberStyle | None = None) -> str:
    return NO_VALUE if value is None else "US$ " + grouped(value, decimals, style)


def format_amount(value: Decimal | None, style: NumberStyle | None = None) -> str:
    return NO_VALUE if value is None else grouped(value, 2, style)


def format_count(value: int, style: NumberStyle | None = None) -> str:
    return grouped(value, 0, style)


def chart_number(value: Decimal | None) -> float | None:
    """A JSON number for the chart library, which draws floats; tables and files keep Decimals."""
    return None if value is None else float(value)


# --- reference data -------------------------------------------------------------------------------


@functools.cache
def _iso_numeric() -> dict[str, str]:
    """ISO 3166 alpha-2 -> numeric code (the world map's feature ids, e.g. BR -> 076)."""
    return {country.alpha_2: country.numeric for country in pycountry.countries}


def iso_numeric(iso2: str) -> str:
    return _iso_numeric().get(iso2, "")


@dataclass(frozen=True)
class Reference:
    """Divisions, countries and themes, loaded once per request (three small queries): the
    filters' choices and every label of the dashboard come from here."""

    divisions: dict[int, Division]
    countries: dict[int, Country]
    themes: dict[int, Theme]

    @classmethod
    def load(cls) -> Reference:
        return cls(
            divisions={d.pk: d for d in Division.objects.all()},
            countries={c.pk: c for c in Country.objects.only("pk", "iso2", "iso3", "name")},
            themes={t.pk: t for t in Theme.objects.only("pk", "code", "name", "position")},
        )

    def division_label(self, pk: GroupKey) -> str:
        division = self.divisions.get(pk) if isinstance(pk, int) else None
        return f"{division.code}: {division.name}" if division else _("Not attributed")

    def country_label(self, pk: GroupKey) -> str:
        country = self.countries.get(pk) if isinstance(pk, int) else None
        return country.name if country else _("Not attributed")

    def theme_label(self, pk: GroupKey) -> str:
        theme = self.themes.get(pk) if isinstance(pk, int) else None
        return theme.name if theme else _("Not attributed")


def describe_filters(filters: RollupFilters, reference: Reference) -> list[str]:
    """The filters in words, one line per dimension (for the reports and their list)."""
    lines = []
    first, last = filters.year_from, filters.year_to
    if first is not None and last is not None:
        lines.append(_("Fiscal years %(first)s to %(last)s") % {"first": first, "last": last})
    elif first is not None:
        lines.append(_("From fiscal year %(first)s") % {"first": first})
    elif last is not None:
        lines.append(_("Up to fiscal year %(last)s") % {"last": last})
    named: list[tuple[str, Iterable[str]]] = [
        (
            _("Divisions"),
            (reference.divisions[pk].code for pk in filters.divisions if pk in reference.divisions),
        ),
        (_("Countries"), (reference.country_label(pk) for pk in filters.countries)),
        (_("Themes"), (reference.theme_label(pk) for pk in filters.themes)),
        (_("Modalities"), (str(Modality(v).label) for v in filters.modalities)),
        (_("Statuses"), (str(Status(v).label) for v in filters.statuses)),
        (_("Funding"), (str(FundingNature(v).label) for v in filters.funding_natures)),
    ]
    for title, values in named:
        text = ", ".join(values)
        if text:
            lines.append(f"{title}: {text}")
    return lines or [_("No filter: all the money you may see, every fiscal year")]


# --- tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | ratio | percent | count | mixed

    @property
    def is_number(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Cell:
    text: str
    is_number: bool
    link: str = ""


@dataclass
class Table:
    """A chart's data: what the page shows under the chart and the downloads contain."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    links: list[str] = field(default_factory=list)  # per row: where the first cell links to
    total: list[Any] | None = None

    def _cells(self, values: list[Any], style: NumberStyle, link: str = "") -> list[Cell]:
        cells = []
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            cells.append(
                Cell(
                    format_value(column, value, style),
                    column.is_number,
                    link if index == 0 else "",
                )
            )
        return cells

    @property
    def body(self) -> list[list[Cell]]:
        links = self.links or [""] * len(self.rows)
        style = NumberStyle.active()
        return [self._cells(row, style, link) for row, link in zip(self.rows, links, strict=True)]

    @property
    def footer(self) -> list[Cell] | None:
        return self._cells(self.total, NumberStyle.active()) if self.total is not None else None

    def html(self) -> SafeString:
        """The table as HTML, built in Python: the country table alone has a few thousand
        cells, and one template render per cell would cost more than the page's queries."""
        head = format_html_join(
            "",
            '<th scope="col"{}>{}</th>',
            ((' class="num"' if c.is_number else "", c.label) for c in self.columns),
        )
        rows = [_row_html(cells) for cells in self.body]
        if not rows:
            rows = [
                format_html(
                    '<tr><td colspan="{}">{}</td></tr>',
                    len(self.columns),
                    _("No money in this selection."),
                )
            ]
        footer = self.footer
        foot = f"<tfoot>{_row_html(footer)}</tfoot>" if footer and self.rows else ""
        # Every piece below is escaped where it is built (_row_html, format_html).
        return mark_safe(  # noqa: S308
            format_html(
                '<div class="table-wrap"><table class="table" data-table="{}">'
                '<caption class="visually-hidden">{}</caption><thead><tr>{}</tr></thead>',
                self.slug,
                self.title,
                head,
            )
            + "<tbody>"
            + "".join(rows)
            + "</tbody>"
            + foot
            + "</table></div>"
        )


def _row_html(cells: list[Cell]) -> str:
    # The standard library's escaping, joined plainly: Django's escape (lazy-aware) and
    # format_html per cell doubled the cost of the big tables. Same characters escaped.
    first, *rest = cells
    heading = escape_text(first.text)
    if first.link:
        heading = f'<a href="{escape_text(first.link)}">{heading}</a>'
    tds = "".join(
        f'<td class="num nowrap">{escape_text(c.text)}</td>'
        if c.is_number
        else f"<td>{escape_text(c.text)}</td>"
        for c in rest
    )
    return f'<tr><th scope="row">{heading}</th>{tds}</tr>'


def format_value(column: Column, value: Any, style: NumberStyle | None = None) -> str:
    if column.kind == "mixed":
        # The summary's one value column: money, counts, ratios and percentages.
        if isinstance(value, Ratio):
            return format_ratio(value)
        if isinstance(value, Percent):
            return format_percent(value)
        if isinstance(value, Decimal):
            return format_usd(value, style=style)
        if isinstance(value, int):
            return format_count(value, style)
    if column.kind == "money":
        # The column's label says US$; the cells carry the number only.
        return format_amount(value, style)
    if column.kind == "ratio":
        return format_ratio(value)
    if column.kind == "percent":
        return format_percent(value)
    if column.kind == "count":
        return format_count(value, style)
    return "" if value is None else str(value)


def money_columns(first: Column) -> list[Column]:
    """The columns of every money table: each family at each stage, then the leverage."""
    columns = [first]
    for family in FAMILIES:
        for stage in STAGES:
            columns.append(
                Column(
                    f"{family}_{stage}",
                    _("%(family)s %(stage)s (US$)")
                    % {"family": family_label(family), "stage": stage_label(stage)},
                    "money",
                )
            )
    columns.append(Column("leverage_allocated", str(FIGURE_LABELS["leverage_allocated"]), "ratio"))
    return columns


def money_row(label: Any, figures: Figures) -> list[Any]:
    values: list[Any] = [label]
    for family in FAMILIES:
        amounts = getattr(figures, family)
        values += [amounts[stage] for stage in STAGES]
    values.append(figures.leverage_allocated)
    return values


def money_table(
    slug: str, title: str, first: Column, groups: list[Figures], total: Figures
) -> Table:
    return Table(
        slug=slug,
        title=title,
        columns=money_columns(first),
        rows=[money_row(group.label, group) for group in groups],
        total=money_row(_("Total"), total),
    )


def summed(groups: list[Figures]) -> Figures:
    """The groups' total. Country and theme groups add up to the portfolio total by
    construction (the split is exact to the cent); summing them spares a download the query of
    the total, and the tests check it against the portfolio total."""
    total = Figures(label=_("Total"))
    for group in groups:
        for kind, stages in group.cents.items():
            for stage, cents in stages.items():
                total.add(kind, stage, cents)
    return total


def allocated_total(figures: Figures) -> Decimal:
    """IFAD + cofinancing + in-kind, allocated: what the map and the rankings weigh."""
    return sum((getattr(figures, family)[Stage.ALLOCATED] for family in FAMILIES), Decimal("0.00"))


# --- the selection --------------------------------------------------------------------------------


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


# The core query's four pivots of the groups `core` holds: each summed by its key, written as
# text so that the four share one column (a division's NULL stays NULL), then by kind and stage.
_CORE_PIVOT_SQL = " UNION ALL ".join(
    f"SELECT '{name}', {key}, kind, stage, SUM(cents) FROM core GROUP BY {group}"  # noqa: S608 (constants)
    for name, key, group in (
        ("year", "CAST(year AS VARCHAR(20))", "year, kind, stage"),
        ("division", "CAST(division_id AS VARCHAR(20))", "division_id, kind, stage"),
        ("modality", "modality", "modality, kind, stage"),
        ("total", "NULL", "kind, stage"),
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
    queries of that table. With `version` (the roll-ups' "as of" time) the query results are
    also cached: the roll-up tables change only when a slice is recomputed, which moves "as of",
    so a cached result is never older than the tables it was read from. Without a version (no
    roll-up computed yet) nothing is cached. The cache key holds the scope, not the user: CPMs of
    the same division share their figures.
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
        self._cache_down = False

    @cached_property
    def scope(self) -> Q | None:
        return self._scope if self.user is None else rollup_scope(self.user)

    @cached_property
    def _cache_prefix(self) -> str:
        scope = "none" if self.scope is None else _q_key(self.scope)
        key = json.dumps([self.version, scope, dataclasses.asdict(self.filters)], default=str)
        return "dashboard:" + hashlib.sha256(key.encode()).hexdigest()[:40] + ":"

    def _cached(self, part: str, compute: Callable[[], T]) -> T:
        if not self.version or self._cache_down:
            return compute()
        key = self._cache_prefix + part
        cache = caches["dashboard"]
        try:
            value = cache.get(key)
        except (RedisError, OSError):
            self._cache_unreachable()
            return compute()
        if value is None:
            value = compute()
            try:
                cache.set(key, value, CACHE_SECONDS)
            except (RedisError, OSError):
                self._cache_unreachable()
        return value

    def _cache_unreachable(self) -> None:
        # Redis down: the page is computed without the cache, which is not asked again for this
        # page (each attempt would wait for its connection timeout).
        logger.warning("Dashboard cache unreachable: figures computed without it")
        self._cache_down = True

    @cached_property
    def _core(self) -> dict[str, list[tuple[Any, str, str, int]]]:
        """Money by year, by division, by modality and in all: one query feeding five charts.

        The cells are summed by year x division x modality x kind x stage (thousands of
        groups), then those groups summed again four ways in the same statement, so only the
        few hundred sums of the four pivots come back, as (group, kind, stage, cents). Summing
        the groups in Python instead cost more than the query at 100,000 activities.
        """

        def fetch() -> dict[str, list[tuple[Any, str, str, int]]]:
            groups = (
                scoped_rollup_rows(
                    self.scope, self.filters, group_by=("year", "division", "modality")
                )
                .values_list("year", "division_id", "modality", "kind", "stage")
                .annotate(cents=Sum("amount_cents"))
                .order_by()
            )
            inner, params = groups.query.sql_with_params()
            sql = "WITH core AS (" + inner + ") " + _CORE_PIVOT_SQL
            pivots: dict[str, list[tuple[Any, str, str, int]]] = {name: [] for name in _CORE_KEYS}
            # On the database the ORM would read (the replica, in a lag-tolerant view).
            with connections[groups.db].cursor() as cursor:
                cursor.execute(sql, params)
                for name, key, kind, stage, cents in cursor.fetchall():
                    pivots[name].append((_CORE_KEYS[name](key), kind, stage, int(cents)))
            return pivots

        return self._cached("core", fetch)

    def _grouped(self, dimension: str) -> list[tuple[Any, str, str, int]]:
        """Money by country or theme, as (group, kind, stage, cents)."""
        column = f"{dimension}_id"
        # Over all years, the cells summed over the years answer (a few thousand rows where
        # the grain's cells are hundreds of thousands).
        rows: QuerySet[Any] | None = scoped_all_years_rows(self.scope, self.filters, dimension)
        if rows is None:
            rows = scoped_rollup_rows(self.scope, self.filters, group_by=[dimension])
        return self._cached(
            dimension,
            lambda: [
                tuple(row)
                for row in rows.values_list(column, "kind", "stage")
                .annotate(cents=Sum("amount_cents"))
                .order_by()
            ],
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

    @property
    def country_count(self) -> int:
        """Countries the selection's money is attributed to."""
        return sum(1 for figures in self.by_country if figures.key is not None)

    # ActivityYearTotal keeps one activity's money per year, kind and stage, with the activity's
    # own dimensions copied: counts and rankings of activities read it without touching the ledger.
    # ActivityMoney sums those over all years, one row per activity: with no year range asked
    # for, the counts and rankings read its 100,000 rows instead of a million totals.
    # ActivityPair holds the activities' provider -> receiver pairs with the same dimensions:
    # the flows count them (those of the activities with totals in the years, for a range).

    @property
    def _all_years(self) -> bool:
        return self.filters.year_from is None and self.filters.year_to is None

    def _activity_q(self, *, years: bool = True) -> Q | None:
        """The selection as a condition on the rows of one activity (ActivityYearTotal,
        ActivityMoney, ActivityPair); `years=False` leaves the year range out, for the tables
        that have no year."""
        if self.scope is None:
            return None
        filters = self.filters
        query = self.scope
        if years and filters.year_from is not None:
            query &= Q(year__gte=filters.year_from)
        if years and filters.year_to is not None:
            query &= Q(year__lte=filters.year_to)
        for values, name in (
            (filters.divisions, "division_id"),
            (filters.modalities, "modality"),
            (filters.statuses, "status"),
            (filters.funding_natures, "funding_nature"),
        ):
            if values:
                query &= Q(**{f"{name}__in": values})
        # An activity is in when one of its countries (themes) is: a subquery, not a join, so
        # an activity with two selected countries is still one activity.
        if filters.countries:
            links = ActivityCountry.objects.filter(country_id__in=filters.countries)
            query &= Q(activity_id__in=links.values("activity_id"))
        if filters.themes:
            tagged = Activity.themes.through.objects.filter(theme_id__in=filters.themes)
            query &= Q(activity_id__in=tagged.values("activity_id"))
        return query

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
        allocated = Q(stage=Stage.ALLOCATED)
        return (
            ActivityYearTotal.objects.filter(query)
            .values("activity_id")
            .annotate(
                ifad=Sum("amount_cents", filter=allocated & Q(kind__in=IFAD_KINDS)),
                cofinancing=Sum(
                    "amount_cents", filter=allocated & Q(kind=ContributionKind.COFINANCING)
                ),
                in_kind=Sum("amount_cents", filter=allocated & Q(kind=ContributionKind.IN_KIND)),
                total=Sum("amount_cents", filter=allocated),
            )
            .order_by()
        )

    @cached_property
    def _activity_rows(self) -> tuple[int, list[dict[str, Any]]]:
        """The number of activities with money in the selection and the ten with the most
        allocated: one query."""
        query = self._activity_q()
        if query is None:
            return 0, []
        per_activity = self._per_activity(query)
        inner, params = per_activity.query.sql_with_params()
        if self._all_years:
            # ActivityMoney's ranking index gives the first ten without sorting the rest; the
            # activities are counted apart (a window would read every row before the first).
            sql = f"""
                SELECT activity_id, ifad, cofinancing, in_kind, total,
                       (SELECT COUNT(*) FROM ({inner}) AS counted) AS activities
                FROM ({inner}) AS per_activity
                ORDER BY total DESC, activity_id
                LIMIT %s
            """  # noqa: S608 (the inner query is the ORM's, its values are parameters)
            params = (*params, *params)
        else:
            # The window counts the groups (activities) before LIMIT keeps the first ten.
            sql = f"""
                SELECT activity_id, ifad, cofinancing, in_kind, total,
                       COUNT(*) OVER () AS activities
                FROM ({inner}) AS per_activity
                ORDER BY COALESCE(total, 0) DESC, activity_id
                LIMIT %s
            """  # noqa: S608 (the inner query is the ORM's, its values are parameters)

        def fetch() -> tuple[int, list[dict[str, Any]]]:
            with connections[per_activity.db].cursor() as cursor:
                cursor.execute(sql, [*params, TOP_ACTIVITIES])
                rows = cursor.fetchall()
            count = int(rows[0][5]) if rows else 0
            names = ("activity_id", "ifad", "cofinancing", "in_kind", "total")
            ranked = [dict(zip(names, row[:5], strict=True)) for row in rows if row[4]]
            return count, ranked

        return self._cached("activities", fetch)

    @property
    def activity_count(self) -> int:
        return self._activity_rows[0]

    @cached_property
    def top_activities(self) -> list[TopActivity]:
        """The activities with the most money allocated (IFAD + cofinancing + in-kind); their
        titles are read live (one query), so a renamed activity shows its new title."""
        ranked = self._activity_rows[1]
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
        query = self._activity_q()
        if query is None:
            return []
        filters = self.filters
        if self._all_years and not (
            filters.countries
            or filters.themes
            or filters.modalities
            or filters.statuses
            or filters.funding_natures
        ):
            # PairCount has the pairs counted by division and visibility: all the scope and
            # the division filter ask.
            counted: QuerySet[Any] = PairCount.objects.filter(query).values(
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

        return self._cached("flows", fetch)

    @property
    def flows(self) -> list[Flow]:
        countries = self.reference.countries
        return [
            Flow(countries[provider], countries[receiver], int(count))
            for provider, receiver, count, _pairs in self._flow_rows
            if provider in countries and receiver in countries
        ]

    @property
    def flow_pairs(self) -> int:
        return int(self._flow_rows[0][3]) if self._flow_rows else 0


def _q_key(query: Q) -> Any:
    """A Q as plain, ordered data: the same scope always gives the same cache key."""
    children = []
    for child in query.children:
        if isinstance(child, Q):
            children.append(_q_key(child))
        else:
            name, value = cast(tuple[str, Any], child)
            if isinstance(value, set | frozenset | list | tuple):
                value = sorted(value, key=str)
            children.append([name, value])
    return [query.connector, query.negated, children]


# --- charts ---------------------------------------------------------------------------------------

SPLIT_NOTE = gettext_lazy(
    "An activity with several countries has its money split between them by the shares given "
    "on the activity, or equally when none are given; money over several themes is split "
    "equally. Splits are in whole cents (the leftover cents go to the largest remainders), so "
    "the rows add up exactly to the portfolio total. Money of activities without a country or "
    "theme is shown as “Not attributed”."
)


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    table: Table
    data: dict[str, Any]  # what static/js/dashboard.js draws
    note: str = ""
    wide: bool = False


def _series_by_family(groups: list[Figures], stage: str) -> list[dict[str, Any]]:
    return [
        {
            "family": family,
            "name": family_label(family),
            "values": [chart_number(getattr(g, family)[stage]) for g in groups],
        }
        for family in FAMILIES
    ]


def year_chart(selection: Selection) -> Chart:
    groups = selection.by_year
    return Chart(
        slug="years",
        title=_("Money by fiscal year"),
        description=_(
            "Each year has three bars, planned, allocated and spent (left to right, lighter to "
            "darker); each bar stacks IFAD, cofinancing and in-kind, in US$."
        ),
        table=money_table(
            "years",
            _("Money by fiscal year"),
            Column("year", _("Fiscal year")),
            groups,
            selection.totals,
        ),
        data={
            "kind": "years",
            "categories": [g.label for g in groups],
            "stages": [{"key": s, "name": stage_label(s)} for s in STAGES],
            "series": {stage: _series_by_family(groups, stage) for stage in STAGES},
        },
        wide=True,
    )


def division_codes(selection: Selection, groups: list[Figures]) -> list[str]:
    """Short chart labels for divisions (APR, ESA, ...); the tables keep the full names."""
    divisions = selection.reference.divisions
    return [
        divisions[g.key].code if isinstance(g.key, int) and g.key in divisions else g.label
        for g in groups
    ]


def _stacked_chart(
    slug: str,
    title: str,
    first: Column,
    groups: list[Figures],
    total: Figures,
    note: str = "",
    categories: list[str] | None = None,
) -> Chart:
    return Chart(
        slug=slug,
        title=title,
        description=_("Allocated US$, stacked: IFAD, cofinancing and in-kind."),
        table=money_table(slug, title, first, groups, total),
        data={
            "kind": "stacked",
            "categories": categories or [g.label for g in groups],
            "series": _series_by_family(groups, Stage.ALLOCATED),
        },
        note=note,
    )


def division_chart(selection: Selection) -> Chart:
    return _stacked_chart(
        "divisions",
        _("Money by lead division"),
        Column("division", _("Division")),
        selection.by_division,
        selection.totals,
        categories=division_codes(selection, selection.by_division),
    )


def theme_chart(selection: Selection) -> Chart:
    return _stacked_chart(
        "themes",
        _("Money by theme"),
        Column("theme", _("Theme")),
        selection.by_theme,
        summed(selection.by_theme),
        note=str(SPLIT_NOTE),
    )


def modality_chart(selection: Selection) -> Chart:
    groups = selection.by_modality
    title = _("Money by modality")
    return Chart(
        slug="modalities",
        title=title,
        description=_("Allocated US$ (IFAD + cofinancing + in-kind) by modality."),
        table=money_table(
            "modalities", title, Column("modality", _("Modality")), groups, selection.totals
        ),
        data={
            "kind": "pie",
            "items": [{"name": g.label, "value": chart_number(allocated_total(g))} for g in groups],
        },
    )


def leverage_chart(selection: Selection) -> Chart:
    groups = selection.by_division
    total = selection.totals
    title = _("Leverage by lead division")

    def row(label: str, figures: Figures) -> list[Any]:
        others = figures.cofinancing[Stage.ALLOCATED] + figures.in_kind[Stage.ALLOCATED]
        return [label, figures.ifad[Stage.ALLOCATED], others, figures.leverage_allocated]

    return Chart(
        slug="leverage",
        title=title,
        description=_(
            "(Cofinancing + in-kind) / IFAD, allocated basis; the dashed line is the whole "
            "selection's, %(overall)s."
        )
        % {"overall": format_ratio(total.leverage_allocated)},
        table=Table(
            slug="leverage",
            title=title,
            columns=[
                Column("division", _("Division")),
                Column("ifad", _("IFAD allocated (US$)"), "money"),
                Column("others", _("Cofinancing + in-kind allocated (US$)"), "money"),
                Column("leverage_allocated", str(FIGURE_LABELS["leverage_allocated"]), "ratio"),
            ],
            rows=[row(g.label, g) for g in groups],
            total=row(_("Total"), total),
        ),
        data={
            "kind": "leverage",
            "categories": division_codes(selection, groups),
            "values": [chart_number(g.leverage_allocated) for g in groups],
            "overall": chart_number(total.leverage_allocated),
        },
    )


def country_chart(selection: Selection, map_url: str) -> Chart:
    groups = selection.by_country
    title = _("Money by country")
    items = []
    for figures in groups:
        key = figures.key
        country = selection.reference.countries.get(key) if isinstance(key, int) else None
        code = iso_numeric(country.iso2) if country else ""
        if code:
            items.append(
                {
                    "name": code,
                    "label": figures.label,
                    "value": chart_number(allocated_total(figures)),
                }
            )
    return Chart(
        slug="countries",
        title=title,
        description=_(
            "Allocated US$ (IFAD + cofinancing + in-kind) attributed to each country; countries "
            "the map cannot show are in the table."
        ),
        table=money_table(
            "countries", title, Column("country", _("Country")), groups, summed(groups)
        ),
        data={"kind": "map", "mapUrl": map_url, "items": items, "valueName": _("Allocated")},
        note=str(SPLIT_NOTE),
        wide=True,
    )


def flow_chart(selection: Selection) -> Chart:
    flows = selection.flows
    title = _("Who shares with whom")
    return Chart(
        slug="flows",
        title=title,
        description=_(
            "Provider countries (left) and receiver countries (right) of the same activity, "
            "weighted by the number of activities with money in the selection; the %(top)d most "
            "frequent pairs of %(pairs)s. Two-way exchange countries count on both sides."
        )
        % {"top": TOP_FLOWS, "pairs": format_count(selection.flow_pairs)},
        table=Table(
            slug="flows",
            title=title,
            columns=[
                Column("provider", _("Provider country")),
                Column("receiver", _("Receiver country")),
                Column("activities", _("Activities"), "count"),
            ],
            rows=[[f.provider.name, f.receiver.name, f.activities] for f in flows],
        ),
        data={
            "kind": "flows",
            "links": [
                {"source": f.provider.iso2, "target": f.receiver.iso2, "value": f.activities}
                for f in flows
            ],
            "names": {
                country.iso2: country.name for f in flows for country in (f.provider, f.receiver)
            },
            "providerName": _("provides"),
            "receiverName": _("receives"),
            "valueName": _("activities"),
        },
        wide=True,
    )


def top_chart(selection: Selection) -> Chart:
    top = selection.top_activities
    title = _("Top activities by money allocated")
    return Chart(
        slug="top",
        title=title,
        description=_(
            "The %(count)d activities with the most money allocated in the selection: IFAD + "
            "cofinancing + in-kind, in US$, each activity's whole money (not split by country)."
        )
        % {"count": TOP_ACTIVITIES},
        table=Table(
            slug="top",
            title=title,
            columns=[
                Column("ssc_id", _("SSC ID")),
                Column("title", _("Activity")),
                Column("division", _("Division")),
                Column("ifad", _("IFAD allocated (US$)"), "money"),
                Column("cofinancing", _("Cofinancing allocated (US$)"), "money"),
                Column("in_kind", _("In-kind allocated (US$)"), "money"),
                Column("total", _("Total allocated (US$)"), "money"),
            ],
            rows=[
                [
                    t.activity.ssc_id,
                    t.activity.title,
                    t.activity.lead_division.code,
                    t.ifad,
                    t.cofinancing,
                    t.in_kind,
                    t.total,
                ]
                for t in top
            ],
            links=[reverse("finance:activity", args=[t.activity.pk]) for t in top],
        ),
        data={
            "kind": "stacked",
            "categories": [t.activity.ssc_id for t in top],
            "series": [
                {
                    "family": family,
                    "name": family_label(family),
                    "values": [chart_number(getattr(t, family)) for t in top],
                }
                for family in FAMILIES
            ],
        },
        wide=True,
    )


# --- the whole dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: str


@dataclass
class Dashboard:
    selection: Selection
    state: RollupState
    charts: list[Chart]

    @property
    def figures(self) -> Figures:
        return self.selection.totals

    @property
    def is_empty(self) -> bool:
        """No money at all in the selection (or the roll-ups were never computed)."""
        return not self.selection._core["total"]

    @property
    def stats(self) -> list[Stat]:
        return headline(self.selection)

    @property
    def tables(self) -> list[Table]:
        return [summary_table(self.selection), *(chart.table for chart in self.charts)]

    def chart_data(self) -> dict[str, Any]:
        return {chart.slug: chart.data for chart in self.charts}


def headline(selection: Selection) -> list[Stat]:
    figures = selection.totals
    return [
        Stat("ifad_planned", _("IFAD planned"), format_usd(figures.ifad[Stage.PLANNED], 0)),
        Stat("ifad_allocated", _("IFAD allocated"), format_usd(figures.ifad[Stage.ALLOCATED], 0)),
        Stat("ifad_spent", _("IFAD spent"), format_usd(figures.ifad[Stage.SPENT], 0)),
        Stat(
            "cofinancing",
            _("Cofinancing allocated"),
            format_usd(figures.cofinancing[Stage.ALLOCATED], 0),
        ),
        Stat("in_kind", _("In-kind allocated"), format_usd(figures.in_kind[Stage.ALLOCATED], 0)),
        Stat(
            "leverage",
            str(FIGURE_LABELS["leverage_allocated"]),
            format_ratio(figures.leverage_allocated),
        ),
        Stat(
            "execution",
            str(FIGURE_LABELS["execution_rate_ifad"]),
            format_percent(figures.execution_rate_ifad),
        ),
        Stat("activities", _("Activities with money"), format_count(selection.activity_count)),
        Stat("countries", _("Countries involved"), format_count(selection.country_count)),
    ]


def _derived_rows(figures: Figures) -> list[tuple[Any, Any]]:
    return [(FIGURE_LABELS[name], value) for name, value in figures.derived().items()]


def summary_table(selection: Selection) -> Table:
    """The headline figures with full cents, as the downloads and the report's first sheet."""
    figures = selection.totals
    rows: list[list[Any]] = []
    for family in FAMILIES:
        for stage in STAGES:
            rows.append(
                [
                    _("%(family)s %(stage)s (US$)")
                    % {"family": family_label(family), "stage": stage_label(stage)},
                    getattr(figures, family)[stage],
                ]
            )
    rows += [[str(label), value] for label, value in _derived_rows(figures)]
    rows += [
        [_("Activities with money"), selection.activity_count],
        [_("Countries involved"), selection.country_count],
    ]
    return Table(
        slug="summary",
        title=_("Headline figures"),
        columns=[Column("figure", _("Figure")), Column("value", _("Value"), "mixed")],
        rows=rows,
    )


CHART_BUILDERS: dict[str, Callable[[Selection, str], Chart]] = {
    "years": lambda s, _map: year_chart(s),
    "divisions": lambda s, _map: division_chart(s),
    "leverage": lambda s, _map: leverage_chart(s),
    "themes": lambda s, _map: theme_chart(s),
    "modalities": lambda s, _map: modality_chart(s),
    "countries": country_chart,
    "flows": lambda s, _map: flow_chart(s),
    "top": lambda s, _map: top_chart(s),
}
TABLE_SLUGS = ("summary", *CHART_BUILDERS)


def cache_version(state: RollupState) -> str:
    """What cached figures are keyed by: the roll-ups' "as of" time ("" when never computed)."""
    return state.as_of.isoformat() if state.as_of else ""


def build_dashboard(selection: Selection, state: RollupState, *, map_url: str = "") -> Dashboard:
    charts = [build(selection, map_url) for build in CHART_BUILDERS.values()]
    return Dashboard(selection=selection, state=state, charts=charts)


def build_table(selection: Selection, slug: str) -> Table:
    """One table alone (a download): only the queries that table needs."""
    if slug == "summary":
        return summary_table(selection)
    return CHART_BUILDERS[slug](selection, "").table


def warm_default_views() -> bool:
    """Compute and cache the unfiltered dashboard of the whole portfolio, the focal point's first
    view; return whether it was computed.

    The worker runs this after recomputing roll-ups, so that the first person to open the
    dashboard after an edit is served from the cache instead of waiting for every chart's query
    (a second or two at 100,000 activities). Narrower views (a division's, a filtered one) cost
    a fraction of that and are computed on demand: warming them all after every edit would keep
    the worker busy for seconds per edit.
    """
    version = cache_version(rollup_state())
    if not version:
        return False
    selection = Selection(None, RollupFilters(), Reference.load(), version=version, scope=Q())
    # What the page reads: the core pivots, countries, themes, activities and flows.
    selection.totals, selection.by_country, selection.by_theme  # noqa: B018
    selection.activity_count, selection.flows  # noqa: B018
    return True
