"""Which database a query goes to (ssc_portal.db_router), without a database: the settings with
and without DATABASE_REPLICA_URL, and the router's answers inside and outside lag-tolerant work.
The replica's reads themselves are tried on two databases in test_read_replica."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.http import HttpRequest, StreamingHttpResponse
from django.test import RequestFactory

from activities.models import Activity
from ssc_portal.db_router import PrimaryReplicaRouter, reads_from_replica, replica_reads

ROOT = Path(__file__).resolve().parents[2]
READ_DATABASES = (
    "import json; from ssc_portal import settings; "
    "print(json.dumps([sorted(settings.DATABASES), getattr(settings, 'DATABASE_ROUTERS', [])]))"
)
PRIMARY = "postgres://u@db:5432/ssc"

router = PrimaryReplicaRouter()


def _settings(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    env.update({"DEBUG": "1", "SECRET_KEY": "x", **environment})
    return subprocess.run(
        [sys.executable, "-c", READ_DATABASES], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_without_a_replica_there_is_one_database_and_no_router() -> None:
    shown = _settings(DATABASE_URL=PRIMARY)
    assert json.loads(shown.stdout) == [["default"], []]


def test_a_replica_url_adds_the_replica_and_its_router() -> None:
    shown = _settings(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="postgres://u@replica:5432/ssc")
    assert json.loads(shown.stdout) == [
        ["default", "replica"],
        ["ssc_portal.db_router.PrimaryReplicaRouter"],
    ]


def test_a_replica_of_another_engine_stops_the_start_up() -> None:
    shown = _settings(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="sqlite:///replica.sqlite3")
    assert shown.returncode != 0
    assert "DATABASE_REPLICA_URL must name a replica" in shown.stderr


def test_reads_go_to_the_primary_unless_declared_lag_tolerant() -> None:
    assert router.db_for_read(Activity) == "default"
    with replica_reads():
        assert router.db_for_read(Activity) == "replica"
    assert router.db_for_read(Activity) == "default"


def test_after_a_write_the_lag_tolerant_work_reads_the_primary() -> None:
    with replica_reads():
        assert router.db_for_read(Activity) == "replica"
        assert router.db_for_write(Activity) == "default"
        assert router.db_for_read(Activity) == "default"
    # The next lag-tolerant work starts afresh.
    with replica_reads():
        assert router.db_for_read(Activity) == "replica"


def _where_each_chunk_reads() -> Iterator[bytes]:
    for _chunk in range(3):
        yield router.db_for_read(Activity).encode()


@reads_from_replica
def streamed(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_where_each_chunk_reads())


def test_a_streamed_answer_reads_the_replica_while_each_chunk_is_made_and_only_then() -> None:
    response = streamed(RequestFactory().get("/"))
    chunks = response.streaming_content
    assert isinstance(chunks, Iterator)
    assert next(chunks) == b"replica"
    # Between two chunks the server's own work (closing the request, the session) reads the
    # primary.
    assert router.db_for_read(Activity) == "default"
    assert list(chunks) == [b"replica", b"replica"]
    assert router.db_for_read(Activity) == "default"


def test_writes_always_go_to_the_primary_and_migrations_never_to_the_replica() -> None:
    assert router.db_for_write(Activity) == "default"
    assert router.allow_migrate("default", "activities", "activity")
    assert not router.allow_migrate("replica", "activities", "activity")
    assert not router.allow_migrate("replica", "finance")
