"""50 people at once for 60 s against gunicorn with the production settings (locust, loopback).

    make bench-load                 # or, with the environment the Makefile sets:
    python benchmarks/load.py [--activities 100000] [--users 50] [--duration 60]

Uses the database DATABASE_URL names (ssc_bench under `make bench-load`, the one
benchmarks/activity_list.py fills): migrates it, generates the activities and their ledger
entries once (as activity_list.py and api_activities.py do), computes the roll-ups once, and
collects the static files; vacuums and analyzes it on every run (autovacuum may be off). Then,
each run:

1. prepares the people of benchmarks/locustfile.py: 30 of the synthetic CPM accounts (6 per
   regional division, each division sharing 12 activities its CPMs edit), the focal point
   `bench-load-focal`, 15 partner users `bench-load-partner-NN` of the organizations with the
   most activities, each with a new API token (accounts.services.create_api_token, the previous
   benchmark tokens deleted); every person gets a logged-in session (no password is set: the
   accounts stay without a usable one). All of it written to a JSON file for locust;
2. starts gunicorn with gunicorn.conf.py on 127.0.0.1 (DEBUG off, the production settings but
   for SECURE_SSL_REDIRECT, which plain-http loopback cannot follow; the requests say they came
   through the TLS proxy) and a Celery worker that drains the roll-up refreshes edits ask for,
   waits for /healthz;
3. runs locust headless, in one process (it shares the two cores with the server), for
   --duration seconds;
4. stops the worker and gunicorn (also on failure or Ctrl-C) and prints, per request type and
   overall: requests, requests per second, p50/p95/p99 as locust measured them (client side,
   locust's own CPU included), the errors and their reasons; then the same percentiles as
   gunicorn's access log measured them (server side), and the machine's load average.

Exit status 1 when a request failed or the overall p95 is over 500 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

import django
import psutil

django.setup()

from activity_list import ensure_data, ensure_database  # noqa: E402
from api_activities import ensure_money  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Max, Min, Q  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import ApiToken, Role, User  # noqa: E402
from accounts.services import create_api_token  # noqa: E402
from activities.models import Activity, Division, FundingNature, Partner, Theme  # noqa: E402
from finance.rollups import rebuild_all, rollup_state  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
P95_BUDGET_MS = 500.0
CPMS_PER_DIVISION = 6
SHARED_ACTIVITIES = 12
PARTNERS = 15
FOCAL_SESSIONS = 5
BIN = Path(sys.executable).parent
# gunicorn's access log (gunicorn.conf.py): '"GET /path HTTP/1.1" 200 1234 56789us'.
ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<us>\d+)us'
)


# --- data and people ---------------------------------------------------------------------------


def ensure_rollups() -> None:
    if rollup_state().as_of is None:
        print("Computing the roll-ups (once)...", flush=True)
        started = time.monotonic()
        rebuild_all()
        print(f"Done in {time.monotonic() - started:.0f} s.")


def session_of(user: User) -> str:
    """A logged-in session, as the login form would make (without hashing a password)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def editable_for_forms(division: Division) -> list[int]:
    """Activities of the division whose record the edit form accepts as it stands (synthetic
    rows leave the type empty or an in-project activity without its project ID now and then,
    and some end before they start)."""
    candidates = (
        Activity.objects.filter(lead_division=division)
        .exclude(activity_type="")
        .exclude(Q(funding_nature=FundingNature.IN_PROJECT) & Q(project_id=""))
        .exclude(planned_end__lt=F("planned_start"))
        .exclude(actual_end__lt=F("actual_start"))
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    return list(candidates[:SHARED_ACTIVITIES])


def cpm_accounts() -> list[dict[str, Any]]:
    accounts = []
    divisions = Division.objects.filter(users__username__startswith="synthetic-cpm-").distinct()
    for division in divisions.order_by("code"):
        shared = editable_for_forms(division)
        cpms = User.objects.filter(
            username__startswith="synthetic-cpm-", divisions=division, is_active=True
        ).order_by("username")[:CPMS_PER_DIVISION]
        for user in cpms:
            accounts.append(
                {"username": user.username, "session": session_of(user), "activities": shared}
            )
    # Interleaved by division, so that a smaller run (--users 10) still has every division.
    accounts.sort(key=lambda a: (a["username"][-2:], a["username"]))
    return accounts


def partner_accounts() -> list[dict[str, Any]]:
    busiest = (
        Partner.objects.annotate(n=Count("activity_links"))
        .select_related("country")
        .order_by("-n", "pk")[:PARTNERS]
    )
    accounts = []
    for number, partner in enumerate(busiest, start=1):
        user, _created = User.objects.get_or_create(
            username=f"bench-load-partner-{number:02d}",
            defaults={"role": Role.PARTNER, "partner": partner},
        )
        if user.partner_id != partner.pk:
            user.partner = partner
            user.save(update_fields=["partner"])
        ApiToken.objects.filter(user=user).delete()
        _token, secret = create_api_token(user=user, name="load benchmark")
        accounts.append(
            {
                "username": user.username,
                "token": secret,
                "country": partner.country.iso2 if partner.country else "",
            }
        )
    return accounts


def focal_sessions() -> list[dict[str, Any]]:
    focal, _created = User.objects.get_or_create(
        username="bench-load-focal", defaults={"role": Role.FOCAL_POINT}
    )
    # One person with several tabs and devices: a session each.
    return [
        {"username": focal.username, "session": session_of(focal)} for _ in range(FOCAL_SESSIONS)
    ]


def words(texts: list[str], least: int = 5, most: int = 40) -> list[str]:
    """Common longer words of some titles or names: what people type in search boxes."""
    counts = Counter(
        word.lower().strip(",.()")
        for text in texts
        for word in text.split()
        if len(word.strip(",.()")) >= least and word.isalpha()
    )
    return [word for word, _n in counts.most_common(most)]


def write_plan(path: Path) -> None:
    # The sessions are made through django.contrib.auth.login: no sign-in line per session.
    logging.disable(logging.INFO)
    ids = Activity.objects.aggregate(low=Min("pk"), high=Max("pk"))
    titles = list(Activity.objects.order_by("-pk").values_list("title", flat=True)[:500])
    names = list(Partner.objects.order_by("pk").values_list("name", flat=True)[:500])
    plan = {
        "cpms": cpm_accounts(),
        "focal": focal_sessions(),
        "partners": partner_accounts(),
        "activity_ids": [ids["low"], ids["high"]],
        "browse": {
            "words": words(titles),
            "partner_words": words(names),
            "divisions": list(
                Division.objects.filter(users__username__startswith="synthetic-cpm-")
                .distinct()
                .values_list("code", flat=True)
            ),
            "countries": ["BR", "CN", "IN", "KE", "SN", "VN", "MX", "EG", "ET", "BD"],
            "themes": list(Theme.objects.values_list("code", flat=True)),
        },
    }
    if not plan["cpms"]:
        sys.exit("No synthetic CPM accounts: run manage.py generate_synthetic first.")
    path.write_text(json.dumps(plan), encoding="utf-8")
    logging.disable(logging.NOTSET)


# --- processes ---------------------------------------------------------------------------------


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    # Production settings; plain http on loopback cannot follow an HTTPS redirect.
    env.update({"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1"})
    return env


def start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    # A process group of its own: stopping it stops gunicorn's workers too.
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own executables, fixed arguments
            command,
            cwd=ROOT,
            env=server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not answer 200 within 60 s:\n{log.read_text()[-3000:]}")


# --- figures -----------------------------------------------------------------------------------


def _tree_cpu(root: psutil.Process) -> float:
    """CPU seconds of a process and its descendants, those it has already reaped included
    (a PostgreSQL backend that closed, a gunicorn worker recycled)."""
    try:
        own = root.cpu_times()
        processes = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = own.user + own.system + own.children_user + own.children_system
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def cpu_seconds(
    server: subprocess.Popen[bytes], worker: subprocess.Popen[bytes] | None
) -> dict[str, float]:
    """CPU time used so far by gunicorn (master and workers), the Celery worker and PostgreSQL
    (every database's backends: the machine is shared)."""
    postmasters = [
        process
        for process in psutil.process_iter(["name"])
        if process.info["name"] == "postgres" and process.parent().name() != "postgres"
    ]
    return {
        "gunicorn": _tree_cpu(psutil.Process(server.pid)),
        "Celery worker": _tree_cpu(psutil.Process(worker.pid)) if worker else 0.0,
        "PostgreSQL": sum(_tree_cpu(postmaster) for postmaster in postmasters),
    }


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_client_stats(prefix: Path, duration: float) -> tuple[int, float]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        rows = list(csv.DictReader(stats_file))
    print(
        f"\n{'request type':<48} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        label = "all requests" if row is total else f"{row['Type']} {row['Name']}"
        print(
            f"{label:<48} {int(row['Request Count']):>8} "
            f"{int(row['Request Count']) / duration:>6.1f} {row['50%']:>7} {row['95%']:>7} "
            f"{row['99%']:>7} {float(row['Max Response Time']):>7.0f} "
            f"{int(row['Failure Count']):>6}"
        )
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures_file:
        failures = list(csv.DictReader(failures_file))
    errors = int(total["Failure Count"])
    print(f"\nErrors: {errors}")
    for failure in failures:
        print(f"  {failure['Occurrences']:>5} x {failure['Method']} {failure['Name']}: ")
        print(f"          {failure['Error'][:300]}")
    return errors, float(total["95%"])


def print_server_stats(log: Path) -> None:
    """Server-side times from gunicorn's access log: without the time locust itself takes."""
    by_type: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if not match or match["path"].startswith("/healthz"):
            continue
        path = re.sub(r"\d+", "N", match["path"].split("?")[0])
        by_type[f"{match['method']} {path}"].append(int(match["us"]) / 1000)
    everything = sorted(t for times in by_type.values() for t in times)
    if not everything:
        return
    print(f"\nServer side (gunicorn access log), {len(everything)} requests")
    print(f"{'path':<48} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, times in sorted(by_type.items(), key=lambda item: -len(item[1])):
        ordered = sorted(times)
        print(
            f"{name[:48]:<48} {len(ordered):>8} {statistics.median(ordered):>7.0f} "
            f"{percentile(ordered, 0.95):>7.0f} {percentile(ordered, 0.99):>7.0f}"
        )
    print(
        f"{'all requests':<48} {len(everything):>8} {statistics.median(everything):>7.0f} "
        f"{percentile(everything, 0.95):>7.0f} {percentile(everything, 0.99):>7.0f}"
    )


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker")
    parser.add_argument("--keep", action="store_true", help="keep the logs and CSV files")
    return parser.parse_args()


def prepare(activities: int) -> None:
    """The data, the roll-ups and the static files, each made once; statistics every run."""
    ensure_database()
    ensure_data(activities)
    ensure_money()
    ensure_rollups()
    with connection.cursor() as cursor:
        # Autovacuum may be off (it is on CI's cluster): production's would have left the
        # visibility maps and statistics current, which index-only scans and plans rely on.
        cursor.execute("VACUUM ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    return start(
        [
            str(BIN / "celery"),
            "-A",
            "ssc_portal",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        log,
    )


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    return start(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "ssc_portal.wsgi:application",
        ],
        log,
    )


def run_locust(options: argparse.Namespace, host: str, work: Path, plan: Path) -> None:
    with (work / "locust.log").open("wb") as out:
        subprocess.run(  # noqa: S603 - our own executables, fixed arguments
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "-u",
                str(options.users),
                "-r",
                str(options.spawn_rate),
                "-t",
                f"{options.duration}s",
                "--host",
                host,
                "--csv",
                str(work / "load"),
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_PLAN": str(plan)},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )


def measure_load(
    options: argparse.Namespace, work: Path, load_before: float
) -> tuple[float, dict[str, float]]:
    """Run the load against a fresh server (and worker): seconds taken, CPU seconds by process."""
    plan = work / "plan.json"
    write_plan(plan)
    host = f"http://127.0.0.1:{options.port}"
    server_log = work / "gunicorn.log"
    server = worker = None
    try:
        if not options.no_worker:
            worker = start_worker(work / "worker.log")
        server = start_server(options.port, server_log)
        wait_healthy(f"{host}/healthz", server, server_log)
        print(
            f"Load: {options.users} users for {options.duration} s against {host} "
            f"(load average before: {load_before:.2f})",
            flush=True,
        )
        started = time.monotonic()
        cpu_before = cpu_seconds(server, worker)
        locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run_locust(options, host, work, plan)
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(server, worker)
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_used = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
        cpu_used["locust"] = (locust_after.ru_utime + locust_after.ru_stime) - (
            locust_before.ru_utime + locust_before.ru_stime
        )
    finally:
        stop(worker)
        stop(server)
    return elapsed, cpu_used


def main() -> None:
    options = parse_options()
    prepare(options.activities)
    work = Path(tempfile.mkdtemp(prefix="ssc-load-"))
    load_before = os.getloadavg()
    elapsed, cpu_used = measure_load(options, work, load_before[0])
    load_after = os.getloadavg()
    if not Path(f"{work}/load_stats.csv").exists():
        sys.exit(f"locust wrote no statistics:\n{(work / 'locust.log').read_text()[-3000:]}")
    print(
        f"\n{Activity.objects.count():,} activities; {options.users} users, "
        f"{options.duration} s; one locust process on the same {os.cpu_count()} CPUs"
    )
    errors, p95 = print_client_stats(work / "load", options.duration)
    print_server_stats(work / "gunicorn.log")
    print(
        f"\nLoad average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in load_before)}; "
        f"after: {', '.join(f'{v:.2f}' for v in load_after)}; locust ran {elapsed:.0f} s."
    )
    print(
        f"CPU seconds used during the run ({elapsed:.0f} s x {os.cpu_count()} CPUs = "
        f"{elapsed * (os.cpu_count() or 1):.0f} available): "
        + ", ".join(f"{name} {seconds:.0f}" for name, seconds in cpu_used.items())
    )
    verdict = "met" if errors == 0 and p95 <= P95_BUDGET_MS else "MISSED"
    print(f"Target (no errors, overall p95 <= {P95_BUDGET_MS:.0f} ms): {verdict}")
    if options.keep:
        print(f"Logs and CSV files kept in {work}")
    else:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()
    sys.exit(0 if verdict == "met" else 1)


if __name__ == "__main__":
    main()
