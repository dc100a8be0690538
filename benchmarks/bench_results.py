"""Server time and query count of the results dashboard on 100,000 activities, a third of them
with results (PostgreSQL).

    make bench-results              # or, with the environment the Makefile sets:
    python benchmarks/bench_results.py [--activities 100000] [--repeat 15] [--explain]

Generates the data once in the database DATABASE_URL names (ssc_bench_results under `make
bench-results`) and reuses it on later runs: the activities through generate_synthetic, then, for
every third activity, an outcome with three indicators adopting core indicators (a cumulative
sum, a non-cumulative "latest", a qualitative "achieved"), two annual periods each with targets,
and their updates (approved, some revised and retired, drafts, submitted and returned ones), all
with INSERT ... SELECT in the database; and learning routes recorded as activities with action
plans and their recorded follow-ups. No audit history: the dashboard never reads it.

Each scenario is requested through Django's test Client (middleware, view, template; no network)
by the focal point, uncached (the figures have no cache), a few times to warm up, then --repeat
times: the table gives the fastest, median and 95th percentile times and the queries of one
request. --explain prints EXPLAIN ANALYZE of the figures' query for the slowest scenario.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.models import Activity, Country, Partner  # noqa: E402
from knowledge.models import ActionPlan, LearningRoute, RouteParticipant  # noqa: E402
from results.dashboard import ResultsFilters, period_rows_sql  # noqa: E402
from results.models import (  # noqa: E402
    Aggregation,
    CoreIndicator,
    CoreSource,
    IndicatorKind,
    Measure,
    PeriodFigure,
    PlanFollowUp,
    Result,
)
from results.period_figures import rebuild  # noqa: E402

BUDGET_MS = 300.0
WARM_UP = 2
ROUTES = 3000  # learning routes recorded as activities, three action plans each

SCENARIOS: list[tuple[str, str]] = [
    ("no filter", ""),
    ("year 2021", "year_from=2021&year_to=2021"),
    ("years 2020-2022", "year_from=2020&year_to=2022"),
    ("division LAC", "division=LAC"),
    ("country BR", "country=BR"),
    ("theme gender", "theme=gender"),
    ("modality triangular", "modality=triangular"),
    ("LAC + BR + 2021", "division=LAC&country=BR&year_from=2021&year_to=2021"),
    ("activities behind 'people trained'", "@people-trained"),
    ("xlsx", "#xlsx"),
]


def ensure_database() -> None:
    """Create the benchmark database when it does not exist yet (the server must run)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        sys.exit(
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../ssc_bench_results."
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


def cores() -> dict[str, CoreIndicator]:
    specs = {
        "people-trained": ("People trained", "quantitative", "1", "sum", "updates", "people"),
        "hectares": (
            "Hectares under new practices",
            "quantitative",
            "1",
            "latest",
            "updates",
            "ha",
        ),
        "policies-influenced": (
            "Policies influenced",
            "qualitative",
            "5",
            "achieved",
            "updates",
            "",
        ),
        "action-plans": (
            "Action plans implemented",
            "quantitative",
            "1",
            "sum",
            "plan_follow_ups",
            "plans",
        ),
    }
    found = {}
    for position, (code, (title, kind, measure, rule, source, unit)) in enumerate(specs.items()):
        found[code] = CoreIndicator.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "kind": IndicatorKind(kind),
                "measure": Measure(measure),
                "aggregation": Aggregation(rule),
                "source": CoreSource(source),
                "unit": unit,
                "position": position,
            },
        )[0]
    return found


# Results of every third activity: one outcome, three indicators (one per core indicator of
# the updates), two annual periods from the activity's approval year, then updates per period.
RESULTS_SQL = """
INSERT INTO results_result (activity_id, type, side, title, description, position, created_at)
SELECT id, '2', 'all', 'Skills and practices', '', 0, now()
FROM activities_activity WHERE id % 3 = 0;

INSERT INTO results_indicator (result_id, core_id, title, description, kind, unit, measure,
    ascending, cumulative, baseline_comment, position)
SELECT r.id, c.id, c.title, '', c.kind, c.unit, c.measure, TRUE, c.aggregation = 'sum', '', 0
FROM results_result r CROSS JOIN results_coreindicator c WHERE c.source = 'updates';

INSERT INTO results_period (indicator_id, start, "end", target_value, target_comment)
SELECT i.id, make_date(y, 1, 1), make_date(y, 12, 31),
       CASE WHEN i.kind = 'qualitative' OR (i.id + y) % 7 = 0 THEN NULL
            ELSE ((i.id * 37 + y) % 200) + 20 END, ''
FROM results_indicator i
JOIN results_result r ON r.id = i.result_id
JOIN activities_activity a ON a.id = r.activity_id
CROSS JOIN LATERAL (VALUES ((2018 + a.id % 6)::int), ((2019 + a.id % 6)::int)) AS years(y);

-- Per period, one to three updates of rotating states: approved ones count, except the few
-- marked retired (replaced by a revision); drafts, submitted and returned ones do not count.
INSERT INTO results_update (period_id, value, narrative, achieved, comment, evidence_url,
    evidence_file, evidence_file_name, status, return_reason, revision_reason, retired, version,
    created_at, submitted_at, reviewed_at, updated_at)
SELECT p.id,
       CASE WHEN i.kind = 'quantitative' THEN ((p.id * 13 + n * 7) % 90) + 1 END,
       CASE WHEN i.kind = 'qualitative' THEN 'Reported.' ELSE '' END,
       CASE WHEN i.kind = 'qualitative' THEN (p.id + n) % 3 <> 0 END,
       '', '', '', '',
       (ARRAY['approved', 'approved', 'draft', 'approved', 'submitted', 'returned'])
           [1 + (p.id + n) % 6],
       CASE WHEN (p.id + n) % 6 = 5 THEN 'Add the evidence.' ELSE '' END,
       '', (p.id + n) % 6 = 0 AND n = 1 AND p.id % 4 = 0, 1,
       now() - make_interval(days => (400 - n * 30)::int), now(),
       now() - make_interval(days => (400 - n * 30)::int), now()
FROM results_period p
JOIN results_indicator i ON i.id = p.indicator_id
CROSS JOIN LATERAL generate_series(1, 1 + p.id % 3) AS n;
"""


