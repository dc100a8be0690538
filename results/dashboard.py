"""The focal point's results dashboard: each active core indicator's portfolio figure, computed
in the database (two queries whatever the size of the portfolio), and the activities behind it.

A figure applies its core indicator's rule to the period actuals that results.progress defines
(approved updates no revision replaced; summed, or the latest one, as the indicator says), read
from their cache, one stored row per period (`PeriodFigure`, kept by results.period_figures):

- `sum`: the actuals of every reporting period in the selection, added up;
- `latest`: for each activity, the actual of its latest reported period (by end, start, id),
  then summed over the activities;
- `achieved`: for each indicator, its latest reported period; the indicators marked achieved
  are counted;
- source `plan_follow_ups`: for each action plan of a learning route recorded as an activity,
  its latest recorded follow-up (by observation day, months, id); the plans adopted are counted.

Targets follow the same rule: every period's target (`sum`), each activity's latest target
(`latest`), the number of indicators (`achieved`), the number of plans followed up (plans).
The selection keeps the periods whose end falls in the years asked for (the follow-ups
observed in them) and the activities of the divisions, countries, themes and modalities asked
for. tests/results/test_dashboard_reconciliation.py checks every figure against these rules
applied in Python over results.progress.actuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import formatting
from activities.models import Activity, ActivityCountry
from finance.dashboard import Column, Table, chart_number
from knowledge.models import ActionPlan, LearningRoute

from .models import (
    VALUE_PLACES,
    Aggregation,
    CoreIndicator,
    CoreSource,
    FollowUpOutcome,
    PeriodFigure,
    PlanFollowUp,
)

# The rule each figure follows, as the SQL below names it.
PLANS = "plans"
RULE_LABELS = {
    Aggregation.SUM: gettext_lazy("Sum of the period actuals"),
    Aggregation.LATEST: gettext_lazy("Latest actual of each activity, summed"),
    Aggregation.ACHIEVED: gettext_lazy("Indicators marked achieved"),
    PLANS: gettext_lazy("Action plans whose latest follow-up is 'adopted'"),
}
TARGET_LABELS = {
    Aggregation.SUM: gettext_lazy("Target"),
    Aggregation.LATEST: gettext_lazy("Target"),
    Aggregation.ACHIEVED: gettext_lazy("Indicators"),
    PLANS: gettext_lazy("Plans followed up"),
}


@dataclass(frozen=True)
class ResultsFilters:
    """What the dashboard is asked for: years of the period end (of the follow-up's
    observation), and the activities' lead divisions, countries, themes and modalities (ids and
    codes; nothing means all)."""

    year_from: int | None = None
    year_to: int | None = None
    divisions: tuple[int, ...] = ()
    countries: tuple[int, ...] = ()
    themes: tuple[int, ...] = ()
    modalities: tuple[str, ...] = ()

    def for_year(self, year: int) -> ResultsFilters:
        return ResultsFilters(
            year,
            year,
            self.divisions,
            self.countries,
            self.themes,
            self.modalities,
        )


def rule_of(core: CoreIndicator) -> str:
    return PLANS if core.source == CoreSource.PLAN_FOLLOW_UPS else core.aggregation


@dataclass
class YearFigure:
    year: int
    actual: Decimal | None
    target: Decimal | None
    activities: int


@dataclass
class Figure:
    """One core indicator's figure under the selection."""

    core: CoreIndicator
    actual: Decimal | None = None  # None: nothing reported, which is not zero
    target: Decimal | None = None
    activities: int = 0  # activities with a counted actual
    years: list[YearFigure] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return rule_of(self.core)

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS[self.rule])

    @property
    def target_label(self) -> str:
        return str(TARGET_LABELS[self.rule])

    @property
    def is_count(self) -> bool:
        return self.rule in (Aggregation.ACHIEVED, PLANS)

    @property
    def unit(self) -> str:
        if self.rule == PLANS:
            return _("action plans")
        if self.rule == Aggregation.ACHIEVED:
            return _("indicators")
        return self.core.unit

    @property
    def percent(self) -> int | None:
        """The actual as a share of the target (None without both)."""
        if self.actual is None or not self.target:
            return None
        return int(self.actual / self.target * 100)


