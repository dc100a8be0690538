"""Server time and query count of the activity list on 100,000 activities (PostgreSQL).

    make bench                      # or, with the environment the Makefile sets:
    python benchmarks/activity_list.py [--activities 100000] [--repeat 20] [--explain]

Generates the activities once in the database DATABASE_URL names (ssc_bench under `make bench`)
and reuses them on later runs. Each scenario is requested through Django's test Client (the whole
middleware, view and template stack, no network), a few times to warm up, then --repeat times;
the table gives the fastest, median and 95th percentile times (on a busy machine the fastest is
the closest to the page's own cost), and the number of SQL queries of one request and
the time they took (the rest is Python: view, forms, templates).
--explain prints EXPLAIN ANALYZE for the slowest queries of every scenario over the budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.filters import ActivityFilter  # noqa: E402
from activities.models import Activity, Division  # noqa: E402

BUDGET_MS = 200.0
WARM_UP = 3

# (label, query string): the filters and sorts people use, and the worst cases.
SCENARIOS: list[tuple[str, str]] = [
    ("default (newest first)", ""),
    ("page 200", "page=200"),
    ("search 'rice'", "q=rice"),
    ("SSC ID exact", "q=SSC-2015-100"),
    ("division LAC + ongoing", "division=LAC&status=ongoing"),
    ("country BR", "country=BR"),
    ("country BR as provider", "country=BR&role=provider"),
    ("reporting year 2015", "reporting_year=2015"),
    ("theme gender", "theme=gender"),
    ("partner name 'ministry'", "partner_name=ministry"),
    ("sort by title", "ordering=title"),
    ("sort by year desc", "ordering=-year"),
    ("sort by status", "ordering=status"),
    ("mine", "mine=1"),
]


@dataclass
class Result:
    user: str
    label: str
    min_ms: float
    median_ms: float
    p95_ms: float
    queries: int
    sql_ms: float
    rows: str


def ensure_database() -> None:
    """Create the benchmark database when it does not exist yet (the server must run)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../ssc_bench.")
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


def ensure_data(target: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    count = Activity.objects.count()
    if count >= target:
        print(f"Reusing {count:,} activities in {settings.DATABASES['default']['NAME']}.")
        return
    print(f"Generating {target - count:,} activities (once; later runs reuse them)...")
    call_command("generate_synthetic", activities=target - count, seed=count + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_users() -> dict[str, User]:
    focal, _ = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    cpm, created = User.objects.get_or_create(username="bench-cpm", defaults={"role": Role.CPM})
    if created:
        cpm.divisions.set([Division.objects.get(code="LAC")])
    return {"focal point": focal, "CPM (LAC)": cpm}


def measure(
    client: Client, url: str, repeat: int
) -> tuple[list[float], Any, CaptureQueriesContext]:
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return times, response, queries


def matches(user: User, query: str) -> int:
    """How many activities the scenario finds (counted apart: not part of the timing)."""
    request = RequestFactory().get("/", QueryDict(query))
    request.user = user
    params = QueryDict(query) if query else None
    found = ActivityFilter(params, queryset=Activity.objects.visible_to(user), request=request)
    return found.qs.count()


def explain(queries: CaptureQueriesContext, top: int = 3) -> None:
    slowest = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    for query in slowest[:top]:
        print(f"\n  -- {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print(f"     {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow scenarios")
    parser.add_argument("--only", default="", help="run the scenarios whose label has this text")
    options = parser.parse_args()

    ensure_database()
    ensure_data(options.activities)
    # DEBUG is off (as in production): the manifest static storage needs collected files.
    call_command("collectstatic", interactive=False, verbosity=0)
    url = reverse("activities:list")
    results: list[Result] = []
    for user_label, user in bench_users().items():
        client = Client()
        client.force_login(user)
        for label, query in SCENARIOS:
            if options.only and options.only not in label:
                continue
            times, _response, queries = measure(
                client, f"{url}?{query}" if query else url, options.repeat
            )
            rows = f"{matches(user, query):,}"
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            result = Result(
                user_label,
                label,
                min(times),
                statistics.median(times),
                p95,
                len(queries),
                sql_ms,
                rows,
            )
            results.append(result)
            print(
                f"{user_label:<12} {label:<26} {result.min_ms:7.1f} {result.median_ms:8.1f} "
                f"{result.p95_ms:8.1f} "
                f"{result.queries:>4} {sql_ms:7.1f} {rows:>8}",
                flush=True,
            )
            if options.explain and result.median_ms > BUDGET_MS:
                explain(queries)

    print(f"\nActivity list, {Activity.objects.count():,} activities, {options.repeat} requests")
    print(
        f"{'user':<12} {'scenario':<26} {'min ms':>7} {'median ms':>9} {'p95 ms':>8} {'SQL':>4} "
        f"{'SQL ms':>7} {'matches':>8}"
    )
    for r in results:
        flag = "  over budget" if r.median_ms > BUDGET_MS else ""
        print(
            f"{r.user:<12} {r.label:<26} {r.min_ms:7.1f} {r.median_ms:9.1f} {r.p95_ms:8.1f} "
            f"{r.queries:>4} "
            f"{r.sql_ms:7.1f} {r.rows:>8}{flag}"
        )


if __name__ == "__main__":
    main()