def ensure_data(target: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    count = Activity.objects.count()
    if count < target:
        print(f"Generating {target - count:,} activities (once; later runs reuse them)...")
        call_command("generate_synthetic", activities=target - count, seed=count + 1)
    cores()
    if not Result.objects.exists():
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in RESULTS_SQL.split(";\n"):
                if statement.strip():
                    cursor.execute(statement)
        print(f"Results generated in {time.monotonic() - started:.1f} s.")
    if not PlanFollowUp.objects.exists():
        plans()
    if not PeriodFigure.objects.exists():
        started = time.monotonic()
        done = rebuild()
        print(f"{done.written:,} period figures stored in {time.monotonic() - started:.1f} s.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        tables = ("result", "indicator", "period", "update", "periodfigure")
        for table in (f"results_{name}" for name in tables):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (constant names)
            print(f"{table}: {cursor.fetchone()[0]:,} rows")
        cursor.execute(
            "SELECT COUNT(*) FROM results_update WHERE status = 'approved' AND NOT retired"
        )
        print(f"counting updates: {cursor.fetchone()[0]:,}")


def plans() -> None:
    """Learning routes recorded as activities (not among those with results), three action
    plans each, their 3-, 6- and 12-month follow-ups, most of them recorded."""
    started = time.monotonic()
    partner = Partner.objects.order_by("pk").first()
    country = Country.objects.get(iso2="PE")
    activities = list(
        Activity.objects.filter(learning_route__isnull=True)
        .exclude(pk__in=Result.objects.values("activity_id"))
        .order_by("pk")
        .values_list("pk", "lead_division_id", "approval_year")[:ROUTES]
    )
    with transaction.atomic():
        routes = LearningRoute.objects.bulk_create(
            LearningRoute(
                title=f"Route {pk}",
                activity_id=pk,
                division_id=division,
                start_date=f"{year or 2019}-03-01",
                end_date=f"{year or 2019}-03-20",
            )
            for pk, division, year in activities
        )
        participants = RouteParticipant.objects.bulk_create(
            RouteParticipant(route=route, organization=partner, country=country, people=3)
            for route in routes
        )
        plans = ActionPlan.objects.bulk_create(
            ActionPlan(route=p.route, participant=p, title=f"Plan {n}")
            for p in participants
            for n in range(3)
        )
        outcomes = ("adopted", "partly", "not_adopted", "adopted", "")
        follow_ups = []
        for plan in plans:
            year = int(str(plan.route.end_date)[:4])
            for index, months in enumerate((3, 6, 12)):
                outcome = outcomes[(plan.pk + index) % len(outcomes)]
                due = f"{year + (1 if months == 12 else 0)}-{(3 + months - 1) % 12 + 1:02d}-20"
                follow_ups.append(
                    PlanFollowUp(
                        plan=plan,
                        months=months,
                        due_date=due,
                        outcome=outcome,
                        recorded_on=due if outcome else None,
                    )
                )
        PlanFollowUp.objects.bulk_create(follow_ups, batch_size=5000)
    print(
        f"{len(routes):,} routes, {len(plans):,} action plans, {len(follow_ups):,} follow-ups "
        f"in {time.monotonic() - started:.1f} s."
    )


def url_of(query: str) -> str:
    if query.startswith("@"):
        core = CoreIndicator.objects.get(code=query[1:])
        return reverse("results:dashboard_activities", args=[core.pk])
    if query.startswith("#"):
        return reverse("results:dashboard_xlsx")
    return reverse("results:dashboard") + (f"?{query}" if query else "")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int, float]:
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    return times, len(queries.captured_queries), sql_ms


def explain(filters: ResultsFilters) -> None:
    cores = CoreIndicator.objects.filter(is_active=True, source=CoreSource.UPDATES)
    rows, params = period_rows_sql(filters, list(cores.values_list("pk", flat=True)))
    sql = f"SELECT core_id, year, SUM(actual_year), SUM(actual_all) FROM ({rows}) r GROUP BY 1, 2"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the dashboard sends it
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    options = parser.parse_args()
    ensure_database()
    ensure_data(options.activities)
    # DEBUG is off (as in production): the manifest static storage needs collected files.
    call_command("collectstatic", interactive=False, verbosity=0)
    focal, _ = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    client = Client()
    client.force_login(focal)
    print(
        f"\nResults dashboard, focal point, {options.repeat} runs each (budget {BUDGET_MS:.0f} ms)"
    )
    print(f"{'scenario':38} {'min':>8} {'median':>8} {'p95':>8} {'queries':>8} {'SQL ms':>8}")
    over = []
    for label, query in SCENARIOS:
        times, queries, sql_ms = measure(client, url_of(query), options.repeat)
        median = statistics.median(times)
        flag = "" if median <= BUDGET_MS else "  over"
        if flag:
            over.append(label)
        print(
            f"{label:38} {min(times):8.1f} {median:8.1f} {p95(times):8.1f} "
            f"{queries:8d} {sql_ms:8.1f}{flag}"
        )
    if options.explain:
        explain(ResultsFilters())
    print("All scenarios within the budget." if not over else f"Over the budget: {over}")


if __name__ == "__main__":
    main()