@dataclass
class Contribution:
    """One activity's part of a figure: what it adds to the actual and to the target."""

    activity_id: int
    ssc_id: str
    title: str
    actual: Decimal | None
    target: Decimal | None


def _table(model: Any) -> str:
    return str(model._meta.db_table)


# What each stored period adds to its figure (results.period_figures keeps the rows), over the
# years asked for (`*_all`) and within its own year (`*_year`). A row counts when the next row
# of the chain its rule reads falls after the bound (the last year asked for, or the row's own
# year), or when its rule reads no chain (`sum`): so `latest` takes the activity's last
# reported row and its last row with a target, `achieved` the indicator's last reported row
# and its last row (the indicator counted once). An activity counts once, on its last reported
# row. No ranking and no join: one pass over the rows.
_PERIOD_ROWS = """
        SELECT core_id, activity_id, year,
               CASE WHEN reported AND (value_next IS NULL OR value_next > bound)
                    THEN value END AS actual_all,
               CASE WHEN target_next IS NULL OR target_next > bound THEN target END AS target_all,
               CASE WHEN reported AND (activity_next IS NULL OR activity_next > bound)
                    THEN 1 ELSE 0 END AS counted_all,
               CASE WHEN reported AND (value_next IS NULL OR value_next > year)
                    THEN value END AS actual_year,
               CASE WHEN target_next IS NULL OR target_next > year THEN target END AS target_year,
               CASE WHEN reported AND (activity_next IS NULL OR activity_next > year)
                    THEN 1 ELSE 0 END AS counted_year
        FROM (
            SELECT f.core_id, f.activity_id, f.year, f.reported, f.value, f.target, %s AS bound,
                   f.next_reported_in_activity AS activity_next,
                   f.rule_value_next AS value_next, f.rule_target_next AS target_next
            FROM {figures} f
            WHERE {where}
        ) chosen"""
NO_LATER_YEAR = 9999  # the bound when no last year is asked for: no chain's next row is after it

# The plans' rows (a follow-up each) and their part of the actual and the target over all the
# years (`*_all`) and within its year (`*_year`). One sort serves both windows: by plan, year,
# then observation day, months, id; counted from the row to the plan's (year's) end, the running
# count is 1 on the plan's last row. Ranked once, then repeated for each core indicator of the
# plans. Window functions rather than PostgreSQL's DISTINCT ON: the statements also run on the
# embedded SQLite of `make run`.
_PLAN_RANKED = """plan_rows AS (
            SELECT route.activity_id, p.id AS grp, {year} AS year,
                   CASE WHEN f.outcome = %s THEN 1 ELSE 0 END AS value,
                   f.recorded_on AS o1, f.months AS o2, f.id AS o3
            FROM {follow_ups} f
            JOIN {plans} p ON p.id = f.plan_id
            JOIN {routes} route ON route.id = p.route_id
            {activity_join}
            WHERE {where}
        ),
        plan_ranked AS (
            SELECT activity_id, year,
                   CASE WHEN COUNT(*) OVER later = 1 THEN value END AS actual_all,
                   CASE WHEN COUNT(*) OVER later = 1 THEN 1 END AS target_all,
                   CASE WHEN COUNT(*) OVER later_in_year = 1 THEN value END AS actual_year,
                   CASE WHEN COUNT(*) OVER later_in_year = 1 THEN 1 END AS target_year
            FROM plan_rows
            WINDOW later AS (PARTITION BY grp ORDER BY year, o1, o2, o3
                             ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
                   later_in_year AS (PARTITION BY grp, year ORDER BY o1, o2, o3
                                     ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
        ),
        ranked AS (
            SELECT c.id AS core_id, r.activity_id, r.year, r.actual_all, r.target_all,
                   r.actual_year, r.target_year
            FROM plan_ranked r CROSS JOIN {cores} c
            WHERE {core_where}
        )"""


