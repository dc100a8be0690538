"""The results dashboard's figures, computed in the database, equal each core indicator's rule
applied in Python over results.progress.actuals (the one definition of a period's actual), for
every combination of the filters, overall and year by year; the activities behind a figure add
up to it; and the figures cost the same two queries whatever the selection.

The portfolio is generated through the services (seeded): cumulative and non-cumulative
indicators, approved updates and revisions that retire them, revisions still in draft, drafts,
submitted and returned updates that do not count, targets missing here and there, an inactive
core indicator, an indicator without one, and learning-route action plans with their follow-ups.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pytest_django import DjangoDbBlocker

from activities.models import Modality, Partner
from knowledge.models import ActionPlan, LearningRoute, RouteParticipant
from results import progress, services
from results.dashboard import (
    PLANS,
    Figure,
    ResultsFilters,
    contributions,
    portfolio_figures,
    rule_of,
)
from results.models import (
    Aggregation,
    CoreIndicator,
    CoreSource,
    FollowUpOutcome,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    PlanFollowUp,
    Result,
    ResultType,
    Update,
)
from tests.factories import ActivityFactory, country, division, make_partner_org, theme
from tests.helpers import shared_transaction
from tests.results.factories import core_people_trained, core_policies, dated

pytestmark = pytest.mark.django_db

YEARS = (2024, 2025, 2026)
# (division, countries, theme position, modality) of the generated activities.
ACTIVITIES = [
    ("LAC", ["BR", ("MZ", "receiver")], 1, Modality.SOUTH_SOUTH),
    ("LAC", ["PE"], 2, Modality.TRIANGULAR),
    ("ESA", ["BR", ("KE", "receiver")], 1, Modality.TRIANGULAR),
    ("ESA", ["KE"], 2, Modality.SOUTH_SOUTH),
    ("WCA", ["SN", ("BR", "receiver")], 1, Modality.TRILATERAL),
    ("LAC", ["MZ"], 1, Modality.SOUTH_SOUTH),
]


def _core(code: str, **fields: Any) -> CoreIndicator:
    defaults = {
        "title": code.replace("-", " ").capitalize(),
        "kind": IndicatorKind.QUANTITATIVE,
        "measure": Measure.UNIT,
        "aggregation": Aggregation.SUM,
    }
    defaults.update(fields)
    return CoreIndicator.objects.create(code=code, **defaults)


@dataclass
class Portfolio:
    cores: list[CoreIndicator]
    dimensions: dict[int, tuple[int, str, set[int], set[int]]]  # activity: its filters' values


def _updates(period: Period, kind: str, rng: random.Random) -> None:
    """A random history of updates on one period, through the workflow."""

    def data() -> services.UpdateData:
        if kind == IndicatorKind.QUALITATIVE:
            return services.UpdateData(narrative="Drafted.", achieved=rng.random() < 0.6)
        return services.UpdateData(value=Decimal(rng.randint(0, 400)) / 4)

    def approved() -> Update:
        update = services.save_update(period=period, data=data(), user=None)
        update = services.submit_update(update=update, user=None)
        return services.approve_update(update=update, user=None)

    for step in rng.sample(range(7), rng.randint(0, 4)):
        if step in (0, 1):
            approved()
        elif step == 2:  # a revision, approved: it retires the value it revises
            revision = services.revise_update(update=approved(), user=None, reason="Recount.")
            revision = services.save_update(period=period, data=data(), user=None, update=revision)
            revision = services.submit_update(update=revision, user=None)
            services.approve_update(update=revision, user=None)
        elif step == 3:  # a revision still in draft: the revised value counts
            services.revise_update(update=approved(), user=None, reason="Checking.")
        elif step == 4:
            services.save_update(period=period, data=data(), user=None)
        elif step == 5:
            update = services.save_update(period=period, data=data(), user=None)
            services.submit_update(update=update, user=None)
        else:
            update = services.save_update(period=period, data=data(), user=None)
            update = services.submit_update(update=update, user=None)
            services.return_update(update=update, user=None, reason="Add the evidence.")


def _indicator(result: Result, core: CoreIndicator | None, **fields: Any) -> Indicator:
    indicator = services.save_indicator(
        indicator=Indicator(result=result, core=core, title="Indicator", **fields)
    )
    return indicator


def _framework(activity: Any, cores: dict[str, CoreIndicator], rng: random.Random) -> None:
    result = services.save_result(
        result=Result(activity=activity, type=ResultType.OUTCOME, title="Change"), user=None
    )
    indicators = [
        _indicator(result, cores["sum"], cumulative=True),
        _indicator(result, cores["sum"], cumulative=False),
        _indicator(result, cores["latest"], cumulative=rng.random() < 0.5),
        _indicator(result, cores["latest"], cumulative=False),
        _indicator(result, cores["achieved"]),
        _indicator(result, cores["inactive"]),
        _indicator(result, None, kind=IndicatorKind.QUANTITATIVE, measure=Measure.UNIT),
    ]
    for indicator in indicators:
        for year in rng.sample(YEARS, rng.randint(1, 3)):
            target = None
            if indicator.is_quantitative and rng.random() < 0.8:
                target = Decimal(rng.randint(10, 300))
            period = services.save_period(
                period=Period(
                    indicator=indicator,
                    start=datetime.date(year, 1, 1),
                    end=datetime.date(year, 12, 31),
                    target_value=target,
                )
            )
            _updates(period, indicator.kind, rng)


def _plans(activity: Any, partner: Any, rng: random.Random, number: int) -> None:
    route = LearningRoute.objects.create(
        title=f"Route {number}",
        activity=activity,
        division=activity.lead_division,
        start_date=datetime.date(2024, 2, 1),
        end_date=datetime.date(2024, 2, 28),
    )
    participant = RouteParticipant.objects.create(
        route=route, organization=partner, country=country("PE")
    )
    for index in range(3):
        plan = ActionPlan.objects.create(route=route, participant=participant, title=f"P{index}")
        for follow_up in plan.follow_ups.order_by("months"):
            if rng.random() < 0.7:
                services.record_follow_up(
                    follow_up=follow_up,
                    data=services.FollowUpData(
                        outcome=rng.choice(FollowUpOutcome.values),
                        recorded_on=follow_up.due_date + datetime.timedelta(days=rng.randint(0, 9)),
                    ),
                    user=None,
                )


@pytest.fixture(scope="class")
def shared_portfolio(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Portfolio]:
    """Making the portfolio through the services cost more than checking its figures: made once
    per class."""
    with shared_transaction(django_db_blocker):
        yield make_portfolio(make_partner_org())


def make_portfolio(partner_org: Partner) -> Portfolio:
    rng = random.Random(19)
    cores = {
        "sum": core_people_trained(),
        "latest": _core("hectares", unit="ha", aggregation=Aggregation.LATEST),
        "achieved": core_policies(),
        "plans": _core("plans", unit="plans", source=CoreSource.PLAN_FOLLOW_UPS),
        "inactive": _core("retired"),
    }
    # The rest of the library the data migration keeps is retired: the figures are this set's.
    CoreIndicator.objects.exclude(pk__in=[core.pk for core in cores.values()]).update(
        is_active=False
    )
    dimensions = {}
    for number, (code, countries, position, modality) in enumerate(ACTIVITIES):
        activity = dated(
            ActivityFactory(
                lead_division=division(code),
                countries=countries,
                themes=[theme(position)],
                modality=modality,
            ),
            start="2024-01-01",
        )
        _framework(activity, cores, rng)
        if number % 2 == 0:
            _plans(activity, partner_org, rng, number)
        dimensions[activity.pk] = (
            activity.lead_division_id,
            activity.modality,
            set(activity.country_links.values_list("country_id", flat=True)),
            set(activity.themes.values_list("pk", flat=True)),
        )
    # A route that is not an activity: its plans are in no activity's figure.
    route = LearningRoute.objects.create(
        title="Loose route",
        division=division("LAC"),
        start_date=datetime.date(2024, 2, 1),
        end_date=datetime.date(2024, 2, 28),
    )
    participant = RouteParticipant.objects.create(
        route=route, organization=partner_org, country=country("PE")
    )
    plan = ActionPlan.objects.create(route=route, participant=participant, title="Loose")
    services.record_follow_up(
        follow_up=plan.follow_ups.get(months=3),
        data=services.FollowUpData(
            outcome=FollowUpOutcome.ADOPTED, recorded_on=datetime.date(2024, 6, 1)
        ),
        user=None,
    )
    # Retired once activities reported on it: its values stay, its figure goes.
    CoreIndicator.objects.filter(pk=cores["inactive"].pk).update(is_active=False)
    del cores["inactive"]
    return Portfolio(list(cores.values()), dimensions)


# --- the rules, in Python, over results.progress.actuals -------------------------------------


def _selected(portfolio: Portfolio, activity_id: int, filters: ResultsFilters) -> bool:
    division_id, modality, countries, themes = portfolio.dimensions[activity_id]
    return (
        (not filters.divisions or division_id in filters.divisions)
        and (not filters.modalities or modality in filters.modalities)
        and (not filters.countries or bool(countries & set(filters.countries)))
        and (not filters.themes or bool(themes & set(filters.themes)))
    )


def _in_years(year: int, filters: ResultsFilters) -> bool:
    return (filters.year_from is None or year >= filters.year_from) and (
        filters.year_to is None or year <= filters.year_to
    )


def _total(values: list[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def _latest_by(rows: list[Any], key: Any) -> dict[Any, Any]:
    """The last row of each group in (end, start, id) order."""
    latest: dict[Any, Any] = {}
    for row in sorted(rows, key=lambda r: (r[0].end, r[0].start, r[0].pk)):
        latest[key(row)] = row
    return latest


@dataclass
class Facts:
    """What the rules read, read once per test: the periods of indicators adopting a core
    indicator, their actuals, and the recorded follow-ups in the order they were observed."""

    periods: list[Period]
    actual: dict[int, progress.Actual]
    follow_ups: list[PlanFollowUp]


def read_facts() -> Facts:
    periods = list(
        Period.objects.filter(indicator__core__isnull=False).select_related("indicator__result")
    )
    follow_ups = PlanFollowUp.objects.recorded().select_related("plan__route")
    return Facts(
        periods,
        progress.actuals(periods),
        sorted(follow_ups, key=lambda f: (f.recorded_on, f.months, f.pk)),
    )


def expected(
    portfolio: Portfolio, filters: ResultsFilters, facts: Facts
) -> dict[int, tuple[Decimal | None, Decimal | None, int]]:
    """(actual, target, activities with a counted actual) of each core indicator."""
    periods, actual = facts.periods, facts.actual
    figures = {}
    for core in portfolio.cores:
        rule = rule_of(core)
        if rule == PLANS:
            figures[core.pk] = _expected_plans(portfolio, filters, facts.follow_ups)
            continue
        rows = [
            (period, actual[period.pk])
            for period in periods
            if period.indicator.core_id == core.pk
            and _in_years(period.end.year, filters)
            and _selected(portfolio, period.indicator.result.activity_id, filters)
        ]
        reported = [row for row in rows if row[1].reported]
        activity = lambda row: row[0].indicator.result.activity_id  # noqa: E731
        if rule == Aggregation.SUM:
            value = _total([row[1].value for row in reported])
            target = _total([row[0].target_value for row in rows])
            counted = {activity(row) for row in reported}
        elif rule == Aggregation.LATEST:
            latest = _latest_by(reported, activity)
            value = _total([row[1].value for row in latest.values()])
            targets = _latest_by([r for r in rows if r[0].target_value is not None], activity)
            target = _total([row[0].target_value for row in targets.values()])
            counted = set(latest)
        else:
            latest = _latest_by(reported, lambda row: row[0].indicator_id)
            value = (
                Decimal(sum(1 for row in latest.values() if row[1].achieved)) if latest else None
            )
            indicators = {row[0].indicator_id for row in rows}
            target = Decimal(len(indicators)) if indicators else None
            counted = {activity(row) for row in latest.values()}
        figures[core.pk] = (value, target, len(counted))
    return figures


def _expected_plans(
    portfolio: Portfolio, filters: ResultsFilters, follow_ups: list[PlanFollowUp]
) -> tuple[Decimal | None, Decimal | None, int]:
    latest: dict[int, PlanFollowUp] = {}
    for follow_up in follow_ups:
        activity_id = follow_up.plan.route.activity_id
        if activity_id is None or not _selected(portfolio, activity_id, filters):
            continue
        if _in_years(follow_up.recorded_on.year, filters):
            latest[follow_up.plan_id] = follow_up
    if not latest:
        return None, None, 0
    adopted = [f for f in latest.values() if f.outcome == FollowUpOutcome.ADOPTED]
    activities = {f.plan.route.activity_id for f in latest.values()}
    return Decimal(len(adopted)), Decimal(len(latest)), len(activities)


def _as_tuple(figure: Figure) -> tuple[Decimal | None, Decimal | None, int]:
    return figure.actual, figure.target, figure.activities


def _filter_combinations(portfolio: Portfolio) -> list[ResultsFilters]:
    lac, esa = division("LAC").pk, division("ESA").pk
    years = [(None, None), (2024, 2024), (2025, 2025), (2026, 2026), (2024, 2025), (2025, None)]
    divisions = [(), (lac,), (esa,), (lac, esa)]
    countries = [(), (country("BR").pk,), (country("KE").pk, country("PE").pk)]
    themes = [(), (theme(2).pk,)]
    modalities = [(), (Modality.TRIANGULAR,), (Modality.SOUTH_SOUTH, Modality.TRILATERAL)]
    return [
        ResultsFilters(first, last, d, c, t, m)
        for (first, last), d, c, t, m in itertools.product(
            years, divisions, countries, themes, modalities
        )
    ]


class TestOnOnePortfolio:
    """The cases of one portfolio (shared_portfolio: made once for them)."""

    @pytest.fixture
    def portfolio(self, shared_portfolio: Portfolio, db: None) -> Portfolio:
        # A copy per test: a test may change its objects in memory.
        return copy.deepcopy(shared_portfolio)

    def test_every_figure_equals_its_rule_over_the_actuals_for_every_filter(self, portfolio):
        facts = read_facts()
        assert sum(1 for a in facts.actual.values() if a.reported) > 20, "the set reports enough"
        assert Update.objects.filter(retired=True).exists()
        combinations = _filter_combinations(portfolio)
        # Nothing is written meanwhile: each selection's expected figures are worked out once
        # (a year of one selection is asked for by each of its cores).
        wanted_for: dict[ResultsFilters, dict] = {}

        def wanted_of(filters: ResultsFilters) -> dict:
            if filters not in wanted_for:
                wanted_for[filters] = expected(portfolio, filters, facts)
            return wanted_for[filters]

        nonzero = 0
        for filters in combinations:
            figures = {figure.core.pk: figure for figure in portfolio_figures(filters)}
            assert set(figures) == {core.pk for core in portfolio.cores}, "inactive cores left out"
            wanted = wanted_of(filters)
            for core_pk, figure in figures.items():
                assert _as_tuple(figure) == wanted[core_pk], (figure.core.code, filters)
                nonzero += figure.actual is not None
                for year in figure.years:
                    by_year = wanted_of(filters.for_year(year.year))
                    assert (year.actual, year.target, year.activities) == by_year[core_pk], (
                        figure.core.code,
                        year.year,
                        filters,
                    )
        assert nonzero > len(combinations), "most selections have figures to compare"

    def test_the_activities_behind_a_figure_add_up_to_it(self, portfolio):
        for filters in _filter_combinations(portfolio)[::7]:
            for figure in portfolio_figures(filters):
                total, rows = contributions(figure.core, filters, limit=1000, offset=0)
                assert total == len(rows)
                assert _total([row.actual for row in rows]) == figure.actual
                assert _total([row.target for row in rows]) == figure.target
                assert sum(row.actual is not None for row in rows) == figure.activities

    def test_the_figures_take_two_queries_whatever_the_selection(
        self, portfolio, django_assert_num_queries
    ):
        for filters in (
            ResultsFilters(),
            ResultsFilters(2025, 2025, (division("LAC").pk,), (country("BR").pk,), (theme(1).pk,)),
            ResultsFilters(modalities=(Modality.TRIANGULAR,)),
        ):
            with django_assert_num_queries(2):
                portfolio_figures(filters)

    def test_an_update_approved_later_moves_the_figure_by_its_value(self, portfolio):
        before = {f.core.code: f.actual for f in portfolio_figures(ResultsFilters())}
        trained = core_people_trained()
        period = Period.objects.filter(indicator__core=trained, indicator__cumulative=True).first()
        update = services.save_update(
            period=period, data=services.UpdateData(value=Decimal("12.5")), user=None
        )
        unchanged = {f.core.code: f.actual for f in portfolio_figures(ResultsFilters())}
        assert unchanged == before, "a draft counts for nothing"
        services.approve_update(update=services.submit_update(update=update, user=None), user=None)
        after = {f.core.code: f.actual for f in portfolio_figures(ResultsFilters())}
        assert after[trained.code] == (before[trained.code] or 0) + Decimal("12.5")
        assert defaultdict(int, after)["hectares"] == defaultdict(int, before)["hectares"]
