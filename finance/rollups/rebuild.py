"""The full rebuild: every fiscal year recomputed and verified, a few years at once, with its
progress recorded on a RollupRun, surviving a killed worker."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from ..models import (
    FinancialEntry,
    RollupRefresh,
    RollupRun,
)
from .first_build import (
    build_slices,
    last_steps,
    missing_indexes,
    restore_index,
    start_first_build,
    vacuum_written_tables,
)
from .refresh import (
    all_slices,
    compute_slices,
    delete_requests,
)
from .sql import (
    Slice,
)
from .verify import (
    recompute_all_activity_money,
)


@dataclass(frozen=True)
class YearComputed:
    """Progress of a full rebuild, reported after each fiscal year."""

    year: int
    done: int
    total: int
    seconds: float
    changed: bool = True  # False: the stored rows were found right and left as they were


# PostgreSQL advisory lock keys: (this class, RollupRun id) is held by the process running that
# rebuild, for as long as it runs. PostgreSQL releases it when the process's connection closes,
# so a free lock on a RUNNING rebuild means its worker died (kill -9, OOM, lost machine).
RUN_LOCK_CLASS = 480_911_318


def _try_claim_run(run_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run_id])
        return bool(cursor.fetchone()[0])


def _release_run(run_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, run_id])


def rebuild_is_alive(run: RollupRun) -> bool:
    """Whether some process is running this rebuild now (always assumed off PostgreSQL)."""
    if run.state != RollupRun.State.RUNNING:
        return False
    if connection.vendor != "postgresql":
        return True
    if not _try_claim_run(run.pk):
        return True
    _release_run(run.pk)
    return False


def rebuild_all(
    run: RollupRun | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    on_year: Callable[[YearComputed], None] | None = None,
) -> RollupRun:
    """Recompute every slice, one fiscal year at a time (rebuild_workers() years at once),
    recording progress on `run`. Years whose stored rows are already right are left as they are.

    A year is one transaction: a rebuild killed halfway keeps the years it finished, and running
    it again from the start gives the same rows (each year's rows are replaced, not added to).
    A run already finished, or being run by another process, is returned as it is: a task
    delivered twice does the work once.
    """
    run = run or RollupRun.objects.create()
    if not _try_claim_run(run.pk):
        run.refresh_from_db()
        return run
    try:
        run.refresh_from_db()
        if run.state == RollupRun.State.DONE:
            return run
        _rebuild(run, progress, on_year)
    finally:
        _release_run(run.pk)
    run.refresh_from_db()
    return run


def rebuild_workers() -> int:
    """How many fiscal years a rebuild computes at once, each on its own database connection.

    Two on PostgreSQL by default (settings.ROLLUP_REBUILD_WORKERS): a year's computation is one
    large statement PostgreSQL runs on one core, so a second connection puts the second core to
    work. One on SQLite, which takes one writer at a time, and inside a transaction, whose
    uncommitted rows other connections could not see.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, settings.ROLLUP_REBUILD_WORKERS)


def _years_largest_first(years: Iterable[int]) -> list[int]:
    """The years by number of ledger entries, largest first: when the workers take them in this
    order, the last year to finish is a small one and no worker waits long for the other."""
    sizes = dict(
        FinancialEntry.objects.values_list("fiscal_year")
        .annotate(entries=models.Count("pk"))
        .order_by()
    )
    return sorted(years, key=lambda year: (-sizes.get(year, 0), year))


