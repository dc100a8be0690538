"""Duplicate suggestions for a new activity at 100,000 activities (PostgreSQL): their time, and
their precision and recall on a generated set with known duplicates.

    make bench-duplicates            # or, with the environment the Makefile sets:
    python benchmarks/duplicates.py [--activities 100000] [--probes 300] [--seed 7]

Generates the portfolio once (`manage.py generate_synthetic`, a few ledger entries) in the
database DATABASE_URL names (ssc_bench_duplicates under `make bench-duplicates`) and reuses it.
Then, with a fixed seed, it plants known duplicates: for `--probes` existing activities, a new
activity as a second CPM would log it (the title retyped with a typo, a word dropped or the
country list reordered; one country more or fewer; the year moved by one; some partners left
out). The same number of fresh activities (a topic, countries and a year drawn at random) show
how often a new activity that duplicates nothing gets a suggestion anyway. Each probe is what
the form and the API ask before saving: `activities.duplicates.suggest`, as the focal point
(who reads every activity). Target: under 150 ms per suggestion.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

from activity_list import ensure_database  # noqa: E402 - the same server, another database
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from activities.duplicates import SHOWN, THRESHOLD, Facts, rank, suggest  # noqa: E402
from activities.models import Activity, ActivityCountry, Country  # noqa: E402
from demo.management.commands.generate_synthetic import TOPICS  # noqa: E402

TARGET_MS = 150.0


def ensure_data(activities: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    have = Activity.objects.count()
    if have >= activities:
        print(f"Reusing {have:,} activities.")
    elif have:
        sys.exit(f"{settings.DATABASES['default']['NAME']} holds {have:,} activities: drop it.")
    else:
        print(f"Generating {activities:,} activities (once)...")
        call_command("generate_synthetic", activities=activities, entries=activities // 10)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _typo(rng: random.Random, title: str) -> str:
    """A retyped title: a letter swapped, a word dropped or the countries' order changed."""
    how = rng.choice(("swap", "drop", "reorder", "case"))
    if how == "swap" and len(title) > 10:
        i = rng.randrange(1, len(title) - 2)
        return title[:i] + title[i + 1] + title[i] + title[i + 2 :]
    if how == "drop":
        words = title.split()
        if len(words) > 4:
            del words[rng.randrange(1, len(words) - 1)]
            return " ".join(words)
    if how == "reorder" and "(" in title:
        head, _, tail = title.partition("(")
        names = tail.rstrip(")").split(" - ")
        rng.shuffle(names)
        return f"{head}({', '.join(names)})"
    return title.lower()


def planted(rng: random.Random, original: Activity, countries: list[int]) -> Facts:
    """What a second CPM would type for `original` (its countries and partners prefetched)."""
    old = Facts.of_activity(original)
    mine = set(old.countries)
    if len(mine) > 1 and rng.random() < 0.3:
        mine.discard(rng.choice(sorted(mine)))
    elif rng.random() < 0.2:
        mine.add(rng.choice(countries))
    partners = {p for p in old.partners if rng.random() < 0.7}
    years = old.years
    if years and rng.random() < 0.4:
        shift = rng.choice((-1, 1))
        years = (years[0] + shift, years[1] + shift)
    return Facts(
        title=_typo(rng, original.title),
        countries=frozenset(mine),
        partners=frozenset(partners),
        years=years,
    )


def fresh(rng: random.Random, countries: list[Country]) -> Facts:
    """A new activity that duplicates nothing on purpose (it may still resemble something)."""
    picked = rng.sample(countries, rng.randint(1, 3))
    year = rng.randint(2000, 2026)
    names = " - ".join(c.name for c in picked)
    return Facts(
        title=f"Knowledge exchange: {rng.choice(TOPICS)} ({names})",
        countries=frozenset(c.pk for c in picked),
        partners=frozenset(),
        years=(year, year + rng.randint(0, 2)),
    )


