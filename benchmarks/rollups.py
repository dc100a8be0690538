"""Roll-ups at 100,000 activities and 1,000,000 ledger entries (PostgreSQL): the full rebuild next
to the query PostgreSQL runs for the same result (the equivalent GROUP BY, with the country and
theme split), the refresh after one edit, and the dashboard, with and without its Confirmation
filter (the generated activities' agreement set a quarter per state, by an UPDATE).

    make bench-rollups              # or, with the environment the Makefile sets:
    python benchmarks/rollups.py [--activities 100000] [--entries 1000000] [--repeat 20]
                                 [--skip-rebuild] [--from-empty] [--table-costs]

Generates the activities and their entries once (`manage.py generate_synthetic --entries`) in
the database DATABASE_URL names (ssc_bench_rollups under `make bench-rollups`) and reuses them on
later runs; every run vacuums and analyzes them first, as autovacuum would. Targets: rebuild
<= 1.5 x the equivalent query, refresh < 0.5 s, dashboard < 150 ms.

The rebuild runs as the nightly one does, over the roll-ups the refreshes keep current: each
year is recomputed and compared with what is stored, and rewritten only when it differs.
`--from-empty` empties the roll-up tables first, to time a first build, where every row is written.
`--table-costs` times, for the whole portfolio, what each derived table costs to compute and
write (in a transaction rolled back: nothing changes) and prints its size on disk.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

from activity_list import ensure_database  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.models import Activity, Agreement, Visibility  # noqa: E402
from finance import dashboard, jobs, rollups, services  # noqa: E402
from finance.models import (  # noqa: E402
    ActivityCount,
    ActivityMoney,
    ActivityPair,
    ActivityQuantity,
    ActivityYearTotal,
    AllYearsCell,
    ContributionKind,
    FinancialEntry,
    Grain,
    InKindQuantity,
    PairCount,
    RollupCell,
    Stage,
)
from finance.rollups import sql as rollup_sql  # noqa: E402
from finance.rollups import store as rollup_store  # noqa: E402
from finance.services import EntryData  # noqa: E402

TARGET_RATIO = 1.5
TARGET_REFRESH_S = 0.5
TARGET_DASHBOARD_MS = 150.0
WARM_UP = 3

# What the rebuild reads, summed by PostgreSQL alone: every entry joined to its activity, grouped
# by the roll-up's activity dimensions, kind and stage (the core grain), nothing written.
GROUP_BY = """
SELECT e.fiscal_year, a.lead_division_id, a.modality, a.funding_nature, a.status, a.visibility,
       e.kind, e.stage, SUM(e.amount_usd)
FROM {entry} e JOIN {activity} a ON a.id = e.activity_id
GROUP BY e.fiscal_year, a.lead_division_id, a.modality, a.funding_nature, a.status,
         a.visibility, e.kind, e.stage
"""


# What the rebuild stores, computed by PostgreSQL alone and written nowhere: the ledger summed per
# activity, year, kind and stage (the totals), each total split in whole cents over the activity's
# countries and themes, summed by every dimension (the full grain). The rebuild writes that, plus
# the totals and the coarser grains summed from it. The split is the rebuild's as it was before
# its totals were pivoted (finance.rollups.sql.SPLIT now spreads a pivoted total into its
# amounts first): the reference stays the same query as in every earlier run of this benchmark.
EQUIVALENT = """
SELECT COUNT(*), SUM(cents) FROM (
    SELECT year, division_id, country_id, theme_id, modality, funding_nature, status, agreement,
           is_public, kind, stage, SUM(cents) AS cents
    FROM ({split}) AS parts
    GROUP BY year, division_id, country_id, theme_id, modality, funding_nature, status,
             agreement, is_public, kind, stage
) AS cells
"""
TOTALS = """
SELECT ROW_NUMBER() OVER () AS id, e.activity_id, e.fiscal_year AS year,
       a.lead_division_id AS division_id, a.modality, a.funding_nature, a.status, a.agreement,
       a.visibility = %s AS is_public, e.kind, e.stage,
       CAST(ROUND(SUM(e.amount_usd) * 100) AS BIGINT) AS amount_cents
