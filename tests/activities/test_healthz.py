"""/healthz: 200 tied to the database alone; Redis and the workers reported beside it, quickly,
whatever state Redis is in."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse

from activities import health
from ssc_portal.celery import app

pytestmark = pytest.mark.django_db
URL = reverse("healthz")


@contextmanager
def tasks_queued_on(url: str) -> Iterator[None]:
    """The Celery app sends tasks (not eagerly) to the broker at `url` while inside."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: a hung Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_healthz_reports_the_database_and_says_tasks_run_inline_in_eager_mode(
    client: Client,
) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["worker"]) == ("ok", "ok", "eager")
    assert body["redis"] in ("ok", "error")
    assert response["Cache-Control"].startswith("max-age=0")


def test_redis_unreachable_is_reported_quickly_and_the_node_stays_in_service(
    client: Client,
) -> None:
    started = time.monotonic()
    with tasks_queued_on("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = client.get(URL)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "error",
        "worker": "unknown",
    }


def test_a_redis_that_never_answers_is_reported_within_the_timeout(silent_server: str) -> None:
    started = time.monotonic()
    with tasks_queued_on(silent_server):
        assert health.redis_status() == "error"
    assert time.monotonic() - started < health.REDIS_TIMEOUT * 3


def test_the_database_down_is_the_one_thing_that_fails_the_check(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "database_status", lambda: "error")
    monkeypatch.setattr(health, "redis_status", lambda: "ok")
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
