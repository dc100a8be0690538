"""The activity list's export (activities.export) of a whole portfolio: time, SQL queries and
peak Python memory of the CSV (streamed) and the workbook, every column.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_export \\
        python benchmarks/activity_export.py [--activities 20000]

Generates the activities once (generate_synthetic) in the database DATABASE_URL names and reuses
them. Each file is requested through Django's test Client as the focal point (who reads every
activity) and read to its end; the queries are counted and Python's allocations traced apart
from the timed run, which they slow down.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from activities.export import COLUMNS  # noqa: E402
from activities.models import Activity  # noqa: E402
from benchmarks.activity_list import bench_users, ensure_data, ensure_database  # noqa: E402


def download(client: Client, url: str) -> int:
    """The file's size in bytes, read to its end as a browser would."""
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return sum(len(chunk) for chunk in response.streaming_content)


def count_queries(client: Client, url: str) -> int:
    """The statements the export sends (a wrapper on the connection: the streamed response is
    read after the request's own bookkeeping, which CaptureQueriesContext relies on)."""
    sent: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        download(client, url)
    return len(sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--query", default="", help="the list's filters, e.g. division=LAC")
    options = parser.parse_args()
    ensure_database()
    ensure_data(options.activities)
    client = Client()
    client.force_login(bench_users()["focal point"])
    columns = "&".join(f"columns={column.key}" for column in COLUMNS)
    print(
        f"Activity export, {Activity.objects.count():,} activities, all {len(COLUMNS)} columns, "
        f"filters: {options.query or 'none'}"
    )
    print(f"{'format':<6} {'seconds':>8} {'MB':>6} {'SQL':>5} {'peak Python MiB':>16}")
    for file_format in ("csv", "xlsx"):
        url = f"{reverse('activities:export')}?format={file_format}&{columns}&{options.query}"
        download(client, url)  # warm-up
        started = time.perf_counter()
        size = download(client, url)
        seconds = time.perf_counter() - started
        queries = count_queries(client, url)
        tracemalloc.start()
        download(client, url)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{file_format:<6} {seconds:8.2f} {size / 1e6:6.1f} {queries:>5} {peak / 2**20:16.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
