"""Roll-ups with a real Celery worker on Redis, against the test database: an edit reaches the
dashboard within seconds, a rebuild survives its worker being killed (kill -9), and an edit made
while Redis is down is saved and counted once Redis and a worker are back.

Each test runs its worker (and, for the outage, its own throwaway redis-server) as subprocesses
on a queue of its own (CELERY_QUEUE) in Redis database 15: parallel test runs and a developer's
worker on database 0 never take each other's tasks. Transactional tests: the worker is another
process and sees committed rows only.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity
from finance.models import FinancialEntry, RollupRefresh, RollupRun, Stage
from ssc_portal.celery import app
from tests.factories import ActivityFactory
from tests.finance.test_dashboard import summary
from tests.finance.test_pages import line, lines_form
from tests.helpers import sides_asked

pytestmark = [
    pytest.mark.worker,
    # serialized_rollback: the flush after a transactional test would otherwise take the
    # reference data (divisions, countries) away from the tests that run after it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
SHARED_REDIS = "redis://127.0.0.1:6379/15"
IFAD_ALLOCATED = "IFAD allocated (US$)"
REDIS_SERVER = shutil.which("redis-server")


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll until `condition()` holds; return the seconds it took, fail after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def tasks_sent_to(broker: str, queue: str) -> Iterator[None]:
    """This process queues tasks on `broker`/`queue` for real (not eagerly) while inside."""
    names = ("broker_url", "result_backend", "task_default_queue", "task_always_eager")
    saved = {name: app.conf[name] for name in names}

    def forget_connections() -> None:
        # Celery keeps its connection pool, routing and result backend once made: drop them
        # so that the next task uses the new settings.
        app._pool = None
        app.__dict__.pop("amqp", None)
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    app.conf.update(
        broker_url=broker, result_backend=broker, task_default_queue=queue, task_always_eager=False
    )
    forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_connections()


class Workers:
    """Starts Celery workers (one process each: --pool solo, so kill -9 kills the task too) on
    one broker and queue, against the test database; stops them all at the end."""

    def __init__(self, broker: str, queue: str, logs: Path) -> None:
        self.broker, self.queue, self.logs = broker, queue, logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}"
            f"/{db['NAME']}",
            # The test database only: the suite's DATABASE_REPLICA_URL names a database, not
            # its test copy.
            "DATABASE_REPLICA_URL": "",
            "REDIS_URL": self.broker,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        log = self.logs / f"worker-{len(self.processes)}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "ssc_portal", "worker", "--pool", "solo",
            "--loglevel", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"{self.queue}-{len(self.processes)}@%h",
        ]  # fmt: skip
        with log.open("wb") as out:
            # Our own command line: the project's celery with fixed arguments.
            process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        wait_for(lambda: " ready." in log.read_text() or process.poll() is not None, 30, "start")
        if process.poll() is not None:
            pytest.fail(f"The worker exited:\n{log.read_text()[-3000:]}")
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            # SIGQUIT: cold shutdown, without waiting for the task at hand.
            stop(process, signal.SIGQUIT)


def close_other_sessions(timeout: float = 10) -> None:
    """Wait for the database sessions of the workers to end, then end those left.

    A worker killed in the middle of a statement leaves its session running until that statement
    ends; the flush after the test, or dropping the test database, would wait for it or fail.
    Only this test's database is concerned: it belongs to this test process alone.
    """
    others = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    terminate = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        cursor.execute(others)
        while cursor.fetchall() and time.monotonic() < deadline:
            time.sleep(0.1)
            cursor.execute(others)
        cursor.execute(terminate)


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Callable[[str], Workers]]:
    """workers(broker) -> Workers on a queue of this test's own; tasks this process queues go
    there too. Every worker is stopped before the database is flushed."""
    started: list[Workers] = []
    queue = f"ssc-test-{uuid.uuid4().hex[:12]}"

    def on(broker: str) -> Workers:
        pool = Workers(broker, queue, tmp_path)
        started.append(pool)
        return pool

    try:
        yield on
    finally:
        for pool in started:
            pool.stop_all()
        close_other_sessions()
        # Leave nothing of this queue in the shared Redis (a throwaway one is gone already).
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(SHARED_REDIS, socket_timeout=1).delete(
                queue, f"_kombu.binding.{queue}"
            )


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """A throwaway redis-server on a free port (never the shared one): start() (again after
    stopping it) returns its process; its URL is `start.url`."""
    if REDIS_SERVER is None:
        pytest.fail("redis-server is not installed (make test starts Redis from it)")
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(process)

        def answers() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return process.poll() is not None
            return True

        wait_for(answers, 10, "redis-server start")
        return process

    start.url = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    try:
        yield start
    finally:
        for process in processes:
            stop(process)


def allocated(client: Client) -> Decimal:
    """IFAD allocated on the dashboard's headline figures (the summary table's CSV)."""
    return Decimal(summary(client)[IFAD_ALLOCATED])


def add_allocation(client: Client, activity: Activity, amount: str) -> None:
    """The CPM saves one line on the activity's finance page."""
    url = reverse("finance:activity", args=[activity.pk])
    response = client.post(url, lines_form(0, line(0, amount=amount, value_date="2024-03-10")))
    assert response.status_code == 302, response.content.decode()[:2000]