def timed(user: User, facts: Facts) -> tuple[list[int], float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        found = suggest(facts, user)
        elapsed = (time.perf_counter() - started) * 1000
    return [m.activity.pk for m in found], elapsed, len(queries)


def thresholds(
    user: User, planted_probes: list[tuple[Facts, int]], fresh_probes: list[Facts]
) -> None:
    """Precision and recall had the threshold been another: from the same candidates, scored."""
    planted_ranks = [
        ([(m.activity.pk, m.score) for m in rank(f, user)], pk) for f, pk in planted_probes
    ]
    fresh_ranks = [[m.score for m in rank(f, user)] for f in fresh_probes]
    print("\nthreshold  recall  precision (planted)  fresh with a suggestion")
    for threshold in sorted({0.55, 0.6, 0.65, THRESHOLD, 0.75, 0.8}):
        shown = [
            [pk for pk, score in ranked if score >= threshold][:SHOWN]
            for ranked, _ in planted_ranks
        ]
        found = sum(pk in ids for ids, (_, pk) in zip(shown, planted_ranks, strict=True))
        total = sum(len(ids) for ids in shown)
        alarms = sum(any(score >= threshold for score in scores) for scores in fresh_ranks)
        print(
            f"{threshold:9.2f}  {found / len(shown):6.0%}  {found / max(total, 1):9.0%}"
            f"            {alarms / len(fresh_ranks):6.0%}"
        )


def _summary(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    flag = "" if p95 <= TARGET_MS else "  over the target"
    print(
        f"{label:32} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {times[-1]:6.1f} ms{flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    ensure_database()
    ensure_data(options.activities)
    user, _ = User.objects.get_or_create(
        username="bench-focal", defaults={"role": Role.FOCAL_POINT}
    )
    rng = random.Random(options.seed)
    ids = list(Activity.objects.values_list("pk", flat=True))
    originals = list(
        Activity.objects.filter(pk__in=rng.sample(ids, options.probes)).prefetch_related(
            "country_links", "partner_links"
        )
    )
    used = list(Country.objects.filter(pk__in=ActivityCountry.objects.values("country_id")))
    country_ids = [c.pk for c in used]
    for original in originals[:3]:  # warm-up: connection, caches, the planner's statistics
        suggest(Facts.of_activity(original), user)

    dup_times, fresh_times, queries = [], [], set()
    planted_probes: list[tuple[Facts, int]] = []
    fresh_probes: list[Facts] = []
    found_original = top_is_original = suggestions = right = 0
    for original in originals:
        probe = planted(rng, original, country_ids)
        planted_probes.append((probe, original.pk))
        ids_found, ms, count = timed(user, probe)
        dup_times.append(ms)
        queries.add(count)
        suggestions += len(ids_found)
        right += ids_found.count(original.pk)
        found_original += original.pk in ids_found
        top_is_original += bool(ids_found) and ids_found[0] == original.pk
    false_alarms = fresh_suggestions = 0
    for _n in range(options.probes):
        probe = fresh(rng, used)
        fresh_probes.append(probe)
        ids_found, ms, count = timed(user, probe)
        fresh_times.append(ms)
        queries.add(count)
        fresh_suggestions += len(ids_found)
        false_alarms += bool(ids_found)

    n = options.probes
    print(f"\nDuplicate suggestions at {Activity.objects.count():,} activities, focal point")
    _summary(f"{n} planted duplicates", dup_times)
    _summary(f"{n} fresh activities", fresh_times)
    print(f"SQL queries per suggestion: {sorted(queries)}")
    print(
        f"Recall: the original among the suggestions for {found_original}/{n} "
        f"({found_original / n:.0%}); first of them for {top_is_original}/{n}."
    )
    shown = suggestions + fresh_suggestions
    print(
        f"Precision: {right} of the {shown} suggestions made are known duplicates "
        f"({right / max(shown, 1):.0%}); on duplicates alone {right}/{suggestions} "
        f"({right / max(suggestions, 1):.0%})."
    )
    print(
        f"Fresh activities with a suggestion anyway: {false_alarms}/{n} "
        f"({fresh_suggestions} suggestions)."
    )
    thresholds(user, planted_probes, fresh_probes)
    print(os.popen("uptime").read().strip())  # noqa: S605, S607 - the machine's load, for the record


if __name__ == "__main__":
    main()
