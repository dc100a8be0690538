"""Celery tasks of the finance app: each takes ids and calls one plain, tested function."""

import contextlib
import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.core.cache import caches
from django.db import OperationalError, connection

from .dashboard import warm_default_views
from .import_uploads import give_up_pending_import, process_pending_import
from .jobs import (
    CACHE_ERRORS,
    WARM_QUEUED_KEY,
    queue_dashboard_warm,
    queue_rollup_drain,
    queue_rollup_rebuild,
    queue_rollup_recovery,
)
from .models import RollupRun
from .reports import build_report_export
from .rollups import drain_refresh_requests, interrupted_rebuilds, rebuild_all

logger = logging.getLogger(__name__)

# Late acknowledgement and requeue on worker loss: a worker killed mid-task (kill -9, OOM, a
# redeploy) leaves the message in Redis and another worker runs it again. Every task here is
# idempotent, so running twice is harmless. Database hiccups are retried with backoff, a bounded
# number of times.
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(bind=True, **RELIABLE)
def process_pending_import_task(self: Task, pending_id: int, commit: bool) -> None:
    try:
        process_pending_import(pending_id, commit=commit)
    except OperationalError:
        if self.request.retries < self.max_retries:
            raise  # retried with backoff (RELIABLE)
        # The last attempt: tell the user, on a new connection if the failed one is dead.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        give_up_pending_import(pending_id)


@shared_task(**RELIABLE)
def drain_rollups_task() -> int:
    """Recompute every slice some edit asked for (beat also runs it every minute), and put back
    in the queue a rebuild whose worker died."""
    resume_interrupted_rebuilds(include_queued=False)
    recomputed = 0
    # Bounded batches so one task never holds the roll-up lock for long.
    while True:
        slices = drain_refresh_requests()
        recomputed += slices
        if not slices:
            break
    if recomputed:
        queue_dashboard_warm()
    return recomputed


@shared_task(**RELIABLE)
def rebuild_rollups_task(run_id: int | None = None) -> int:
    """The nightly full rebuild (beat, run_id None) or one the focal point asked for."""
    run = RollupRun.objects.filter(pk=run_id).first() if run_id else None
    if run_id and run is None:
        return 0  # deleted since it was queued: nothing to do
    pk = rebuild_all(run).pk
    queue_dashboard_warm()
    return pk


# Refreshes that follow each other within this many seconds share one warming: each costs the
# worker and the database the dashboard's default view, and only the last one's figures are
# ever shown.
@shared_task(**RELIABLE)
def warm_dashboard_task() -> bool:
    """Cache the dashboard's default view for the roll-ups just recomputed."""
    # Cleared first: a refresh that finishes while this one warms queues the next warming.
    with contextlib.suppress(*CACHE_ERRORS):
        caches["dashboard"].delete(WARM_QUEUED_KEY)
    return warm_default_views()


@shared_task(**RELIABLE)
def recover_rollups_task() -> int:
    """Sent by each worker as it starts: rebuilds left behind by a dead worker start again at
    once (not an hour later, when Redis would hand their message back), then a drain runs."""
    resumed = resume_interrupted_rebuilds(include_queued=True)
    queue_rollup_drain()
    return resumed


def resume_interrupted_rebuilds(*, include_queued: bool) -> int:
    """Queue again every rebuild whose worker died; return how many were queued.

    A run is moved back to QUEUED first, so the next check does not queue it twice; should its
    old message come back too, the run is done by then, or claimed, and that copy does nothing.
    """
    resumed = 0
    for run in interrupted_rebuilds(include_queued=include_queued):
        moved = RollupRun.objects.filter(pk=run.pk, state=run.state).update(
            state=RollupRun.State.QUEUED
        )
        if moved and queue_rollup_rebuild(run.pk):
            logger.warning("Roll-up rebuild %s was interrupted: queued again", run.pk)
            resumed += 1
    return resumed


@shared_task(**RELIABLE)
def build_report_export_task(export_id: int) -> None:
    """The dashboard's consolidated report (xlsx or PDF) for the user who asked for it."""
    build_report_export(export_id)


@worker_ready.connect
def _recover_on_worker_start(**_kwargs: Any) -> None:
    queue_rollup_recovery()
