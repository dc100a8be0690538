"""Server time and query count of the knowledge search page on 20,000 assets (PostgreSQL).

    DEBUG=0 SECRET_KEY=... SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=testserver \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_knowledge \
        python benchmarks/knowledge_search.py [--assets 20000] [--repeat 20] [--explain]

Generates the assets once in the database DATABASE_URL names (its name must start with
ssc_bench) and reuses them on later runs. Their texts are runs of words cut from the reference
documents (../shared/reference-docs), so word frequencies are those of real SSC prose: a body of
200-600 words each, and for a third of them the text of an attached PDF (1,000-2,000 words); a
rare word sits in 20 of the PDFs. The search vectors are then computed the way the service does
(services.reindex_assets), and the tables analysed. Every run vacuums and analyses the
knowledge tables first, as autovacuum would.

Each scenario is requested through Django's test Client (middleware, view, SQL, templates, no
network), 3 times to warm up, then --repeat times, as the focal point (every asset) and as a
partner user (public assets only). Printed: fastest, median and 95th-percentile time, the SQL
queries of one request and their time, and how many assets match. The budget is 200 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.models import Country, Division, Partner, PartnerType, Theme  # noqa: E402
from knowledge.filters import KnowledgeFilter  # noqa: E402
from knowledge.models import AssetType, KnowledgeAsset, Language, Licence  # noqa: E402
from knowledge.services import reindex_assets  # noqa: E402

BUDGET_MS = 200.0
WARM_UP = 3
RARE_WORD = "quinuamarka"
BATCH = 2000
REFERENCE_DOCS = Path(settings.BASE_DIR).parent / "shared" / "reference-docs"

SCENARIOS: list[tuple[str, str]] = [
    ("default (newest first)", ""),
    ("page 200", "page=200"),
    ("search 'rural'", "q=rural"),
    ("search 'learning routes'", "q=learning+routes"),
    ('phrase "value chains"', "q=%22value+chains%22"),
    ("rare word (PDF only)", f"q={RARE_WORD}"),
    ("search + country + theme", "q=farmers&country=BR&theme=value-chains"),
    ("country BR", "country=BR"),
    ("theme gender + year 2015", "theme=gender&year=2015"),
    ("type + language", "type=case_study&language=es"),
    ("sort by title", "sort=title"),
    ("search sorted oldest", "q=women&sort=oldest"),
]


def ensure_database() -> None:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"] or not db["NAME"].startswith("ssc_bench"):
        sys.exit("Set DATABASE_URL=postgres://.../ssc_bench_knowledge (PostgreSQL, ssc_bench*).")
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


def corpus() -> list[str]:
    words: list[str] = []
    for path in sorted(REFERENCE_DOCS.glob("*.txt")):
        words.extend(re.findall(r"[^\W\d_][\w'\u2019-]*|\d+", path.read_text(encoding="utf-8")))
    if len(words) < 10_000:
        sys.exit(f"The reference documents in {REFERENCE_DOCS} are missing.")
    return words


def passage(rng: random.Random, words: list[str], low: int, high: int) -> str:
    size = rng.randint(low, high)
    start = rng.randrange(0, len(words) - size)
    return " ".join(words[start : start + size])


TITLE_SUBJECTS = [
    "learning route on {theme}",
    "farmer-to-farmer exchange on {theme}",
    "South-South cooperation for {theme}",
    "scaling up {theme}",
    "lessons from {country} on {theme}",
    "policy dialogue on {theme} in {country}",
]


def generate(target: int) -> None:
    have = KnowledgeAsset.objects.count()
    if have >= target:
        print(f"Reusing {have:,} assets in {settings.DATABASES['default']['NAME']}.")
        return
    rng = random.Random(have + 1)
    words = corpus()
    countries = list(Country.objects.exclude(division=None))
    divisions = list(Division.objects.all())
    themes = list(Theme.objects.all())
    partners = list(Partner.objects.all()[:500]) or Partner.objects.bulk_create(
        Partner(name=f"Organization {i}", name_key=f"organization {i}", type=PartnerType.NGO)
        for i in range(500)
    )
    types = AssetType.values
    languages = [Language.ENGLISH] * 8 + [Language.SPANISH, Language.FRENCH]
    rare_left = 20
    print(f"Generating {target - have:,} assets (once; later runs reuse them)...")
    started = time.perf_counter()
    for first in range(have, target, BATCH):
        size = min(BATCH, target - first)
        assets = []
        links: list[tuple[int, list[Country], list[Theme], list[Partner]]] = []
        for i in range(size):
            chosen = rng.sample(countries, rng.randint(1, 3))
            on = rng.sample(themes, rng.randint(1, 2))
            file_text = ""
            if rng.random() < 1 / 3:
                file_text = passage(rng, words, 1000, 2000)
                if rare_left and rng.random() < 0.01:
                    file_text += f" The {RARE_WORD} cooperative."
                    rare_left -= 1
            title = rng.choice(TITLE_SUBJECTS).format(
                theme=on[0].name.lower(), country=chosen[0].name
            )
            assets.append(
                KnowledgeAsset(
                    asset_type=rng.choice(types),
                    title=title[0].upper() + title[1:],
                    abstract=passage(rng, words, 40, 90),
                    body=passage(rng, words, 200, 600),
                    language=rng.choice(languages),
                    published_on=datetime.date(2000, 1, 1)
                    + datetime.timedelta(days=rng.randrange(27 * 365)),
                    division=chosen[0].division or rng.choice(divisions),
                    licence=Licence.CC_BY,
                    visibility="public" if rng.random() < 0.4 else "internal",
                    file_text=file_text,
                )
            )
            links.append((i, chosen, on, rng.sample(partners, rng.randint(0, 2))))
        with transaction.atomic():
            created = KnowledgeAsset.objects.bulk_create(assets)
            through = KnowledgeAsset.countries.through
            through.objects.bulk_create(
                through(knowledgeasset_id=created[i].pk, country_id=c.pk)
                for i, chosen, _on, _by in links
                for c in chosen
            )
            through = KnowledgeAsset.themes.through
            through.objects.bulk_create(
                through(knowledgeasset_id=created[i].pk, theme_id=t.pk)
                for i, _chosen, on, _by in links
                for t in on
            )
            through = KnowledgeAsset.author_organizations.through
            through.objects.bulk_create(
                through(knowledgeasset_id=created[i].pk, partner_id=p.pk)
                for i, _chosen, _on, by in links
                for p in by
            )
            reindex_assets(KnowledgeAsset.objects.filter(pk__in=[a.pk for a in created]))
        print(f"  {first + size:,} assets ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum() -> None:
    """What autovacuum does in production (it is off on the CI cluster): statistics, and the
    visibility map that index-only scans need, after the generation's and migrations' writes
    (reindexing rewrites every row)."""
    with connection.cursor() as cursor:
        for model in (
            KnowledgeAsset,
            KnowledgeAsset.countries.through,
            KnowledgeAsset.themes.through,
        ):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def bench_users() -> dict[str, User]:
    focal, _ = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    organization = Partner.objects.order_by("pk").first()
    partner, _ = User.objects.get_or_create(
        username="bench-partner", defaults={"role": Role.PARTNER, "partner": organization}
    )
    return {"focal point": focal, "partner user": partner}


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], CaptureQueriesContext]:
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, queries


def matches(user: User, query: str) -> int:
    request = RequestFactory().get("/", QueryDict(query))
    request.user = user
    found = KnowledgeFilter(
        QueryDict(query) if query else None,
        queryset=KnowledgeAsset.objects.visible_to(user),
        request=request,
    )
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow scenarios")
    parser.add_argument("--only", default="", help="run the scenarios whose label has this text")
    options = parser.parse_args()

    ensure_database()
    call_command("migrate", interactive=False, verbosity=0)
    generate(options.assets)
    vacuum()
    # DEBUG is off (as in production): the manifest static storage needs collected files.
    call_command("collectstatic", interactive=False, verbosity=0)
    url = reverse("knowledge:search")
    rows: list[tuple[Any, ...]] = []
    for user_label, user in bench_users().items():
        client = Client()
        client.force_login(user)
        for label, query in SCENARIOS:
            if options.only and options.only not in label:
                continue
            times, queries = measure(client, f"{url}?{query}" if query else url, options.repeat)
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            row = (
                user_label,
                label,
                min(times),
                statistics.median(times),
                p95,
                len(queries),
                sql_ms,
                f"{matches(user, query):,}",
            )
            rows.append(row)
            print(
                f"{row[0]:<13} {row[1]:<28} {row[2]:7.1f} {row[3]:9.1f} {row[4]:8.1f} "
                f"{row[5]:>4} {row[6]:7.1f} {row[7]:>8}",
                flush=True,
            )
            if options.explain and row[3] > BUDGET_MS:
                explain(queries)

    total = KnowledgeAsset.objects.count()
    print(f"\nKnowledge search, {total:,} assets, {options.repeat} requests per scenario")
    print(
        f"{'user':<13} {'scenario':<28} {'min ms':>7} {'median ms':>9} {'p95 ms':>8} "
        f"{'SQL':>4} {'SQL ms':>7} {'matches':>8}"
    )
    for row in rows:
        flag = "  over budget" if row[3] > BUDGET_MS else ""
        print(
            f"{row[0]:<13} {row[1]:<28} {row[2]:7.1f} {row[3]:9.1f} {row[4]:8.1f} "
            f"{row[5]:>4} {row[6]:7.1f} {row[7]:>8}{flag}"
        )


if __name__ == "__main__":
    main()
