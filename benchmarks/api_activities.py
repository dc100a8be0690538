"""A page of 100 activities from the REST API next to PostgreSQL building the same page as JSON.

    python benchmarks/api_activities.py [--activities 100000] [--repeat 30]

With the environment `make bench` sets, but DATABASE_URL naming a database of its own
(ssc_bench_api; `make bench-api` does it). Generates the activities once (as
benchmarks/activity_list.py, with `manage.py generate_synthetic`) and their money once (2 to 4
ledger entries per activity: IFAD planned/allocated/spent in US$, cofinancing and in-kind in EUR
for some), then for each scenario:

- the API: GET /api/v1/activities/?page_size=100 through Django's test Client with an API token
  (authentication, throttling, filters, cursor pagination, serializers, JSON rendering: the
  whole stack but the network);
- PostgreSQL alone: one statement that selects the same 100 activities with the same joins
  (countries, partners and their roles, themes, SDGs, money totals by source and stage, ledger
  version) and builds the same JSON document with json_build_object / json_agg; timed as
  execute + fetch of the text.

Both are warmed up, then timed --repeat times; the table gives the median and fastest of each,
their ratio (target: at most 4), and the SQL query count of the API request. The two pages are
compared item by item first, so the ratio compares the same work.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

from activity_list import ensure_data, ensure_database  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import ApiToken, Role, User  # noqa: E402
from accounts.services import create_api_token  # noqa: E402
from activities.models import (  # noqa: E402
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    Country,
    Division,
    Partner,
    Theme,
)
from finance.models import ExchangeRate, FinancialEntry, LedgerLock  # noqa: E402

TARGET_RATIO = 4.0
WARM_UP = 3
PAGE = 100
SCENARIOS = [
    ("first page, oldest change first", {}),
    ("newest first", {"ordering": "-updated"}),
    ("country BR", {"country": "BR"}),
    ("division LAC + ongoing", {"division": "LAC", "status": "ongoing"}),
]


def _activity_entries(
    rng: random.Random, pk: int, year: int | None, partners: list[int], eur: Decimal
) -> list[FinancialEntry]:
    """One activity's ledger: IFAD's money planned, allocated and often spent, sometimes
    cofinancing and an in-kind contribution in euros."""
    entries = []
    day = datetime.date(year or 2015, rng.randint(1, 12), 1)
    planned = Decimal(rng.randrange(10_000, 500_000, 1000))
    lines: list[tuple[str, int | None, str, Decimal, str, Decimal, str]] = [
        ("ifad_grant", None, "planned", planned, "USD", Decimal(1), ""),
        ("ifad_grant", None, "allocated", planned * Decimal("0.8"), "USD", Decimal(1), ""),
    ]
    if rng.random() < 0.6:
        lines.append(("ifad_grant", None, "spent", planned / 2, "USD", Decimal(1), ""))
    if rng.random() < 0.4:
        lines.append(
            (
                "cofinancing",
                rng.choice(partners),
                "allocated",
                planned / 3,
                "EUR",
                eur,
                "",
            )
        )
    if rng.random() < 0.3:
        lines.append(
            (
                "in_kind",
                rng.choice(partners),
                "allocated",
                Decimal(20_000),
                "EUR",
                eur,
                "venue",
            )
        )
    for kind, contributor, stage, amount, currency, rate, valued in lines:
        amount = amount.quantize(Decimal("0.01"))
        entries.append(
            FinancialEntry(
                activity_id=pk,
                contributor_id=contributor,
                kind=kind,
                valuation_method=valued,
                stage=stage,
                amount=amount,
                currency=currency,
                value_date=day,
                fiscal_year=day.year,
                units_per_usd=rate,
                amount_usd=(amount / rate).quantize(Decimal("0.01")),
            )
        )
    return entries


def ensure_money() -> None:
    """Ledger entries for every activity, once: the API's activity carries its money. An
    activity has its entries when it has its ledger version row."""
    ids = list(
        Activity.objects.filter(ledger_lock__isnull=True)
        .order_by("pk")
        .values_list("pk", "approval_year")
    )
    if not ids:
        print(f"Reusing {FinancialEntry.objects.count():,} ledger entries.")
        return
    print(f"Recording ledger entries for {len(ids):,} activities (once)...")
    rng = random.Random(5)
    partners = list(Partner.objects.values_list("pk", flat=True)[:2000])
    eur = Decimal("0.9")
    started = time.monotonic()
    for start in range(0, len(ids), 5000):
        rows = []
        for pk, year in ids[start : start + 5000]:
            rows += _activity_entries(rng, pk, year, partners, eur)
        with transaction.atomic():
            FinancialEntry.objects.bulk_create(rows, batch_size=5000)
            LedgerLock.objects.bulk_create(
                [LedgerLock(activity_id=pk, version=1) for pk, _year in ids[start : start + 5000]],
                ignore_conflicts=True,
            )
        print(f"{min(start + 5000, len(ids)):>8,} / {len(ids):,} activities", flush=True)
    ExchangeRate.objects.get_or_create(
        currency="EUR", month=datetime.date(2015, 1, 1), defaults={"units_per_usd": eur}
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Done in {time.monotonic() - started:.0f} s.")


def bench_token() -> str:
    user, created = User.objects.get_or_create(
        username="bench-api-focal", defaults={"role": Role.FOCAL_POINT}
    )
    if created:
        user.set_unusable_password()
        user.save()
    ApiToken.objects.filter(user=user).delete()
    return create_api_token(user=user, name="benchmark")[1]


# The same page as one SQL statement. {where} and {order} follow the scenario.
T = {
    "activity": Activity._meta.db_table,
    "country_link": ActivityCountry._meta.db_table,
    "country": Country._meta.db_table,
    "partner_link": ActivityPartner._meta.db_table,
    "partner": Partner._meta.db_table,
    "themes": Activity.themes.through._meta.db_table,
    "theme": Theme._meta.db_table,
    "sdgs": Activity.sdgs.through._meta.db_table,
    "sdg": SDG._meta.db_table,
    "division": Division._meta.db_table,
    "user": User._meta.db_table,
    "entry": FinancialEntry._meta.db_table,
    "lock": LedgerLock._meta.db_table,
}
IFAD = "('ifad_grant', 'ifad_loan', 'ifad_admin')"


def _stages(condition: str) -> str:
    return ", ".join(
        f"'{stage}', to_char(COALESCE(SUM(e.amount_usd) FILTER (WHERE e.stage = '{stage}'"
        f"{condition}), 0), 'FM9999999999999990.00')"
        for stage in ("planned", "allocated", "spent")
    )


def _leverage(stage: str) -> str:
    others = f"SUM(e.amount_usd) FILTER (WHERE e.stage = '{stage}' AND e.kind NOT IN {IFAD})"
    ifad = f"SUM(e.amount_usd) FILTER (WHERE e.stage = '{stage}' AND e.kind IN {IFAD})"
    return f"to_char(round(COALESCE({others}, 0) / NULLIF({ifad}, 0), 2), 'FM9999999990.00')"


def _percent(numerator: str, denominator: str, sources: str) -> str:
    top = f"SUM(e.amount_usd) FILTER (WHERE e.stage = '{numerator}'{sources})"
    bottom = f"SUM(e.amount_usd) FILTER (WHERE e.stage = '{denominator}'{sources})"
    return f"to_char(round(COALESCE({top}, 0) * 100 / NULLIF({bottom}, 0), 1), 'FM9999999990.0')"


def _rates() -> str:
    ifad = f" AND e.kind IN {IFAD}"
    return ", ".join(
        f"'{name}', {_percent(top, bottom, sources)}"
        for name, top, bottom, sources in (
            ("allocation_rate_ifad", "allocated", "planned", ifad),
            ("allocation_rate_all", "allocated", "planned", ""),
            ("execution_rate_ifad", "spent", "allocated", ifad),
            ("execution_rate_all", "spent", "allocated", ""),
        )
    )


# Built from the models' table names and constants only; filter values go as parameters.
PAGE_SQL = f"""
WITH page AS (
    SELECT a.* FROM {T["activity"]} a
    WHERE {{where}}
    ORDER BY {{order}}
    LIMIT {PAGE + 1}
)
SELECT json_build_object('results', COALESCE(json_agg(x.item ORDER BY x.n), '[]'::json))::text
FROM (
  SELECT row_number() OVER (ORDER BY {{order}}) AS n, json_build_object(
    'id', a.id, 'ssc_id', a.ssc_id, 'title', a.title, 'summary', a.summary,
    'objectives', a.objectives, 'activity_type', a.activity_type, 'modality', a.modality,
    'funding_nature', a.funding_nature, 'project_id', a.project_id, 'lead_division', d.code,
    'responsible_cpm', u.username, 'status', a.status, 'visibility', a.visibility,
    'approval_year', a.approval_year,
    'reporting_year', COALESCE(a.approval_year,
                     EXTRACT(YEAR FROM COALESCE(a.actual_start, a.planned_start))::int),
    'planned_start', a.planned_start, 'planned_end', a.planned_end,
    'actual_start', a.actual_start, 'actual_end', a.actual_end,
    'countries', (
        SELECT COALESCE(json_agg(json_build_object(
            'iso2', c.iso2, 'iso3', c.iso3, 'name', c.name, 'role', ac.role,
            'share', to_char(ac.share, 'FM990.00')) ORDER BY c.name), '[]'::json)
        FROM {T["country_link"]} ac JOIN {T["country"]} c ON c.id = ac.country_id
        WHERE ac.activity_id = a.id),
    'partners', (
        SELECT COALESCE(json_agg(json_build_object(
            'id', p.id, 'name', p.name, 'acronym', p.acronym, 'roles', r.roles)
            ORDER BY p.name, p.id), '[]'::json)
        FROM (SELECT partner_id, array_agg(role ORDER BY role) AS roles
              FROM {T["partner_link"]} WHERE activity_id = a.id GROUP BY partner_id) r
        JOIN {T["partner"]} p ON p.id = r.partner_id),
    'themes', (
        SELECT COALESCE(json_agg(t.code ORDER BY t.position, t.name), '[]'::json)
        FROM {T["themes"]} at JOIN {T["theme"]} t ON t.id = at.theme_id
        WHERE at.activity_id = a.id),
    'sdgs', (
        SELECT COALESCE(json_agg(s.number ORDER BY s.number), '[]'::json)
        FROM {T["sdgs"]} asg JOIN {T["sdg"]} s ON s.id = asg.sdg_id
        WHERE asg.activity_id = a.id),
    'participants_women', a.participants_women, 'participants_men', a.participants_men,
    'participants_youth', a.participants_youth, 'outcomes', a.outcomes,
    'action_plans_adopted', a.action_plans_adopted, 'follow_up', a.follow_up,
    'lessons_learned', a.lessons_learned, 'notes', a.notes,
    'finance', (
        SELECT json_build_object(
            'currency', 'USD', {_stages("")},
            'ifad', json_build_object({_stages(f" AND e.kind IN {IFAD}")}),
            'cofinancing', json_build_object({_stages(" AND e.kind = 'cofinancing'")}),
            'in_kind', json_build_object({_stages(" AND e.kind = 'in_kind'")}),
            'leverage_allocated', {_leverage("allocated")},
            'leverage_planned', {_leverage("planned")},
            {_rates()},
            'ledger_version', COALESCE(l.version, 0))
        FROM {T["entry"]} e WHERE e.activity_id = a.id),
    'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at
  ) AS item
  FROM page a
  JOIN {T["division"]} d ON d.id = a.lead_division_id
  LEFT JOIN {T["user"]} u ON u.id = a.responsible_cpm_id
  LEFT JOIN {T["lock"]} l ON l.activity_id = a.id
) x
WHERE x.n <= {PAGE}
"""  # noqa: S608

ORDERS = {"": "a.updated_at, a.id", "-updated": "a.updated_at DESC, a.id DESC"}


def page_sql(filters: dict[str, str]) -> tuple[str, list[str]]:
    where, params = ["true"], []
    if "country" in filters:
        where.append(
            f"a.id IN (SELECT ac.activity_id FROM {T['country_link']} ac "  # noqa: S608
            f"JOIN {T['country']} c ON c.id = ac.country_id WHERE c.iso2 = %s)"
        )
        params.append(filters["country"])
    if "division" in filters:
        where.append(f"a.lead_division_id = (SELECT id FROM {T['division']} WHERE code = %s)")  # noqa: S608
        params.append(filters["division"])
    if "status" in filters:
        where.append("a.status = %s")
        params.append(filters["status"])
    order = ORDERS[filters.get("ordering", "")]
    return PAGE_SQL.format(where=" AND ".join(where), order=order), params


def timed(function: Any, repeat: int) -> list[float]:
    for _ in range(WARM_UP):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def same_page(api: list[dict[str, Any]], sql: list[dict[str, Any]]) -> None:
    """The statement must build the page the API serves, or the comparison means nothing."""
    if [a["id"] for a in api] != [a["id"] for a in sql]:
        sys.exit("The SQL page does not hold the API's activities, in its order.")
    for mine, theirs in zip(api, sql, strict=True):
        for key in ("countries", "partners", "themes", "sdgs", "finance", "lead_division"):
            if mine[key] != theirs[key]:
                sys.exit(f"{mine['ssc_id']}: {key} differs:\nAPI {mine[key]}\nSQL {theirs[key]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args()

    ensure_database()
    ensure_data(options.activities)
    ensure_money()
    client = Client(headers={"Authorization": f"Bearer {bench_token()}"})
    print(
        f"\nA page of {PAGE} activities, {Activity.objects.count():,} activities, "
        f"{FinancialEntry.objects.count():,} ledger entries, {options.repeat} runs each"
    )
    header = (
        f"{'scenario':<32} {'API median':>10} {'API min':>8} {'SQL median':>10} {'SQL min':>8} "
        f"{'ratio':>6} {'queries':>7} {'bytes':>8}"
    )
    print(header)
    worst = 0.0
    for label, filters in SCENARIOS:
        url = "/api/v1/activities/?" + "&".join(
            f"{k}={v}" for k, v in {**filters, "page_size": str(PAGE)}.items()
        )
        statement, params = page_sql(filters)

        def api(url: str = url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
            return response

        def sql(statement: str = statement, params: list[str] = params) -> str:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchone()[0]

        api_body = json.loads(api().content)
        same_page(api_body["results"], json.loads(sql())["results"])
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        # (An execute wrapper, not CaptureQueriesContext: each request empties the query log.)
        with connection.execute_wrapper(count):
            size = len(api().content)
        api_times, sql_times = timed(api, options.repeat), timed(sql, options.repeat)
        ratio = statistics.median(api_times) / statistics.median(sql_times)
        worst = max(worst, ratio)
        print(
            f"{label:<32} {statistics.median(api_times):8.1f}ms {min(api_times):6.1f}ms "
            f"{statistics.median(sql_times):8.1f}ms {min(sql_times):6.1f}ms {ratio:5.1f}x "
            f"{len(queries):>7} {size:>8,}",
            flush=True,
        )
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"\nWorst ratio {worst:.1f}x: {verdict} the target of {TARGET_RATIO:.0f}x.")


if __name__ == "__main__":
    main()