def _rebuild(
    run: RollupRun,
    progress: Callable[[int, int], None] | None,
    on_year: Callable[[YearComputed], None] | None,
) -> None:
    RollupRun.objects.filter(pk=run.pk).update(
        state=RollupRun.State.RUNNING, started_at=timezone.now(), finished_at=None, error=""
    )
    # The requests already committed are answered by this rebuild; later ones are left for the
    # drain, as their edits may land in a year already recomputed.
    answered = list(RollupRefresh.objects.values_list("pk", flat=True))
    try:
        by_year: dict[int, list[Slice]] = {}
        for year, division in sorted(all_slices()):
            by_year.setdefault(year, []).append((year, division))
        RollupRun.objects.filter(pk=run.pk).update(slices_total=len(by_year), slices_done=0)
        years = _years_largest_first(by_year)
        workers = min(rebuild_workers(), len(years))
        first_build = start_first_build()
        if first_build:
            compute: Callable[[list[Slice]], bool] = build_slices
        else:
            # A first build killed halfway left them aside.
            _in_threads(restore_index, missing_indexes(), workers)
            compute = partial(compute_slices, verify_first=True, activity_money=False)
        _compute_years(run, by_year, years, workers, compute, progress, on_year)
        # The activity tables read the cells and totals but write neither: a first build sums
        # them while it builds the indexes it set aside.
        steps: list[Callable[[], object]] = (
            last_steps() if first_build else [recompute_all_activity_money]
        )
        _in_threads(_run, steps, workers)
        if first_build:
            vacuum_written_tables()
        delete_requests(answered)
        RollupRun.objects.filter(pk=run.pk).update(
            state=RollupRun.State.DONE, finished_at=timezone.now()
        )
    except Exception as error:
        RollupRun.objects.filter(pk=run.pk).update(
            state=RollupRun.State.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise


def _run(step: Callable[[], object]) -> None:
    step()


def _compute_years(
    run: RollupRun,
    by_year: dict[int, list[Slice]],
    years: list[int],
    workers: int,
    compute: Callable[[list[Slice]], bool],
    progress: Callable[[int, int], None] | None,
    on_year: Callable[[YearComputed], None] | None,
) -> None:
    """Compute each year's slices, `workers` years at once, recording progress on `run`."""
    done = 0
    done_lock = threading.Lock()
    total = len(years)

    def compute_year(year: int) -> None:
        nonlocal done
        started = time.monotonic()
        changed = compute(by_year[year])
        with done_lock:
            done += 1
            finished = done
            RollupRun.objects.filter(pk=run.pk).update(slices_done=finished)
        if progress:
            progress(finished, total)
        if on_year:
            seconds = time.monotonic() - started
            on_year(YearComputed(year, finished, total, seconds, changed))

    _in_threads(compute_year, years, workers)


def _in_threads[Item](work: Callable[[Item], None], items: list[Item], workers: int) -> None:
    """Run `work` for each item, `workers` at a time, each thread with its own connection (in
    this thread, one after the other, with one worker).

    The first failure stops the threads from taking more items and is raised here, once every
    thread has stopped; the years already committed stay (a rerun recomputes them anyway).
    """
    if workers <= 1:
        for item in items:
            work(item)
        return
    pending: queue.SimpleQueue[Item] = queue.SimpleQueue()
    for item in items:
        pending.put(item)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            while not failures:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                work(item)
        except BaseException as error:  # re-raised in the calling thread
            failures.append(error)
        finally:
            # Django opened this thread's connection; nothing else would close it.
            connection.close()

    threads = [threading.Thread(target=worker, name=f"rollup-rebuild-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def interrupted_rebuilds(*, include_queued: bool) -> list[RollupRun]:
    """Rebuilds whose worker died while running them (and, with `include_queued`, those still
    waiting, whose message a dead worker may have taken with it)."""
    runs = RollupRun.objects.filter(
        state__in=[RollupRun.State.QUEUED, RollupRun.State.RUNNING]
    ).order_by("pk")
    return [
        run
        for run in runs
        if (run.state == RollupRun.State.QUEUED and include_queued)
        or (run.state == RollupRun.State.RUNNING and not rebuild_is_alive(run))
    ]


def rebuild_in_progress() -> RollupRun | None:
    """The rebuild queued or running, if any: the focal point cannot start a second one."""
    return (
        RollupRun.objects.filter(state__in=[RollupRun.State.QUEUED, RollupRun.State.RUNNING])
        .order_by("pk")
        .first()
    )
