"""Fixtures of the finance tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from finance.models import RollupRun
from finance.rollups.rebuild import RUN_LOCK_CLASS


@pytest.fixture
def hold_run(db: None) -> Iterator[Callable[[RollupRun], None]]:
    """Claim a rebuild from a second database session, as the worker running it would."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    db_settings = settings.DATABASES["default"]
    session = psycopg2.connect(
        dbname=db_settings["NAME"],
        user=db_settings["USER"],
        password=db_settings["PASSWORD"],
        host=db_settings["HOST"],
        port=db_settings["PORT"],
    )
    session.autocommit = True

    def hold(run: RollupRun) -> None:
        with session.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run.pk])

    yield hold
    session.close()