FROM {entry} e JOIN {activity} a ON a.id = e.activity_id
GROUP BY e.activity_id, e.fiscal_year, a.lead_division_id, a.modality, a.funding_nature,
         a.status, a.agreement, a.visibility, e.kind, e.stage
"""


REFERENCE_SPLIT = """
WITH t AS (
    SELECT t.id, t.activity_id, t.year, t.division_id, t.modality, t.funding_nature, t.status,
           t.agreement, t.is_public, t.kind, t.stage, t.amount_cents
    FROM {total} t WHERE {where}
),
acts AS (SELECT DISTINCT activity_id FROM t),
countries AS (
    SELECT cl.activity_id, cl.country_id,
           COALESCE(CAST(ROUND(cl.share * 100) AS BIGINT), 1) AS weight
    FROM {country_link} cl JOIN acts ON acts.activity_id = cl.activity_id
    UNION ALL
    SELECT acts.activity_id, NULL, 1 FROM acts
    WHERE NOT EXISTS (SELECT 1 FROM {country_link} cl WHERE cl.activity_id = acts.activity_id)
),
themes AS (
    SELECT at.activity_id, at.theme_id
    FROM {activity_theme} at JOIN acts ON acts.activity_id = at.activity_id
    UNION ALL
    SELECT acts.activity_id, NULL FROM acts
    WHERE NOT EXISTS (SELECT 1 FROM {activity_theme} at WHERE at.activity_id = acts.activity_id)
),
parts AS (
    SELECT c.activity_id, c.country_id, th.theme_id, c.weight,
           CAST(SUM(c.weight) OVER (PARTITION BY c.activity_id) AS BIGINT) AS weight_sum
    FROM countries c JOIN themes th ON th.activity_id = c.activity_id
),
split AS (
    SELECT t.id AS total_id, t.year, t.division_id, t.modality, t.funding_nature, t.status,
           t.agreement, t.is_public, t.kind, t.stage, t.amount_cents, p.country_id, p.theme_id,
           (ABS(t.amount_cents) / p.weight_sum) * p.weight
           + (ABS(t.amount_cents) %% p.weight_sum) * p.weight / p.weight_sum AS base,
           ((ABS(t.amount_cents) %% p.weight_sum) * p.weight) %% p.weight_sum AS remainder
    FROM t JOIN parts p ON p.activity_id = t.activity_id
),
ranked AS (
    SELECT split.*,
           ABS(amount_cents) - SUM(base) OVER (PARTITION BY total_id) AS left_over,
           ROW_NUMBER() OVER (
               PARTITION BY total_id ORDER BY remainder DESC, country_id, theme_id
           ) AS place
    FROM split
)
SELECT year, division_id, country_id, theme_id, modality, funding_nature, status, agreement,
       is_public, kind, stage,
       (CASE WHEN amount_cents < 0 THEN -1 ELSE 1 END)
       * (base + CASE WHEN place <= left_over THEN 1 ELSE 0 END) AS cents