# Sent with the figures' statement (one round trip, one implicit transaction): PostgreSQL's
# estimate of a pass over every stored period is above its JIT threshold, and compiling it costs
# more than it saves; the sums by activity behind a figure, and the plans' sort, spill to disk
# under the default work_mem (benchmarks/README.md).
NO_JIT = "SET LOCAL jit = off;\nSET LOCAL work_mem = '32MB';\n"


def _prefix() -> str:
    return NO_JIT if connection.vendor == "postgresql" else ""


def _year(column: str) -> str:
    """The year of a date column as an integer (PostgreSQL, or the embedded SQLite)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(YEAR FROM {column})::int"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _in(column: str, values: list[Any]) -> str:
    """`column` is one of `values` (a placeholder each: portable, unlike `= ANY`)."""
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _linked(column: str, table: str, key: str, values: list[Any]) -> str:
    """The activities (`column`) linked to one of `values`."""
    return f"{column} IN (SELECT activity_id FROM {table} WHERE {_in(key, values)})"  # noqa: S608


def _activity_conditions(
    filters: ResultsFilters, *, division: str, modality: str, activity: str
) -> tuple[list[str], list[Any]]:
    """The activity filters as SQL over the columns named, with their parameters. Countries
    and themes are subqueries: an activity with two chosen countries is one."""
    where: list[str] = []
    params: list[Any] = []
    if filters.divisions:
        where.append(_in(division, list(filters.divisions)))
        params.extend(filters.divisions)
    if filters.modalities:
        where.append(_in(modality, list(filters.modalities)))
        params.extend(filters.modalities)
    if filters.countries:
        countries = list(filters.countries)
        where.append(_linked(activity, _table(ActivityCountry), "country_id", countries))
        params.extend(countries)
    if filters.themes:
        themes = list(filters.themes)
        where.append(_linked(activity, _table(Activity.themes.through), "theme_id", themes))
        params.extend(themes)
    return where, params


def _year_conditions(filters: ResultsFilters, column: str) -> tuple[list[str], list[Any]]:
    where, params = [], []
    if filters.year_from is not None:
        where.append(f"{column} >= %s")
        params.append(filters.year_from)
    if filters.year_to is not None:
        where.append(f"{column} <= %s")
        params.append(filters.year_to)
    return where, params


def period_rows_sql(filters: ResultsFilters, core_ids: list[int]) -> tuple[str, list[Any]]:
    """A subquery: one row per stored period of the core indicators (`core_ids`: active, their
    values from updates) in the selection, with what it adds to the actual, the target and the
    activity count over the years asked for (`*_all`) and within its own year (`*_year`)."""
    activity_where, activity_params = _activity_conditions(
        filters, division="f.division_id", modality="f.modality", activity="f.activity_id"
    )
    year_where, year_params = _year_conditions(filters, "f.year")
    cores = _in("f.core_id", core_ids) if core_ids else "1 = 0"
    sql = _PERIOD_ROWS.format(
        figures=_table(PeriodFigure), where=" AND ".join([cores, *activity_where, *year_where])
    )
    bound = NO_LATER_YEAR if filters.year_to is None else filters.year_to
    return sql, [bound, *core_ids, *activity_params, *year_params]


def plan_ranked_sql(filters: ResultsFilters, core_ids: list[int]) -> tuple[str, list[Any]]:
    """The CTEs ending in `ranked`: one row per recorded follow-up in the selection and core
    indicator (`core_ids`: active, their values from the plans), with what it adds to its plan's
    figure over all the years (`*_all`) and within its year (`*_year`)."""
    activity_where, activity_params = _activity_conditions(
        filters, division="a.lead_division_id", modality="a.modality", activity="a.id"
    )
    year_where, year_params = _year_conditions(filters, _year("f.recorded_on"))
    # The activities' table only when a filter reads it.
    activity_join = ""
    if activity_where:
        activity_join = f"JOIN {_table(Activity)} a ON a.id = route.activity_id"
    where = ["f.outcome <> ''", "route.activity_id IS NOT NULL", *activity_where, *year_where]
    sql = _PLAN_RANKED.format(
        year=_year("f.recorded_on"),
        follow_ups=_table(PlanFollowUp),
        plans=_table(ActionPlan),
        routes=_table(LearningRoute),
        activity_join=activity_join,
        cores=_table(CoreIndicator),
        where=" AND ".join(where),
        core_where=_in("c.id", core_ids) if core_ids else "1 = 0",
    )
    return sql, [FollowUpOutcome.ADOPTED, *activity_params, *year_params, *core_ids]


def _decimal(value: Any) -> Decimal | None:
    """PostgreSQL's numeric is a Decimal already; SQLite's sums are floats, of values with at
    most VALUE_PLACES decimals."""
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-VALUE_PLACES)).normalize()
    return Decimal(value)


def _plus(total: Decimal | None, value: Any) -> Decimal | None:
    """A sum in which nothing reported stays None (which is not zero)."""
    value = _decimal(value)
    if value is None:
        return total
    return value if total is None else total + value


def active_cores() -> list[CoreIndicator]:
    return list(CoreIndicator.objects.filter(is_active=True))


def portfolio_figures(filters: ResultsFilters) -> list[Figure]:
    """Every active core indicator's figure, with its years: two queries. The stored periods
    give their figures by year, with their part of the whole; the plans, by year and whole."""
    figures = {core.pk: Figure(core=core) for core in active_cores()}
    if not figures:
        return []
    from_plans = [pk for pk, f in figures.items() if f.core.source == CoreSource.PLAN_FOLLOW_UPS]
    periods, period_params = period_rows_sql(
        filters, [pk for pk in figures if pk not in from_plans]
    )
    plans, plan_params = plan_ranked_sql(filters, from_plans)
    sql = f"""WITH {plans}
        SELECT core_id, year, SUM(actual_year), SUM(target_year), SUM(counted_year),
               SUM(actual_all), SUM(target_all), SUM(counted_all)
        FROM ({periods}) period_rows GROUP BY core_id, year
        UNION ALL
        SELECT core_id, year, SUM(actual_year), SUM(target_year),
               COUNT(DISTINCT CASE WHEN actual_year IS NOT NULL THEN activity_id END),
               NULL, NULL, 0
        FROM ranked GROUP BY core_id, year
        UNION ALL
        SELECT core_id, NULL, NULL, NULL, 0, SUM(actual_all), SUM(target_all),
               COUNT(DISTINCT CASE WHEN actual_all IS NOT NULL THEN activity_id END)
        FROM ranked GROUP BY core_id
        ORDER BY 1, 2
    """  # noqa: S608 (the fragments' values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(_prefix() + sql, [*plan_params, *period_params])
        rows = cursor.fetchall()
    for core_id, year, actual, target, counted, actual_all, target_all, counted_all in rows:
        figure = figures[core_id]
        if year is not None:
            figure.years.append(
                YearFigure(int(year), _decimal(actual), _decimal(target), int(counted))
            )
        figure.actual = _plus(figure.actual, actual_all)
        figure.target = _plus(figure.target, target_all)
        figure.activities += int(counted_all or 0)
    return list(figures.values())


def contributions(
    core: CoreIndicator, filters: ResultsFilters, *, limit: int, offset: int
) -> tuple[int, list[Contribution]]:
    """The activities behind one figure, largest actual first, one page of them (one query):
    their number and, for each, what it adds to the figure's actual and target. The page's
    rows of every page add up to the figure."""
    if core.source == CoreSource.PLAN_FOLLOW_UPS:
        ranked, params = plan_ranked_sql(filters, [core.pk])
        prefix, rows_sql = f"WITH {ranked}", "ranked"
    else:
        periods, params = period_rows_sql(filters, [core.pk])
        prefix, rows_sql = "", f"({periods}) period_rows"
    # The page first, then its activities' titles: a join of every activity's sum to the
    # activities' table would read all of them for one page.
    order = "{0}actual DESC NULLS LAST, {0}target DESC NULLS LAST, {0}activity_id"
    sql = f"""{prefix}
        SELECT p.activity_id, a.ssc_id, a.title, p.actual, p.target, p.total
        FROM (
            SELECT activity_id, actual, target, COUNT(*) OVER () AS total
            FROM (
                SELECT activity_id, SUM(actual_all) AS actual, SUM(target_all) AS target
                FROM {rows_sql} GROUP BY activity_id
            ) per_activity
            ORDER BY {order.format("")}
            LIMIT %s OFFSET %s
        ) p JOIN {_table(Activity)} a ON a.id = p.activity_id
        ORDER BY {order.format("p.")}
    """  # noqa: S608 (the table name is the model's; the values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(_prefix() + sql, [*params, limit, offset])
        rows = cursor.fetchall()
    total = int(rows[0][5]) if rows else 0
    return total, [
        Contribution(row[0], row[1], row[2], _decimal(row[3]), _decimal(row[4])) for row in rows
    ]


# --- the tables the page shows and the workbook holds ----------------------------------------


def _columns(first: Column) -> list[Column]:
    return [
        first,
        Column("target", _("Target"), "quantity"),
        Column("actual", _("Actual"), "quantity"),
        Column("percent", _("Percent of target")),
        Column("activities", _("Activities"), "count"),
    ]


def _percent_text(percent: int | None) -> str:
    return "" if percent is None else formatting.percent(percent)


def summary_table(figures: list[Figure], links: list[str] | None = None) -> Table:
    """One row per core indicator: the page's overview and the workbook's first sheet."""
    columns = _columns(Column("core", _("Core indicator")))
    columns[1:1] = [Column("unit", _("Unit")), Column("rule", _("Rule"))]
    return Table(
        slug="core-indicators",
        title=_("Core indicators"),
        columns=columns,
        rows=[
            [
                figure.core.title,
                figure.unit,
                figure.rule_label,
                figure.target,
                figure.actual,
                _percent_text(figure.percent),
                figure.activities,
            ]
            for figure in figures
        ],
        links=links or [],
    )


def years_table(figure: Figure, links: list[str] | None = None) -> Table:
    """One core indicator by year of the period end (of the follow-up)."""
    return Table(
        slug=f"core-{figure.core.code}",
        title=figure.core.title,
        columns=_columns(Column("year", _("Year"))),
        rows=[
            [
                str(year.year),
                year.target,
                year.actual,
                _percent_text(
                    None
                    if year.actual is None or not year.target
                    else int(year.actual / year.target * 100)
                ),
                year.activities,
            ]
            for year in figure.years
        ],
        links=links or [],
    )


def chart_data(figures: list[Figure]) -> dict[str, Any]:
    """Each figure's chart: its target and actual by year (numbers for the chart library)."""
    return {
        f"core-{figure.core.pk}": {
            "categories": [str(year.year) for year in figure.years],
            "series": [
                {
                    "key": "target",
                    "name": figure.target_label,
                    "values": [chart_number(year.target) for year in figure.years],
                },
                {
                    "key": "actual",
                    "name": str(_("Actual")),
                    "values": [chart_number(year.actual) for year in figure.years],
                },
            ],
            "unit": figure.unit,
        }
        for figure in figures
        if figure.years
    }
