"""Time and memory of the corporate workbook import on 10,000 activities (PostgreSQL).

    python benchmarks/legacy_import.py [--activities 10000] [--contributions 30000]
                                       [--no-tracemalloc] [--profile STEP]

With the environment `make bench` sets, but DATABASE_URL naming a database of its own
(ssc_bench_import): the script drops and recreates it on every run, so each run starts empty.

1. generates (seeded, so every run reads the same file) a workbook in the legacy format with
   openpyxl's write-only mode: activities with UN-style and common country names, corporate
   themes, divisions, modalities, statuses, IFAD planned/allocated/spent; contribution rows
   (cofinancing and in kind, mostly US$, some EUR) from about 300 contributors;
2. recreates and migrates the database and records the EUR rates of the years used;
3. runs the preview (dry_run=True), then the import (dry_run=False), each in a process of its own
   so that the peak resident memory (ru_maxrss) is the step's own; prints wall time, that peak,
   the tracemalloc peak of the step (tracemalloc slows Python down: --no-tracemalloc gives
   clean times), the SQL query count, and the importer's counts.

--profile preview|commit runs that step under cProfile instead and prints the costliest functions
and the SQL statements by shape. Targets: under 60 s and under 500 MB per step.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django

django.setup()

import openpyxl  # noqa: E402
import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from activities.models import Activity, Country, Division  # noqa: E402
from activities.reference_data import THEMES  # noqa: E402
from finance import services  # noqa: E402
from finance.export import ACTIVITY_SHEET_HEADER as ACTIVITY_HEADER  # noqa: E402
from finance.export import CONTRIBUTION_SHEET_HEADER as CONTRIBUTION_HEADER  # noqa: E402
from finance.importer import ImportRefused, import_legacy_workbook  # noqa: E402
from finance.models import FinancialEntry  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_MB = 500.0
SEED = 20240601
YEARS = range(2000, 2025)
EUR_PER_USD = {year: Decimal("0.80") + Decimal(year % 7) / 50 for year in YEARS}

# The spellings people use besides the portal's own names (all recognized by CountryMatcher).
ALIASES = [
    "Viet Nam",
    "Vietnam",
    "Lao PDR",
    "Lao People's Democratic Republic",
    "Bolivia (Plurinational State of)",
    "Iran",
    "Swaziland",
    "United Republic of Tanzania",
    "Côte d'Ivoire",
    "Republic of Moldova",
]
NATURES = ["grant-funded"] * 5 + ["in project"] * 4 + ["administrative budget"]
DIVISIONS = ["APR", "ESA", "LAC", "NEN", "WCA", "Global"]
MODALITIES = ["South-South"] * 6 + ["Triangular"] * 3 + ["Trilateral"]
STATUSES = ["Pipeline", "Approved", "Ongoing", "Ongoing", "Completed", "Closed", "Cancelled"]
CONTRIBUTOR_TYPES = [
    "Government",
    "Multilateral",
    "Bilateral donor",
    "Private company",
    "NGO",
    "Foundation",
    "Research/academic",
    "Farmers' organization",
]
TOPICS = [
    "rice intensification",
    "dryland farming",
    "rural finance",
    "value chain learning route",
    "climate-resilient seeds",
    "pastoral water management",
    "youth agribusiness",
    "producer organizations",
    "knowledge exchange",
    "aquaculture",
]
FORMATS = ["Learning route to", "Exchange visit:", "Workshop on", "Technical assistance for"]


# --- the workbook -----------------------------------------------------------------------------


def _amount(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high) * 1000


def _country_names(rng: random.Random, names: list[str], count: int) -> str:
    return "; ".join(rng.sample(names, count))


def build_workbook(path: Path, activities: int, contributions: int) -> list[int]:
    """Write the workbook; return the years of the activities that carry EUR contributions."""
    rng = random.Random(SEED)
    country_names = (
        sorted(Country.objects.exclude(division=None).values_list("name", flat=True)) + ALIASES * 3
    )
    themes = [name for _code, name in THEMES]
    contributors = [
        f"{prefix} {place}"
        for prefix in ("Ministry of Agriculture of", "Embassy of", "Cooperative Union of")
        for place in rng.sample(sorted(set(country_names)), 80)
    ] + [f"Partner Organization {n:03d}" for n in range(1, 61)]
    contributor_types = {name: rng.choice(CONTRIBUTOR_TYPES) for name in contributors}

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Activities")
    sheet.append(["Corporate SSC financial monitoring (benchmark)"])
    sheet.append(ACTIVITY_HEADER)
    ids: list[tuple[str, int]] = []
    per_year: Counter[int] = Counter()
    totals = [0, 0, 0]
    for number in range(activities):
        year = rng.choice(YEARS)
        per_year[year] += 1
        ssc_id = f"SSC-{year}-{per_year[year]:04d}"
        ids.append((ssc_id, year))
        planned = _amount(rng, 20, 2000)
        allocated = planned if rng.random() < 0.7 else _amount(rng, 10, planned // 1000 + 1)
        spent = None if rng.random() < 0.3 else _amount(rng, 0, allocated // 1000 + 1)
        amounts: list[Any] = [planned, allocated, spent]
        for stage, value in enumerate(amounts):
            totals[stage] += value or 0
        if number % 10 == 0:  # as typed by hand
            amounts[0] = f"US$ {planned:,}"
        elif number % 10 == 1:
            amounts[0] = f"{planned:,}".replace(",", " ")
        sheet.append(
            [
                ssc_id,
                f"{rng.choice(FORMATS)} {rng.choice(TOPICS)} ({number + 1})",
                rng.choice(NATURES),
                year if rng.random() < 0.9 else str(year),
                rng.choice(DIVISIONS),
                _country_names(rng, country_names, rng.choice((1, 1, 2, 3))),
                _country_names(rng, country_names, rng.choice((1, 2, 2, 4))),
                rng.choice(MODALITIES),
                rng.choice(themes),
                rng.choice(STATUSES),
                *amounts,
                "" if rng.random() < 0.6 else f"Reported by the CPM in {year + 1}.",
            ]
        )
    sheet.append(["", "Total", "", "", "", "", "", "", "", "", *totals, ""])

    eur_years = _write_contributions(
        workbook.create_sheet("Contributions"),
        rng,
        ids,
        contributors,
        contributor_types,
        contributions,
    )
    workbook.save(path)
    return sorted(eur_years)


def _write_contributions(
    sheet: Any,
    rng: random.Random,
    ids: list[tuple[str, int]],
    contributors: list[str],
    contributor_types: dict[str, str],
    contributions: int,
) -> set[int]:
    """The Contributions sheet's rows; the years of the activities given EUR contributions."""
    sheet.append(CONTRIBUTION_HEADER)
    eur_years: set[int] = set()
    for number in range(contributions):
        # Every activity gets one, the rest are spread at random: 1 to about 8 per activity.
        ssc_id, year = ids[number] if number < len(ids) else rng.choice(ids)
        contributor = rng.choice(contributors)
        currency = "EUR" if rng.random() < 0.15 else "USD"
        if currency == "EUR":
            eur_years.add(year)
        kind = "Cofinancing" if rng.random() < 0.65 else "In-kind"
        planned = _amount(rng, 5, 1500)
        sheet.append(
            [
                ssc_id,
                contributor,
                contributor_types[contributor],
                kind,
                currency,
                planned,
                planned if rng.random() < 0.6 else None,
                None if rng.random() < 0.5 else _amount(rng, 0, planned // 1000 + 1),
                "Staff time and venue" if kind == "In-kind" else "",
            ]
        )
    return eur_years


# --- the database -----------------------------------------------------------------------------


def recreate_database() -> None:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"] or not db["NAME"].startswith("ssc_bench"):
        sys.exit("Set DATABASE_URL=postgres://.../ssc_bench_import: this script drops it.")
    connection.close()
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    call_command("migrate", interactive=False, verbosity=0)


def set_rates(years: list[int]) -> None:
    for year in years:
        services.set_rate(
            currency="EUR",
            month=datetime.date(year, 1, 1),
            units_per_usd=EUR_PER_USD[year],
            source="benchmark",
            user=None,
        )


# --- one step, in its own process -------------------------------------------------------------


class QueryCounter:
    """Counts SQL statements by shape; cheap enough not to change the timings much."""

    def __init__(self) -> None:
        self.shapes: Counter[str] = Counter()

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        self.shapes[_shape(sql)] += 1
        return execute(sql, params, many, ctx)

    @property
    def total(self) -> int:
        return sum(self.shapes.values())


def _shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'|\b\d+\b|%s", "?", sql)
    sql = re.sub(r"\((\?, )+\?\)", "(?...)", sql)
    return sql[:160]


def run_step(path: Path, step: str, trace: bool, profile: bool) -> dict[str, Any]:
    dry_run = step == "preview"
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counter = QueryCounter()
    marks: list[tuple[int, float]] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if (done % 1000 == 0 or done == total) and (not marks or marks[-1][0] != done):
            elapsed = time.perf_counter() - started
            marks.append((done, elapsed))
            print(f"    {step}: {done:,}/{total:,} activities at {elapsed:.1f} s", file=sys.stderr)

    profiler = cProfile.Profile() if profile else None
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    refused: list[str] = []
    with connection.execute_wrapper(counter), path.open("rb") as handle:
        if profiler:
            profiler.enable()
        try:
            summary = import_legacy_workbook(
                handle=handle,
                filename=path.name,
                user=None,
                dry_run=dry_run,
                progress=progress,
            )
        except ImportRefused as error:
            summary = None
            refused = error.problems
        finally:
            if profiler:
                profiler.disable()
    seconds = time.perf_counter() - started
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        print(stream.getvalue(), file=sys.stderr)
        print("SQL statements by shape (count, shape):", file=sys.stderr)
        for shape, count in counter.shapes.most_common(30):
            print(f"  {count:>8,}  {shape}", file=sys.stderr)
    return {
        "step": step,
        "seconds": seconds,
        "baseline_mb": baseline_mb,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "traced_mb": traced_mb,
        "queries": counter.total,
        "refused": refused[:20],
        "refused_count": len(refused),
        "created": summary.created if summary else 0,
        "updated": summary.updated if summary else 0,
        "unchanged": summary.unchanged if summary else 0,
        "entries": summary.entries if summary else 0,
        "partners_created": summary.partners_created if summary else 0,
        "warnings": summary.warnings[:5] if summary else [],
        "activities_in_db": Activity.objects.count(),
        "ledger_in_db": FinancialEntry.objects.count(),
        "marks": marks,
    }


def spawn_step(path: Path, step: str, options: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--step", step, "--file", str(path)]
    if options.no_tracemalloc:
        command.append("--no-tracemalloc")
    if options.profile == step:
        command.append("--profile-here")
    # Our own interpreter and script, with arguments this process built.
    output = subprocess.run(  # noqa: S603
        command, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(result: dict[str, Any], activities: int) -> None:
    over = []
    if result["seconds"] > TARGET_SECONDS:
        over.append("time")
    if result["maxrss_mb"] > TARGET_MB:
        over.append("memory")
    traced = f"{result['traced_mb']:.0f} MB" if result["traced_mb"] is not None else "off"
    print(f"\n{result['step']}:")
    print(f"  wall time          {result['seconds']:9.1f} s   (target {TARGET_SECONDS:.0f} s)")
    print(
        f"  peak RSS (maxrss)  {result['maxrss_mb']:9.0f} MB  (target {TARGET_MB:.0f} MB; "
        f"{result['baseline_mb']:.0f} MB before the step)"
    )
    print(f"  tracemalloc peak   {traced:>12}")
    print(
        f"  SQL queries        {result['queries']:9,}   "
        f"({result['queries'] / max(activities, 1):.1f} per activity)"
    )
    if result["refused_count"]:
        print(f"  REFUSED with {result['refused_count']} problems, first ones:")
        for problem in result["refused"]:
            print(f"    {problem}")
    print(
        f"  created {result['created']:,}, updated {result['updated']:,}, "
        f"unchanged {result['unchanged']:,}, ledger entries {result['entries']:,}, "
        f"partners created {result['partners_created']:,}"
    )
    print(
        f"  in the database afterwards: {result['activities_in_db']:,} activities, "
        f"{result['ledger_in_db']:,} ledger entries"
    )
    for warning in result["warnings"]:
        print(f"  warning: {warning}")
    print(f"  {'over target: ' + ', '.join(over) if over else 'within targets'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--contributions", type=int, default=30_000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="clean wall times")
    parser.add_argument("--profile", choices=("preview", "commit"), help="cProfile this step")
    parser.add_argument("--keep", action="store_true", help="keep the generated workbook")
    # Internal: one step in a child process, result as JSON on the last line of stdout.
    parser.add_argument("--step", choices=("preview", "commit"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-here", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.step:
        result = run_step(
            options.file, options.step, not options.no_tracemalloc, options.profile_here
        )
        print(json.dumps(result))
        return

    recreate_database()
    assert Division.objects.exists(), "reference data missing after migrate"
    handle, name = tempfile.mkstemp(prefix="ssc-bench-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        started = time.perf_counter()
        eur_years = build_workbook(path, options.activities, options.contributions)
        print(
            f"Workbook: {options.activities:,} activities, {options.contributions:,} "
            f"contribution rows, {path.stat().st_size / 2**20:.1f} MB, written in "
            f"{time.perf_counter() - started:.1f} s ({path})"
        )
        set_rates(eur_years)
        print(f"EUR rates set for {len(eur_years)} years ({eur_years[0]}-{eur_years[-1]}).")
        connection.close()  # the children open their own
        for step in ("preview", "commit"):
            report(spawn_step(path, step, options), options.activities)
    finally:
        if options.keep:
            print(f"Workbook kept: {path}")
        else:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
