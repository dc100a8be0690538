"""Queueing background work: the one seam between the code that records work and the tasks.

The services, the roll-ups, the importer and the reports write what must be done to the database
first, then ask here for the task that does it. They never import `finance.tasks`, which imports
them to do the work: a task is found by its name in the Celery app's registry when it is queued,
so eager tasks (make run, the tests) and a real worker run the same code.

When the broker cannot be reached, none of these functions fails the caller's write: each says
what happens instead (the next drain picks the work up, the run is marked failed, or the work
runs in the request).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from .models import RollupRun

logger = logging.getLogger(__name__)

DRAIN_ROLLUPS = "finance.tasks.drain_rollups_task"
REBUILD_ROLLUPS = "finance.tasks.rebuild_rollups_task"
RECOVER_ROLLUPS = "finance.tasks.recover_rollups_task"
WARM_DASHBOARD = "finance.tasks.warm_dashboard_task"
BUILD_REPORT_EXPORT = "finance.tasks.build_report_export_task"
PROCESS_PENDING_IMPORT = "finance.tasks.process_pending_import_task"

# What a producer does when Redis cannot be reached: fail at once (retry=False) rather than wait
# in the broker's reconnection loop. The work is recorded in the database first in every case.
BROKER_ERRORS = (KombuError, OSError)
CACHE_ERRORS = (RedisError, OSError)

WARM_DELAY_SECONDS = 3
WARM_QUEUED_KEY = "dashboard:warm-queued"


def task(name: str) -> Task:
    """The registered task `name`. A web process has not imported the apps' tasks modules (a
    worker does at start): the first lookup discovers them, as the worker would."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def queue_rollup_drain() -> None:
    """Ask a worker to drain the refresh requests; never fails the caller.

    The requests are already committed, so when Redis cannot be reached the edit is not at risk:
    beat's minutely drain, or the next edit's, will pick them up once it is back.
    """
    try:
        task(DRAIN_ROLLUPS).apply_async(retry=False)
    except BROKER_ERRORS:
        logger.warning("Task queue unreachable: roll-up refresh left for the next drain")


@dataclass
class _Once:
    done: bool = False


_pending_drain = threading.local()


def queue_rollup_drain_on_commit() -> None:
    """One drain per transaction, however many edits it makes: an import that updates 10,000
    activities queues one task, not 10,000.

    Every call registers a callback (so one dropped with a rolled-back savepoint or transaction
    cannot take the others with it), and the callbacks of one commit share a flag: the first
    queues the drain, the rest see it done. A new flag is started once one has been used.
    """
    once: _Once | None = getattr(_pending_drain, "once", None)
    if once is None or once.done:
        once = _pending_drain.once = _Once()
    # robust: the edit is committed whatever happens to the queueing.
    transaction.on_commit(partial(_drain_once, once), robust=True)


def _drain_once(once: _Once) -> None:
    if once.done:
        return
    once.done = True
    queue_rollup_drain()


def queue_rollup_rebuild(run_id: int) -> bool:
    """Queue the rebuild of `run_id`; when Redis cannot be reached, mark the run failed (with
    the reason, shown to the focal point) and return False."""
    try:
        task(REBUILD_ROLLUPS).apply_async((run_id,), retry=False)
    except BROKER_ERRORS:
        logger.warning("Task queue unreachable: roll-up rebuild %s not started", run_id)
        RollupRun.objects.filter(pk=run_id).update(
            state=RollupRun.State.FAILED,
            error=_("The task queue could not be reached: try again in a moment."),
        )
        return False
    return True


def queue_rollup_recovery() -> None:
    try:
        task(RECOVER_ROLLUPS).apply_async(retry=False)
    except BROKER_ERRORS:
        logger.warning("Task queue unreachable at worker start: roll-up recovery skipped")


def queue_dashboard_warm() -> None:
    """Ask a worker to warm the dashboard's cache in a few seconds, unless a warming is already
    waiting; never fails the caller.

    Not with eager tasks (the quickstart, the tests): there the warming would run inside the
    request that saved the edit, and the one web process computes the page on demand anyway.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        if not caches["dashboard"].add(WARM_QUEUED_KEY, 1, timeout=60):
            return  # one is queued and has not started: it will read these figures
    except CACHE_ERRORS:
        pass  # without Redis the queue is down too: the attempt below says so
    try:
        task(WARM_DASHBOARD).apply_async(countdown=WARM_DELAY_SECONDS, retry=False)
    except BROKER_ERRORS:
        logger.warning("Task queue unreachable: dashboard cache not warmed")
        with contextlib.suppress(*CACHE_ERRORS):
            caches["dashboard"].delete(WARM_QUEUED_KEY)


def queue_or_run_on_commit(name: str, args: tuple[Any, ...], run_here: Callable[[], None]) -> None:
    """Queue task `name` with `args` once the transaction commits. When the broker cannot be
    reached the work runs here and now instead (`run_here`): slower for the user, but nothing
    waits forever."""

    def send() -> None:
        try:
            task(name).apply_async(args, retry=False)
        except BROKER_ERRORS:
            logger.warning("Task queue unreachable; running %s%r in the request", name, args)
            run_here()

    transaction.on_commit(send)