def ledger_allocated() -> Decimal:
    return FinancialEntry.objects.filter(
        stage=Stage.ALLOCATED, kind__in=["ifad_grant", "ifad_loan", "ifad_admin"]
    ).aggregate(total=Sum("amount_usd"))["total"] or Decimal("0.00")


def test_a_cpms_edit_reaches_the_dashboard_within_five_seconds(
    workers: Callable[[str], Workers],
    cpm: User,
    cpm_client: Client,
    focal_client: Client,
    client_for: Callable[[User | None], Client],
) -> None:
    pool = workers(SHARED_REDIS)
    with tasks_sent_to(pool.broker, pool.queue):
        pool.start()
        activity = ActivityFactory(countries=["BR"])
        assert allocated(focal_client) == Decimal("0.00")

        saved = time.monotonic()
        add_allocation(cpm_client, activity, "12345.67")
        wait_for(lambda: allocated(focal_client) == Decimal("12345.67"), 5, "dashboard figure")
        assert time.monotonic() - saved < 5
        assert not RollupRefresh.objects.exists()

        health = client_for(None).get(reverse("healthz")).json()
        assert (health["redis"], health["worker"]) == ("ok", "ok")


def test_a_rebuild_whose_worker_is_killed_is_finished_by_the_next_worker(
    workers: Callable[[str], Workers], focal: User, focal_client: Client
) -> None:
    # 27 fiscal years of money (2000-2026): one transaction each, slow enough to be caught.
    call_command("generate_synthetic", activities=300, entries=3000, stdout=io.StringIO())
    pool = workers(SHARED_REDIS)
    with tasks_sent_to(pool.broker, pool.queue):
        first = pool.start()
        response = focal_client.post(reverse("finance:rollup_rebuild"))
        assert response.status_code == 302
        run = RollupRun.objects.get()

        def progressed() -> bool:
            run.refresh_from_db()
            return run.slices_done >= 1

        wait_for(progressed, 10, "the rebuild's first year")
        first.send_signal(signal.SIGKILL)
        first.wait()
        run.refresh_from_db()
        assert run.state == RollupRun.State.RUNNING
        assert 0 < run.slices_done < run.slices_total, "not caught mid-rebuild"

        pool.start()  # its start-up recovery finds the dead rebuild and runs it again

        def finished() -> bool:
            run.refresh_from_db()
            return run.state == RollupRun.State.DONE

        wait_for(finished, 20, "the rebuild resumed by the new worker")
        assert run.slices_done == run.slices_total == 27
        assert allocated(focal_client) == ledger_allocated() > 0


def test_an_edit_made_while_redis_is_down_is_saved_and_counted_once_redis_is_back(
    workers: Callable[[str], Workers],
    redis_server: Callable[[], subprocess.Popen[bytes]],
    cpm: User,
    cpm_client: Client,
    focal_client: Client,
    client_for: Callable[[User | None], Client],
) -> None:
    pool = workers(redis_server.url)  # type: ignore[attr-defined]
    activity = sides_asked(ActivityFactory(countries=["BR"]))
    with tasks_sent_to(pool.broker, pool.queue):
        broker_process = redis_server()
        worker = pool.start()
        stop(broker_process)

        saved = time.monotonic()
        add_allocation(cpm_client, activity, "500.00")
        assert time.monotonic() - saved < 5  # the broker's connection timeout, not a hang
        assert FinancialEntry.objects.filter(activity=activity).count() == 1
        assert RollupRefresh.objects.count() == 1
        page = focal_client.get(reverse("finance:dashboard")).content.decode()
        # The figures say they do not count the edit yet (after 30 s: "stale, the background
        # worker may be down").
        assert 'data-state="refreshing"' in page
        assert "1 recent change is being counted" in page
        assert allocated(focal_client) == Decimal("0.00")
        health = client_for(None).get(reverse("healthz"))
        assert health.status_code == 200
        assert (health.json()["redis"], health.json()["worker"]) == ("error", "unknown")

        redis_server()
        stop(worker, signal.SIGKILL)
        pool.start()  # its start-up recovery drains what was asked while Redis was down
        wait_for(lambda: allocated(focal_client) == Decimal("500.00"), 10, "the late refresh")
        assert not RollupRefresh.objects.exists()
        page = focal_client.get(reverse("finance:dashboard")).content.decode()
        assert 'data-state="refreshing"' not in page and 'data-state="stale"' not in page
