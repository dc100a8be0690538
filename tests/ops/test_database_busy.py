"""SQLite (the quickstart) lets one writer in at a time: a second one waits for the lock, and a
write refused after the wait answers 409 with what to do, never a server error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from finance import services
from finance.models import FinancialEntry
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LINE = {
    "kind": "ifad_grant",
    "stage": "planned",
    "amount": "10",
    "currency": "USD",
    "value_date": "2024-01-01",
}


@pytest.fixture
def busy_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(**_: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "record_entries", locked)


def test_sqlite_waits_for_the_lock_and_takes_it_when_a_transaction_begins(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quickstart.sqlite3'}",
        "DATABASE_REPLICA_URL": "",  # the quickstart has no replica
        "DJANGO_SETTINGS_MODULE": "ssc_portal.settings",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    options = json.loads(shown.stdout)
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"


def test_a_busy_database_answers_409_in_the_api(cpm_client: Client, busy_ledger: None) -> None:
    activity = ActivityFactory()
    response = cpm_client.post(
        "/api/v1/ledger/",
        {"activity": activity.pk, "ledger_version": 0, "entries": [LINE]},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"].startswith("Someone else was saving at the same moment")


def test_a_busy_database_answers_409_on_a_page(cpm_client: Client, busy_ledger: None) -> None:
    activity = ActivityFactory()
    body: dict[str, object] = {"version": 0, "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0}
    body.update({f"lines-0-{key}": value for key, value in LINE.items()})
    response = cpm_client.post(reverse("finance:activity", args=[activity.pk]), body)
    assert response.status_code == 409
    assert "the database stayed busy: nothing was saved" in response.content.decode()
    assert not FinancialEntry.objects.exists()


def test_other_database_errors_are_not_taken_for_a_busy_database(
    cpm_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> None:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "record_entries", broken)
    activity = ActivityFactory()
    cpm_client.raise_request_exception = False
    response = cpm_client.post(
        "/api/v1/ledger/",
        {"activity": activity.pk, "ledger_version": 0, "entries": [LINE]},
        content_type="application/json",
    )
    assert response.status_code == 500