FROM ranked
"""


def equivalent_seconds() -> tuple[float, int]:
    tables = rollup_sql.table_names()
    split = REFERENCE_SPLIT.replace(
        "FROM {total} t WHERE {where}", "FROM (" + TOTALS + ") t"
    ).format(**tables)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(EQUIVALENT.format(split=split), [Visibility.PUBLIC.value])
        rows = int(cursor.fetchone()[0])
        return time.perf_counter() - started, rows


def ensure_data(activities: int, entries: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    have = Activity.objects.count(), FinancialEntry.objects.count()
    if have[0] >= activities and have[1] >= entries:
        print(f"Reusing {have[0]:,} activities and {have[1]:,} ledger entries.")
        return
    if have[0]:
        sys.exit(
            f"{settings.DATABASES['default']['NAME']} holds {have[0]:,} activities and "
            f"{have[1]:,} entries, fewer than asked: drop it and run again."
        )
    print(f"Generating {activities:,} activities and {entries:,} entries (once)...")
    call_command("generate_synthetic", activities=activities, entries=entries)


def vacuum_analyze() -> None:
    """What autovacuum would have done in production (it may be off here, as on CI's cluster):
    visibility maps and statistics current, which the index-only scans and the plans rely on.
    Every run, after the data is generated or reused and the agreements spread: the first run
    on new data read an unvacuumed ledger, where the dashboard's in-kind read scanned the table
    instead of its partial index."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# The generated activities' agreement: a quarter in each state, as an UPDATE (the counterparts
# app's confirmations are not generated), once.
SPREAD_AGREEMENTS = """
UPDATE {activity} SET agreement = CASE id % 4
    WHEN 0 THEN 'confirmed' WHEN 1 THEN 'waiting' WHEN 2 THEN 'disputed' ELSE 'none' END
"""


def spread_agreements() -> None:
    if Activity.objects.exclude(agreement=Agreement.NONE).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(SPREAD_AGREEMENTS.format(activity=Activity._meta.db_table))
        cursor.execute("VACUUM ANALYZE " + Activity._meta.db_table)


def seconds(function: object, *args: object) -> float:
    started = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def group_by_seconds() -> tuple[float, int]:
    tables = rollup_sql.table_names()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(GROUP_BY.format(**tables))
        rows = len(cursor.fetchall())
        return time.perf_counter() - started, rows


def bench_user() -> User:
    focal, _created = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    return focal


@dataclass
class AfterEdit:
    """Seconds per edit: the worker's drain and warming, then the first dashboard view."""

    drain: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    first_view_ms: list[float] = field(default_factory=list)


def refresh_after_one_edit(user: User, client: Client, repeat: int) -> AfterEdit:
    """Record one entry as the finance page does, time what the worker runs for it (the drain,
    then the warming of the dashboard's default views), then the focal point's next dashboard."""
    # The worker's tasks are run here, timed, rather than queued for whatever listens on Redis.
    jobs.queue_rollup_drain = lambda: None
    url = reverse("finance:dashboard")
    times = AfterEdit()
    funded = FinancialEntry.objects.order_by("pk").values_list("activity_id", flat=True)
    count = FinancialEntry.objects.count()
    # The first WARM_UP edits are not timed, as the dashboard's warm-up requests below: they
    # pay for this process's first request (templates, URL patterns) and PostgreSQL's first
    # reads of the tables after the rebuild and ANALYZE, which a running portal has long paid.
    for number in range(-WARM_UP, repeat):
        activity = Activity.objects.get(pk=funded[number * 99_991 % count])
        services.record_entries(
            activity=activity,
            entries=[
                EntryData(
                    kind=ContributionKind.IFAD_GRANT,
                    stage=Stage.ALLOCATED,
                    amount=Decimal("1000.00"),
                    currency="USD",
                    value_date=datetime.date(activity.approval_year or 2015, 6, 1),
                )
            ],
            user=user,
            expected_version=None,
        )
        drain = seconds(rollups.drain_refresh_requests)
        warm = seconds(dashboard.warm_default_views)
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        first_view_ms = (time.perf_counter() - started) * 1000
        if number >= 0:
            times.drain.append(drain)
            times.warm.append(warm)
            times.first_view_ms.append(first_view_ms)
    return times


def dashboard_times(
    client: Client, url: str, repeat: int, *, cold: bool
) -> tuple[list[float], int]:
    """Request times (ms); cold: the figures' cache emptied before each request."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(repeat):
        if cold:
            caches["dashboard"].clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    if cold:
        caches["dashboard"].clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


# Every table the roll-ups derive from the ledger: a first build starts with all of them empty.
DERIVED = (
    *(RollupCell, ActivityYearTotal, ActivityMoney, ActivityCount, ActivityPair, PairCount),
    *(AllYearsCell, ActivityQuantity, InKindQuantity),
)


def table_costs() -> list[str]:
    """Seconds to compute and write each derived table (or grain) for the whole portfolio from
    the tables it is summed from, and its size on disk with its indexes: what the rebuild and
    the refreshes pay for it. In a transaction rolled back at the end."""
    tables = rollup_sql.table_names()
    cell = tables["cell"]
    lines = []

    def grain(name: Grain) -> Callable[[Any], None]:
        def write(cursor: Any) -> None:
            cursor.execute(f"DELETE FROM {cell} WHERE grain = %s", [name.value])  # noqa: S608
            rollup_sql.insert_coarse(cursor, cell, cell, "1 = 1", [], grains=[name])

        return write

    steps: list[tuple[str, Callable[[Any], None], str | None]] = [
        ("country grain (from the full grain)", grain(Grain.COUNTRY), None),
        ("theme grain (from the full grain)", grain(Grain.THEME), None),
        ("modality grain (from the core grain)", grain(Grain.MODALITY), None),
        (
            "ActivityMoney (from the totals)",
            lambda c: rollup_store.recompute_activity_money(c, tables, None),
            tables["money"],
        ),
        (
            "ActivityPair + PairCount",
            lambda c: rollup_store.recompute_pairs(c, tables, None),
            tables["pair"],
        ),
        (
            "PairCount alone (from the pairs)",
            lambda c: rollup_store.recount_pairs(c, tables, None),
            tables["pair_count"],
        ),
        (
            "AllYearsCell (from the country and theme grains)",
            lambda c: rollup_store.recompute_all_years(c, tables, None),
            tables["all_years"],
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for label, write, table in steps:
            started = time.perf_counter()
            write(cursor)
            took = time.perf_counter() - started
            size = ""
            if table:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                size = f", {cursor.fetchone()[0] / 2**20:.0f} MB with its indexes"
            lines.append(f"{label:<50}{took:8.2f} s{size}")
        cursor.execute(
            f"SELECT grain, COUNT(*) FROM {cell} GROUP BY grain ORDER BY grain"  # noqa: S608
        )
        counts = ", ".join(f"{grain_name} {count:,}" for grain_name, count in cursor.fetchall())
        lines.append(f"cells by grain: {counts}")
        transaction.set_rollback(True)
    return lines


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-rebuild", action="store_true", help="time the rest only")
    parser.add_argument(
        "--from-empty",
        action="store_true",
        help="empty the roll-up tables first: time a first build rather than the nightly one",
    )
    parser.add_argument(
        "--table-costs", action="store_true", help="time each derived table's computation only"
    )
    return parser.parse_args()


def rebuild_lines(*, from_empty: bool) -> list[str]:
    """Time the rebuild (a first build when `from_empty`) against the equivalent GROUP BY."""
    years: list[rollups.YearComputed] = []
    group_by, rows = group_by_seconds()
    equivalent, cells = equivalent_seconds()
    if from_empty:
        with connection.cursor() as cursor:
            for model in DERIVED:
                cursor.execute(f"TRUNCATE {model._meta.db_table}")
    last_year_at: list[float] = []

    def on_year(step: rollups.YearComputed) -> None:
        years.append(step)
        last_year_at[:] = [time.perf_counter()]

    started = time.perf_counter()
    rebuild = seconds(lambda: rollups.rebuild_all(on_year=on_year))
    years_wall = last_year_at[0] - started
    equivalent_after, _cells = equivalent_seconds()
    reference = min(equivalent, equivalent_after)
    slowest = max(years, key=lambda y: y.seconds)
    ratio = rebuild / reference
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [
        f"GROUP BY over the ledger, core dims only {group_by:8.2f} s  ({rows:,} groups; "
        f"for information: it leaves out the country and theme split)",
        f"equivalent GROUP BY (split, full grain)  {reference:8.2f} s  ({cells:,} cells; "
        f"{equivalent:.2f} s before the rebuild, {equivalent_after:.2f} s after)",
        f"full rebuild ({len(years)} fiscal years)        {rebuild:8.2f} s  ratio {ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x){'' if ratio <= TARGET_RATIO else '  MISSED'}; "
        f"slowest year {slowest.year}: {slowest.seconds:.2f} s",
        f"  {'from empty tables' if from_empty else 'over the current roll-ups'}: "
        f"{sum(y.changed for y in years)} years rewritten, "
        f"{sum(not y.changed for y in years)} found right; "
        f"{rollups.rebuild_workers()} years at once (ROLLUP_REBUILD_WORKERS)",
        f"  the years {years_wall:.2f} s, then the indexes set aside (a first build) and "
        f"the activity tables {rebuild - years_wall:.2f} s",
    ]


def dashboard_lines(focal: User, repeat: int) -> list[str]:
    """The refresh after one edit, then the dashboard's views, cached and cold."""
    client = Client()
    client.force_login(focal)
    url = reverse("finance:dashboard")
    after = refresh_after_one_edit(focal, client, 10)
    refresh, first = after.drain, after.first_view_ms
    lines = [
        f"refresh after one edit (drain)          {statistics.median(refresh):8.3f} s median, "
        f"{max(refresh):.3f} s max of {len(refresh)} (target < {TARGET_REFRESH_S:.1f} s)"
        f"{'' if max(refresh) < TARGET_REFRESH_S else '  MISSED'}",
        f"then warming the default view (worker)  {statistics.median(after.warm):8.3f} s median, "
        f"{max(after.warm):.3f} s max (the whole portfolio, unfiltered)",
        f"dashboard, no filter, first view after  {statistics.median(first):8.1f} ms median, "
        f"{max(first):.1f} ms max (target < {TARGET_DASHBOARD_MS:.0f} ms)"
        f"{'' if max(first) < TARGET_DASHBOARD_MS else '  MISSED'}",
    ]
    for label, query, cold in (
        ("dashboard, no filter, figures cached", "", False),
        ("dashboard, no filter, cache emptied", "", True),
        (
            "dashboard, LAC 2015-2020, cache emptied",
            "?division=LAC&fiscal_year_from=2015&fiscal_year_to=2020",
            True,
        ),
        ("dashboard, country BR, cache emptied", "?country=BR", True),
        # The Confirmation filter (the agreement is a dimension of the cells) and the
        # coverage every view above computes.
        ("dashboard, confirmed, cache emptied", "?agreement=confirmed", True),
        ("dashboard, confirmed, figures cached", "?agreement=confirmed", False),
        (
            "dashboard, confirmed, LAC 2015-2020, cache emptied",
            "?agreement=confirmed&division=LAC&fiscal_year_from=2015&fiscal_year_to=2020",
            True,
        ),
        (
            "dashboard, confirmed, country BR, cache emptied",
            "?agreement=confirmed&country=BR",
            True,
        ),
        (
            "dashboard, waiting+disputed, cache emptied",
            "?agreement=waiting&agreement=disputed",
            True,
        ),
    ):
        times, queries = dashboard_times(client, url + query, repeat, cold=cold)
        median = statistics.median(times)
        lines.append(
            f"{label:<44}{median:8.1f} ms median, {p95(times):.1f} ms p95, {min(times):.1f} min, "
            f"{queries} SQL queries (target < {TARGET_DASHBOARD_MS:.0f} ms)"
            f"{'' if median < TARGET_DASHBOARD_MS else '  MISSED'}"
        )
    return lines


def main() -> None:
    options = parse_options()
    ensure_database()
    ensure_data(options.activities, options.entries)
    spread_agreements()
    vacuum_analyze()
    call_command("collectstatic", interactive=False, verbosity=0)
    focal = bench_user()
    entries = FinancialEntry.objects.count()
    activities = Activity.objects.count()

    lines = [f"before: {load()}"]
    if options.table_costs:
        for line in table_costs():
            print(line)
        return
    if not options.skip_rebuild:
        lines += rebuild_lines(from_empty=options.from_empty)
    lines += dashboard_lines(focal, options.repeat)
    lines.append(f"after: {load()}")
    print(f"\nRoll-ups: {activities:,} activities, {entries:,} ledger entries, "
          f"{options.repeat} dashboard requests per row")  # fmt: skip
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
