"""Draining, rebuilding and resuming roll-ups: each request answered once, none lost, a task
delivered twice does the work once, a rebuild whose worker died starts again."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from finance import jobs, rollups, services, tasks
from finance.models import ContributionKind, RollupRefresh, RollupRun, Stage
from finance.rollups import RollupFilters, YearComputed
from finance.services import EntryData, FinanceError
from tests.factories import ActivityFactory, division
from tests.helpers import broker_refuses, sides_asked

pytestmark = pytest.mark.django_db


def record(user: User, amount: str, year: int = 2024, code: str = "LAC") -> None:
    activity = sides_asked(ActivityFactory(countries=["BR"], lead_division=division(code)))
    services.record_entries(
        activity=activity,
        entries=[
            EntryData(
                kind=ContributionKind.IFAD_GRANT,
                stage=Stage.ALLOCATED,
                amount=Decimal(amount),
                currency="USD",
                value_date=datetime.date(year, 5, 1),
            )
        ],
        user=user,
        expected_version=None,
    )


def total(user: User) -> Decimal:
    return rollups.totals(user, RollupFilters()).ifad[Stage.ALLOCATED]


def test_many_requests_for_one_slice_recompute_it_once(focal: User) -> None:
    for amount in ("1.00", "2.00", "3.00"):
        record(focal, amount)
    assert RollupRefresh.objects.count() == 3
    assert rollups.drain_refresh_requests() == 1
    assert not RollupRefresh.objects.exists()
    assert total(focal) == Decimal("6.00")


def test_a_request_arriving_during_a_drain_waits_for_the_next_one(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(focal, "1.00")
    compute = rollups.compute_slices
    late: list[RollupRefresh] = []

    def compute_then_an_edit_commits(slices: Any) -> None:
        compute(slices)
        late.append(RollupRefresh.objects.create(year=2024, division=division("LAC")))

    monkeypatch.setattr("finance.rollups.refresh.compute_slices", compute_then_an_edit_commits)
    assert rollups.drain_refresh_requests() == 1
    assert list(RollupRefresh.objects.all()) == late


def test_a_rebuild_answers_earlier_requests_and_keeps_later_ones(focal: User) -> None:
    record(focal, "1.00", year=2023)
    record(focal, "2.00", year=2024)
    later: list[RollupRefresh] = []
    years: list[YearComputed] = []

    def an_edit_lands_meanwhile(step: YearComputed) -> None:
        years.append(step)
        if step.done == 1:
            later.append(RollupRefresh.objects.create(year=2023, division=division("LAC")))

    run = rollups.rebuild_all(on_year=an_edit_lands_meanwhile)
    assert run.state == RollupRun.State.DONE
    assert [(s.year, s.done, s.total) for s in years] == [(2023, 1, 2), (2024, 2, 2)]
    assert list(RollupRefresh.objects.all()) == later
    assert total(focal) == Decimal("3.00")


def test_a_finished_rebuild_delivered_again_does_nothing(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(focal, "1.00")
    run = rollups.rebuild_all()

    def fail(*args: Any) -> None:
        raise AssertionError("recomputed a finished rebuild")

    monkeypatch.setattr("finance.rollups.rebuild.compute_slices", fail)
    assert tasks.rebuild_rollups_task(run.pk) == run.pk
    run.refresh_from_db()
    assert run.state == RollupRun.State.DONE


def test_a_rebuild_another_process_runs_is_left_to_it(
    focal: User, hold_run: Callable[[RollupRun], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = RollupRun.objects.create(state=RollupRun.State.RUNNING)
    hold_run(run)
    monkeypatch.setattr(
        "finance.rollups.rebuild.compute_slices", lambda slices: pytest.fail("ran it twice")
    )
    assert rollups.rebuild_all(run).state == RollupRun.State.RUNNING
    assert rollups.rebuild_is_alive(run)
    assert rollups.interrupted_rebuilds(include_queued=True) == []


def test_a_running_rebuild_whose_worker_died_is_queued_again_and_completes(focal: User) -> None:
    record(focal, "4.00")
    dead = RollupRun.objects.create(state=RollupRun.State.RUNNING, slices_total=3, slices_done=1)
    waiting = RollupRun.objects.create()
    assert not rollups.rebuild_is_alive(dead)
    assert rollups.interrupted_rebuilds(include_queued=False) == [dead]
    assert rollups.interrupted_rebuilds(include_queued=True) == [dead, waiting]

    # Tasks run eagerly here: the queued rebuild runs at once.
    assert tasks.resume_interrupted_rebuilds(include_queued=False) == 1
    dead.refresh_from_db()
    assert (dead.state, dead.slices_done, dead.slices_total) == (RollupRun.State.DONE, 1, 1)
    assert total(focal) == Decimal("4.00")


def test_the_focal_point_starts_one_rebuild_at_a_time(
    focal: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    record(focal, "5.00")
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.start_rollup_rebuild(user=focal)
    assert run.state == RollupRun.State.QUEUED
    assert len(callbacks) == 1
    with pytest.raises(FinanceError, match="already queued or running"):
        services.start_rollup_rebuild(user=focal)

    callbacks[0]()  # the commit queues the task, which runs eagerly here
    run.refresh_from_db()
    assert (run.state, run.requested_by) == (RollupRun.State.DONE, focal)
    assert total(focal) == Decimal("5.00")
    assert services.start_rollup_rebuild(user=focal).state == RollupRun.State.QUEUED


def test_a_rebuild_asked_for_while_redis_is_down_fails_and_says_why(
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(tasks.rebuild_rollups_task, "apply_async", broker_refuses)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_rollup_rebuild(user=focal)
    run.refresh_from_db()
    assert run.state == RollupRun.State.FAILED
    assert "task queue could not be reached" in run.error
    assert rollups.rebuild_in_progress() is None


def test_a_drain_that_recomputed_something_queues_the_dashboard_warming(
    focal: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[str] = []
    monkeypatch.setattr(tasks.warm_dashboard_task, "apply_async", lambda **_kw: queued.append("w"))
    monkeypatch.setattr(jobs, "queue_rollup_drain", lambda: None)
    record(focal, "1.00")
    assert tasks.drain_rollups_task() == 1
    assert queued == ["w"]
    assert tasks.drain_rollups_task() == 0  # nothing left: nothing to warm again
    assert queued == ["w"]


def test_eager_tasks_do_not_warm_inside_the_request_that_saved(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[str] = []
    monkeypatch.setattr(tasks.warm_dashboard_task, "apply_async", lambda **_kw: queued.append("w"))
    record(focal, "1.00")
    assert tasks.drain_rollups_task() == 1
    assert queued == []


def test_an_unreachable_queue_does_not_fail_the_drain_that_warms(
    focal: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.warm_dashboard_task, "apply_async", broker_refuses)
    record(focal, "1.00")
    assert tasks.drain_rollups_task() == 1


def test_refreshes_in_quick_succession_share_one_warming(
    focal: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.warm_dashboard_task, "apply_async", lambda **kw: queued.append(kw))
    monkeypatch.setattr(tasks, "warm_default_views", lambda: True)
    jobs.queue_dashboard_warm()
    jobs.queue_dashboard_warm()  # the first one has not started: nothing more to queue
    assert len(queued) == 1
    assert queued[0]["countdown"] == jobs.WARM_DELAY_SECONDS
    tasks.warm_dashboard_task()  # it starts: a refresh after this needs a warming of its own
    jobs.queue_dashboard_warm()
    assert len(queued) == 2
