"""The results dashboard's stored rows (results.period_figures) stay what results.progress says
after every write that changes what counts: checked here against results.progress.actuals and
chains recomputed by brute force, after each such write; the nightly rebuild finds nothing to
fix and repairs what a missed refresh would leave; the data migration fills and empties them."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command

from activities.models import Activity, Modality
from activities.services import update_activity
from results import progress, services, tasks
from results.models import (
    Aggregation,
    CoreIndicator,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    PeriodFigure,
    Result,
    ResultType,
    Update,
)
from results.period_figures import rebuild
from tests.factories import ActivityFactory, division
from tests.finance.test_rollup_hooks import same_data
from tests.results.factories import core_people_trained, core_policies, dated

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("results.migrations.0005_fill_period_figures")


def _order(period: Period) -> tuple[Any, ...]:
    return (period.end, period.start, period.pk)


def _next_year(period: Period, chain: list[Period], counts: Any) -> int | None:
    """The end year of the first period after `period` in `chain` that `counts`."""
    later = sorted((p for p in chain if _order(p) > _order(period) and counts(p)), key=_order)
    return later[0].end.year if later else None


def assert_rows_follow_progress() -> None:
    """Every stored row is its period's actual (results.progress), target, activity placement
    and chain links; no period adopting a core indicator lacks one, no other has one."""
    periods = list(
        Period.objects.filter(indicator__core__isnull=False).select_related(
            "indicator__result__activity", "indicator__core"
        )
    )
    actual = progress.actuals(periods)
    stored = {row.period_id: row for row in PeriodFigure.objects.all()}
    assert set(stored) == {period.pk for period in periods}
    reported = lambda p: actual[p.pk].reported  # noqa: E731
    for period in periods:
        row, indicator = stored[period.pk], period.indicator
        activity = indicator.result.activity
        value = actual[period.pk].value
        if not indicator.is_quantitative:
            value = Decimal(1 if actual[period.pk].achieved else 0)
        in_activity = [
            p
            for p in periods
            if p.indicator.core_id == indicator.core_id
            and p.indicator.result.activity_id == activity.pk
        ]
        in_indicator = [p for p in periods if p.indicator_id == indicator.pk]
        target, value_next, target_next = period.target_value, None, None  # sum
        if indicator.core.aggregation == Aggregation.LATEST:
            value_next = _next_year(period, in_activity, reported)
            target_next = _next_year(period, in_activity, lambda p: p.target_value is not None)
        elif indicator.core.aggregation == Aggregation.ACHIEVED:
            target = Decimal(1)
            value_next = _next_year(period, in_indicator, reported)
            target_next = _next_year(period, in_indicator, lambda p: True)
        assert (
            row.core_id,
            row.indicator_id,
            row.activity_id,
            row.division_id,
            row.modality,
            row.year,
            row.reported,
            row.value,
            row.target,
            row.next_reported_in_activity,
            row.next_target_in_activity,
            row.rule_value_next,
            row.rule_target_next,
        ) == (
            indicator.core_id,
            indicator.pk,
            activity.pk,
            activity.lead_division_id,
            activity.modality,
            period.end.year,
            actual[period.pk].reported,
            value if actual[period.pk].reported else None,
            target,
            _next_year(period, in_activity, reported),
            _next_year(period, in_activity, lambda p: p.target_value is not None),
            value_next,
            target_next,
        ), period


def _period(indicator: Indicator, year: int, target: str | None = "100") -> Period:
    return services.save_period(
        period=Period(
            indicator=indicator,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            target_value=None if target is None else Decimal(target),
        )
    )


def _approved(period: Period, value: str | None = None, achieved: bool | None = None) -> Update:
    data = services.UpdateData(
        value=None if value is None else Decimal(value),
        narrative="" if achieved is None else "Done.",
        achieved=achieved,
    )
    update = services.save_update(period=period, data=data, user=None)
    update = services.submit_update(update=update, user=None)
    return services.approve_update(update=update, user=None)


def _world() -> dict[str, Any]:
    """Two activities; the first with a cumulative and a restating indicator of one core
    indicator and a qualitative one, over three years."""
    activity = dated(ActivityFactory(), start="2024-01-01", end="2026-12-31")
    other = dated(ActivityFactory(), start="2024-01-01", end="2026-12-31")
    result = services.save_result(
        result=Result(activity=activity, type=ResultType.OUTCOME, title="Change"), user=None
    )
    trained = core_people_trained()
    summed = services.save_indicator(
        indicator=Indicator(result=result, core=trained, title="Summed", cumulative=True)
    )
    restated = services.save_indicator(
        indicator=Indicator(result=result, core=trained, title="Restated", cumulative=False)
    )
    policy = services.save_indicator(
        indicator=Indicator(result=result, core=core_policies(), title="Policy")
    )
    periods = {
        (name, year): _period(indicator, year, None if name == "policy" else "100")
        for name, indicator in (("summed", summed), ("restated", restated), ("policy", policy))
        for year in (2024, 2025, 2026)
    }
    return {
        "activity": activity,
        "other": other,
        "result": result,
        "summed": summed,
        "restated": restated,
        "policy": policy,
        "periods": periods,
    }


@pytest.fixture
def world() -> dict[str, Any]:
    world = _world()
    assert PeriodFigure.objects.count() == 9
    assert_rows_follow_progress()
    return world


def test_approvals_and_revisions_keep_the_rows(world: dict[str, Any]) -> None:
    periods = world["periods"]
    first = _approved(periods["summed", 2024], "10")
    assert_rows_follow_progress()
    _approved(periods["summed", 2024], "5")  # a cumulative period adds it up
    _approved(periods["restated", 2025], "7")
    _approved(periods["restated", 2025], "9")  # a restating one keeps the latest
    _approved(periods["policy", 2026], achieved=True)
    assert_rows_follow_progress()
    assert PeriodFigure.objects.get(pk=periods["summed", 2024].pk).value == Decimal(15)
    revision = services.revise_update(update=first, user=None, reason="Recount.")
    assert_rows_follow_progress()  # a revision in draft: the revised value still counts
    revision = services.save_update(
        period=periods["summed", 2024],
        data=services.UpdateData(value=Decimal(2)),
        user=None,
        update=revision,
    )
    services.approve_update(update=services.submit_update(update=revision, user=None), user=None)
    assert_rows_follow_progress()
    assert PeriodFigure.objects.get(pk=periods["summed", 2024].pk).value == Decimal(7)


def test_updates_that_do_not_count_change_no_row(world: dict[str, Any]) -> None:
    period = world["periods"]["summed", 2025]
    draft = services.save_update(
        period=period, data=services.UpdateData(value=Decimal(3)), user=None
    )
    submitted = services.submit_update(update=draft, user=None)
    returned = services.return_update(update=submitted, user=None, reason="Evidence.")
    services.delete_update(update=returned)
    assert_rows_follow_progress()
    assert not PeriodFigure.objects.filter(reported=True).exists()


def test_period_changes_keep_the_rows(world: dict[str, Any]) -> None:
    periods = world["periods"]
    _approved(periods["summed", 2025], "4")
    period = periods["summed", 2026]
    period.target_value = None
    services.save_period(period=period)
    assert_rows_follow_progress()
    # Moved to a year of its own: its chains change.
    period = periods["restated", 2026]
    services.delete_period(period=periods["restated", 2025])
    assert_rows_follow_progress()
    period.start, period.end = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)
    services.save_period(period=period)
    assert_rows_follow_progress()
    created = services.annual_periods(world["restated"])
    assert created
    assert_rows_follow_progress()


def test_indicator_changes_keep_the_rows(world: dict[str, Any]) -> None:
    periods = world["periods"]
    _approved(periods["restated", 2024], "3")
    _approved(periods["restated", 2024], "8")
    restated = world["restated"]
    restated.cumulative = True  # now the two approved values add up
    services.save_indicator(indicator=restated)
    assert_rows_follow_progress()
    assert PeriodFigure.objects.get(pk=periods["restated", 2024].pk).value == Decimal(11)
    # An indicator without a core indicator adopts one, then another, then none.
    loose = services.save_indicator(
        indicator=Indicator(
            result=world["result"], title="Loose", kind=IndicatorKind.QUANTITATIVE, measure="1"
        )
    )
    _period(loose, 2025)
    assert_rows_follow_progress()
    hectares = CoreIndicator.objects.create(
        code="hectares",
        title="Hectares",
        kind=IndicatorKind.QUANTITATIVE,
        measure=Measure.UNIT,
        aggregation=Aggregation.LATEST,
    )
    for core in (core_people_trained(), hectares, None):
        loose.core = core
        services.save_indicator(indicator=loose)
        assert_rows_follow_progress()
    services.delete_indicator(indicator=world["summed"])
    assert_rows_follow_progress()


def test_a_core_indicator_changing_its_rule_restates_its_rows(world: dict[str, Any]) -> None:
    periods = world["periods"]
    _approved(periods["summed", 2024], "10")
    _approved(periods["restated", 2025], "4")
    trained = core_people_trained()
    for rule in (Aggregation.LATEST, Aggregation.SUM, Aggregation.LATEST):
        trained.aggregation = rule
        services.save_core_indicator(core=trained)
        assert_rows_follow_progress()


def test_deleting_a_result_or_an_activity_removes_its_rows(world: dict[str, Any]) -> None:
    services.delete_result(result=world["result"])
    assert_rows_follow_progress()
    assert not PeriodFigure.objects.exists()
    again = _world()
    assert PeriodFigure.objects.count() == 9
    again["activity"].delete()
    assert_rows_follow_progress()
    assert not PeriodFigure.objects.exists()


def test_an_activity_moving_division_or_modality_moves_its_rows(world: dict[str, Any]) -> None:
    activity: Activity = world["activity"]
    target = division("ESA") if activity.lead_division.code != "ESA" else division("LAC")
    modality = next(m for m in Modality.values if m != activity.modality)
    update_activity(
        activity=activity,
        data=same_data(activity, lead_division=target, modality=modality),
        user=None,
        expected_version=None,
    )
    assert set(PeriodFigure.objects.values_list("division_id", "modality")) == {
        (target.pk, modality)
    }
    assert_rows_follow_progress()


def test_the_rebuild_repairs_what_a_missed_refresh_left_and_then_writes_nothing(
    world: dict[str, Any],
) -> None:
    periods = world["periods"]
    _approved(periods["summed", 2024], "10")
    _approved(periods["policy", 2025], achieved=False)
    assert rebuild().written == 0, "the services kept every row"
    # What a write past the services would leave: a wrong value, a lost row, a stray one.
    PeriodFigure.objects.filter(pk=periods["summed", 2024].pk).update(value=Decimal(99))
    PeriodFigure.objects.filter(pk=periods["summed", 2025].pk).delete()
    stray = Period.objects.create(
        indicator=world["policy"],
        start=datetime.date(2023, 1, 1),
        end=datetime.date(2023, 12, 31),
    )
    Indicator.objects.filter(pk=world["policy"].pk).update(core=None)
    with pytest.raises(CommandError, match="2 rows differ, 3 stale"):
        call_command("rebuild_period_figures", "--check")
    call_command("rebuild_period_figures")
    assert_rows_follow_progress()
    assert not PeriodFigure.objects.filter(period=stray).exists()
    call_command("rebuild_period_figures", "--check")
    again = rebuild()
    assert (again.written, again.deleted) == (0, 0)


def test_beat_repairs_the_rows_nightly(world: dict[str, Any]) -> None:
    periods = world["periods"]
    _approved(periods["summed", 2024], "10")
    PeriodFigure.objects.filter(pk=periods["summed", 2024].pk).update(value=Decimal(99))
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-period-figures-nightly"]
    assert entry["task"] == tasks.rebuild_period_figures_task.name
    assert tasks.rebuild_period_figures_task.delay().get() == 1  # eager, as `make test` runs it
    assert_rows_follow_progress()
    assert tasks.rebuild_period_figures_task.delay().get() == 0


def test_the_data_migration_fills_the_rows_and_its_reverse_empties_them(
    world: dict[str, Any],
) -> None:
    _approved(world["periods"]["restated", 2026], "6")
    PeriodFigure.objects.all().delete()
    fill_migration.fill(django_apps, None)
    assert_rows_follow_progress()
    fill_migration.empty(django_apps, None)
    assert not PeriodFigure.objects.exists()
