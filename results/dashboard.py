"""The focal point's results dashboard: each active core indicator's portfolio figure, computed
in the database (two queries whatever the size of the portfolio), and the activities behind it.

A figure applies its core indicator's rule to the period actuals that results.progress defines
(approved updates no revision replaced; summed, or the latest one, as the indicator says):

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

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity, ActivityCountry
from finance.dashboard import Column, Table, chart_number
from knowledge.models import ActionPlan, LearningRoute

from .models import (
    VALUE_PLACES,
    Aggregation,
    CoreIndicator,
    CoreSource,
    FollowUpOutcome,
    Indicator,
    IndicatorKind,
    Period,
    PlanFollowUp,
    Result,
    Update,
    UpdateStatus,
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


# A period's actual is results.progress's: approved updates not retired, summed when the
# indicator's updates add up, else the latest approved (by approval time, then id). Its one
# parameter is the approved status. Window functions rather than PostgreSQL's ordered ARRAY_AGG:
# the statements also run on the embedded SQLite of `make run`.
_ACTUAL = f"""WITH actual AS (
            SELECT DISTINCT u.period_id,
                   SUM(u.value) OVER per_period AS summed,
                   FIRST_VALUE(u.value) OVER latest_first AS latest,
                   FIRST_VALUE(u.achieved) OVER latest_first AS achieved
            FROM {_table(Update)} u
            WHERE u.status = %s AND NOT u.retired
            WINDOW per_period AS (PARTITION BY u.period_id),
                   latest_first AS (PARTITION BY u.period_id ORDER BY u.reviewed_at DESC, u.id DESC)
        ),"""  # noqa: S608 (the model's table)

# Each row's part of the actual and the target over all the years (`*_all`) and within its year
# (`*_year`). One sort serves both windows: within (core, group) by year, then end, start, id;
# counted from the row to the group's (year's) end, the running counts are 1 on the last
# reported row and on the last row with a target.
_RANKED = """ranked AS (
            SELECT core_id, activity_id, year,
                   CASE WHEN reported
                        AND SUM(CASE WHEN reported THEN 1 ELSE 0 END) OVER later = 1
                        THEN value END AS actual_all,
                   CASE WHEN target IS NOT NULL
                        AND COUNT(target) OVER later = 1 THEN target END AS target_all,
                   CASE WHEN reported
                        AND SUM(CASE WHEN reported THEN 1 ELSE 0 END) OVER later_in_year = 1
                        THEN value END AS actual_year,
                   CASE WHEN target IS NOT NULL
                        AND COUNT(target) OVER later_in_year = 1 THEN target END AS target_year
            FROM rows
            WINDOW later AS (PARTITION BY core_id, grp ORDER BY year, o1, o2, o3
                             ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
                   later_in_year AS (PARTITION BY core_id, grp, year ORDER BY o1, o2, o3
                                     ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
        )"""


# Sent with the figures' statement (one round trip, one implicit transaction): compiling this
# statement (just over PostgreSQL's JIT threshold at 100,000 activities) took about 300 ms of
# the 300 ms budget and saved less (EXPLAIN ANALYZE, benchmarks/README.md).
NO_JIT = "SET LOCAL jit = off;\n"


def _prefix() -> str:
    return NO_JIT if connection.vendor == "postgresql" else ""


def _year(column: str) -> str:
    """The year of a date column as an integer (PostgreSQL, or the embedded SQLite)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(YEAR FROM {column})::int"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _day_number(column: str) -> str:
    """A date as a day count, to order by it beside integers in one column."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '2000-01-01')"
    return f"CAST(julianday({column}) AS INTEGER)"


def _in(column: str, values: list[Any]) -> str:
    """`column` is one of `values` (a placeholder each: portable, unlike `= ANY`)."""
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _linked(alias: str, table: str, column: str, values: list[Any]) -> str:
    """The activities linked to one of `values`."""
    return f"{alias}.id IN (SELECT activity_id FROM {table} WHERE {_in(column, values)})"  # noqa: S608


def _activity_conditions(filters: ResultsFilters, alias: str) -> tuple[list[str], list[Any]]:
    """The activity filters as SQL over `alias` (the activity table), with their parameters.
    Countries and themes are subqueries: an activity with two chosen countries is one."""
    where: list[str] = []
    params: list[Any] = []
    if filters.divisions:
        where.append(_in(f"{alias}.lead_division_id", list(filters.divisions)))
        params.extend(filters.divisions)
    if filters.modalities:
        where.append(_in(f"{alias}.modality", list(filters.modalities)))
        params.extend(filters.modalities)
    if filters.countries:
        countries = list(filters.countries)
        where.append(_linked(alias, _table(ActivityCountry), "country_id", countries))
        params.extend(countries)
    if filters.themes:
        themes = list(filters.themes)
        where.append(_linked(alias, _table(Activity.themes.through), "theme_id", themes))
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


def ranked_sql(filters: ResultsFilters, core_id: int | None) -> tuple[str, list[Any]]:
    """The CTE `ranked`: one row per period (updates) or recorded follow-up (plans) in the
    selection, with what it would add to the actual and the target, and its rank in its group
    (the period itself, the activity, the indicator or the plan, as the rule says) over all
    the years (`*_all`) and within its year (`*_year`)."""
    activity_where, activity_params = _activity_conditions(filters, "a")
    period_year, period_year_params = _year_conditions(filters, _year('per."end"'))
    plan_year, plan_year_params = _year_conditions(filters, _year("f.recorded_on"))
    core_where = "c.is_active"
    core_params: list[Any] = []
    if core_id is not None:
        core_where += " AND c.id = %s"
        core_params.append(core_id)
    periods_where = " AND ".join([core_where, "c.source = %s", *activity_where, *period_year])
    plans_where = " AND ".join(
        [
            core_where,
            "c.source = %s",
            "f.outcome <> ''",
            "route.activity_id IS NOT NULL",
            *activity_where,
            *plan_year,
        ]
    )
    # The activities' table only when a filter reads it: its join cost as much as the rest of
    # the rows at 100,000 activities.
    period_activity = route_activity = ""
    if activity_where:
        period_activity = f"JOIN {_table(Activity)} a ON a.id = r.activity_id"
        route_activity = f"JOIN {_table(Activity)} a ON a.id = route.activity_id"
    sql = f"""
        {_ACTUAL}
        rows AS (
            SELECT c.id AS core_id, r.activity_id,
                   CASE c.aggregation WHEN %s THEN r.activity_id WHEN %s THEN i.id ELSE per.id END
                       AS grp,
                   {_year('per."end"')} AS year,
                   act.period_id IS NOT NULL AS reported,
                   CASE WHEN i.kind = %s THEN (CASE WHEN act.achieved THEN 1 ELSE 0 END)
                        WHEN i.cumulative THEN act.summed ELSE act.latest END AS value,
                   CASE WHEN c.aggregation = %s THEN 1 ELSE per.target_value END AS target,
                   per."end" AS o1, {_day_number("per.start")} AS o2, per.id AS o3
            FROM {_table(Period)} per
            JOIN {_table(Indicator)} i ON i.id = per.indicator_id
            JOIN {_table(CoreIndicator)} c ON c.id = i.core_id
            JOIN {_table(Result)} r ON r.id = i.result_id
            {period_activity}
            LEFT JOIN actual act ON act.period_id = per.id
            WHERE {periods_where}
            UNION ALL
            SELECT c.id, route.activity_id, p.id, {_year("f.recorded_on")}, TRUE,
                   CASE WHEN f.outcome = %s THEN 1 ELSE 0 END, 1,
                   f.recorded_on, f.months, f.id
            FROM {_table(PlanFollowUp)} f
            JOIN {_table(ActionPlan)} p ON p.id = f.plan_id
            JOIN {_table(LearningRoute)} route ON route.id = p.route_id
            {route_activity}
            CROSS JOIN {_table(CoreIndicator)} c
            WHERE {plans_where}
        ),
        {_RANKED}
    """  # noqa: S608 (table names are the models'; every value is a parameter)
    params = [
        UpdateStatus.APPROVED,
        Aggregation.LATEST,
        Aggregation.ACHIEVED,
        IndicatorKind.QUALITATIVE,
        Aggregation.ACHIEVED,
        *core_params,
        CoreSource.UPDATES,
        *activity_params,
        *period_year_params,
        FollowUpOutcome.ADOPTED,
        *core_params,
        CoreSource.PLAN_FOLLOW_UPS,
        *activity_params,
        *plan_year_params,
    ]
    return sql, params


def _decimal(value: Any) -> Decimal | None:
    """PostgreSQL's numeric is a Decimal already; SQLite's sums are floats, of values with at
    most VALUE_PLACES decimals."""
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-VALUE_PLACES)).normalize()
    return Decimal(value)


def active_cores() -> list[CoreIndicator]:
    return list(CoreIndicator.objects.filter(is_active=True))


def portfolio_figures(filters: ResultsFilters) -> list[Figure]:
    """Every active core indicator's figure, with its years: two queries."""
    figures = {core.pk: Figure(core=core) for core in active_cores()}
    if not figures:
        return []
    ranked, params = ranked_sql(filters, None)
    sql = f"""{ranked}
        SELECT core_id, NULL AS year, SUM(actual_all), SUM(target_all),
               COUNT(DISTINCT CASE WHEN actual_all IS NOT NULL THEN activity_id END)
        FROM ranked GROUP BY core_id
        UNION ALL
        SELECT core_id, year, SUM(actual_year), SUM(target_year),
               COUNT(DISTINCT CASE WHEN actual_year IS NOT NULL THEN activity_id END)
        FROM ranked GROUP BY core_id, year
        ORDER BY 1, 2
    """  # noqa: S608 (the CTE's values are parameters)
    years: dict[int, list[YearFigure]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_prefix() + sql, params)
        for core_id, year, actual, target, activities in cursor.fetchall():
            figure = figures.get(core_id)
            if figure is None:
                continue  # made inactive between the two queries
            if year is None:
                figure.actual, figure.target = _decimal(actual), _decimal(target)
                figure.activities = int(activities)
            else:
                years[core_id].append(
                    YearFigure(int(year), _decimal(actual), _decimal(target), int(activities))
                )
    for core_id, figure in figures.items():
        figure.years = years.get(core_id, [])
    return list(figures.values())


def contributions(
    core: CoreIndicator, filters: ResultsFilters, *, limit: int, offset: int
) -> tuple[int, list[Contribution]]:
    """The activities behind one figure, largest actual first, one page of them (one query):
    their number and, for each, what it adds to the figure's actual and target. The page's
    rows of every page add up to the figure."""
    ranked, params = ranked_sql(filters, core.pk)
    sql = f"""{ranked}
        , per_activity AS (
            SELECT activity_id, SUM(actual_all) AS actual, SUM(target_all) AS target
            FROM ranked GROUP BY activity_id
        )
        SELECT p.activity_id, a.ssc_id, a.title, p.actual, p.target, COUNT(*) OVER ()
        FROM per_activity p JOIN {_table(Activity)} a ON a.id = p.activity_id
        ORDER BY p.actual DESC NULLS LAST, p.target DESC NULLS LAST, p.activity_id
        LIMIT %s OFFSET %s
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
        Column("percent", _("% of target")),
        Column("activities", _("Activities"), "count"),
    ]


def _percent_text(percent: int | None) -> str:
    return "" if percent is None else f"{percent} %"


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
