"""The documented backup/restore pair: a dump restored into an empty database comes back whole,
audit history included, with identical row counts and identical money totals."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import User
from finance import services
from finance.importer import import_legacy_workbook
from finance.models import FinancialEntry

# serialized_rollback: a transactional test run before this one on the same worker (the browser
# tests) leaves the tables flushed; this brings back the reference data migration 0002 loaded.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"


def _url(name: str) -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


# Every table's rows counted in one statement (each count run by query_to_xml): a psql for
# each of some 150 tables, in both databases, cost more than the backup and the restore.
COUNTS = (
    "SELECT tablename, (xpath('/row/n/text()', query_to_xml("
    "format('SELECT count(*) AS n FROM public.%I', tablename), false, true, '')))[1]::text"
    " FROM pg_tables WHERE schemaname = 'public'"
)


def _counts(url: str) -> dict[str, int]:
    rows = (row.split("|") for row in _psql(url, COUNTS).splitlines())
    return {table: int(count) for table, count in rows}


MONEY = (
    "SELECT kind || ' ' || stage || ' ' || sum(amount_usd) FROM finance_financialentry "
    "GROUP BY kind, stage ORDER BY kind, stage"
)


def test_backup_then_restore_into_an_empty_database_gives_back_every_row(
    focal: User, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("backups are of the production engine, PostgreSQL")
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=False)
    entry = FinancialEntry.objects.order_by("pk").first()
    assert entry is not None
    services.correct_entry(
        entry=entry,
        new_amount=entry.amount + Decimal("0.01"),
        reason="Rounding in the legacy sheet",
        user=focal,
        expected_version=services.ledger_version(entry.activity),
    )
    source = _url(connection.settings_dict["NAME"])
    target_name = f"{connection.settings_dict['NAME']}_restore"
    target = _url(target_name)
    maintenance = _url("postgres")
    _psql(maintenance, f'DROP DATABASE IF EXISTS "{target_name}"')
    _psql(maintenance, f'CREATE DATABASE "{target_name}"')
    dump = tmp_path / "portal.dump"
    env = {**os.environ, "DATABASE_URL": source}
    try:
        subprocess.run([ROOT / "scripts/backup.sh", dump], check=True, env=env, cwd=ROOT)
        subprocess.run(
            [ROOT / "scripts/restore.sh", dump],
            check=True,
            env={**env, "DATABASE_URL": target},
            cwd=ROOT,
            capture_output=True,
        )
        before, after = _counts(source), _counts(target)
        assert after == before
        assert before["finance_historicalfinancialentry"] > 0
        assert before["activities_historicalactivity"] >= 16
        assert _psql(target, MONEY) == _psql(source, MONEY)
        # A second restore into the now full database is refused, not merged.
        again = subprocess.run(
            [ROOT / "scripts/restore.sh", dump],
            env={**env, "DATABASE_URL": target},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert again.returncode == 1
        assert "already has" in again.stderr
    finally:
        _psql(maintenance, f'DROP DATABASE IF EXISTS "{target_name}"')
