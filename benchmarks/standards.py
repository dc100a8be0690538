"""Time of the two standards exports (the TOSSD extract, the SDG 17.3.1 aggregate) at 100,000
activities and about 1,000,000 ledger entries (PostgreSQL), built as the worker builds them.

    make bench-standards            # or, with the environment the Makefile sets:
    python benchmarks/standards.py [--activities 100000] [--entries 1000000] [--format xlsx]

Generates the data once (`manage.py generate_synthetic --entries`) in the database DATABASE_URL
names (ssc_bench_standards under `make bench-standards`) and reuses it on later runs. Each export
is a StandardsExport row built by `standards.services.build_export`, the function the Celery
task calls: the reads, the checks, the file. Target: under 30 s each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.models import Activity  # noqa: E402
from finance.models import FinancialEntry  # noqa: E402
from standards.models import ExportKind, StandardsExport  # noqa: E402
from standards.services import build_export  # noqa: E402

TARGET_SECONDS = 30.0


def ensure_database() -> None:
    """Create the benchmark database when it does not exist yet (the server must run)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        sys.exit(
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../ssc_bench_standards."
        )
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            print(f"Creating database {db['NAME']}")
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def ensure_data(activities: int, entries: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    have = Activity.objects.count(), FinancialEntry.objects.count()
    if have[0] >= activities and have[1] >= entries:
        print(f"Reusing {have[0]:,} activities and {have[1]:,} ledger entries.")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return
    if have[0]:
        sys.exit(
            f"{settings.DATABASES['default']['NAME']} holds {have[0]:,} activities and "
            f"{have[1]:,} entries, fewer than asked: drop it and run again."
        )
    print(f"Generating {activities:,} activities and {entries:,} entries (once)...")
    call_command("generate_synthetic", activities=activities, entries=entries)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(user: User, kind: str, file_format: str) -> None:
    export = StandardsExport.objects.create(requested_by=user, kind=kind, format=file_format)
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        build_export(export.pk)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    export.refresh_from_db()
    size = export.file.size if export.file else 0
    flag = "" if elapsed <= TARGET_SECONDS else "  over the target"
    print(
        f"{export.get_kind_display()[:40]:40} {file_format:5} {elapsed:8.1f} s "
        f"(CPU {cpu:6.1f} s) "
        f"{len(queries):6d} queries {export.rows:9,d} rows {size / 1e6:7.1f} MB "
        f"{export.state} ({len(export.problems)} problems){flag}"
    )
    if export.file:
        export.file.delete(save=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    options = parser.parse_args()
    ensure_database()
    ensure_data(options.activities, options.entries)
    user, _ = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    print(f"\nStandards exports, focal point (target {TARGET_SECONDS:.0f} s each)")
    for kind in (ExportKind.TOSSD, ExportKind.SDG_1731):
        run(user, kind, options.format)
    print(os.popen("uptime").read().strip())  # noqa: S605, S607 - the machine's load, for the record


if __name__ == "__main__":
    main()
