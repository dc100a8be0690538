"""`make run`'s embedded default: the demo on SQLite answers every results page without an error.

The suite runs on PostgreSQL, where raw SQL written for it passes; `make run` runs on SQLite. A
child process migrates a new SQLite database, loads the demo and asks for the pages whose
figures are computed in SQL (the results dashboard, its workbook, the activities behind a
figure, the money dashboard filtered by agreement and, with participant-days recorded, its
quantities by receiving country) and the other results pages, as the focal point, a CPM and the
partner user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ops

ROOT = Path(__file__).resolve().parents[2]

WALK = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo_data", verbosity=0)
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from accounts.models import User
from results.models import CoreIndicator, Period, PlanFollowUp, Result
core = CoreIndicator.objects.filter(code="people-trained").get()
activity = Result.objects.order_by("pk").first().activity_id
period = Period.objects.filter(updates__isnull=False).order_by("pk").first()
follow_up = PlanFollowUp.objects.order_by("pk").first()
# Participant-days (not in the demo): the money dashboard's quantities by receiving country
# are summed in raw SQL.
import datetime
from decimal import Decimal
from activities.models import Activity, Partner
from finance import services
from finance.models import ContributionKind, InKindUnit, Stage, ValuedBy
hosted = Activity.objects.filter(country_links__role="receiver").order_by("pk").first()
services.record_entries(
    activity=hosted,
    entries=[services.EntryData(
        kind=ContributionKind.IN_KIND, stage=Stage.ALLOCATED, amount=None, currency="USD",
        value_date=datetime.date.today(), unit=InKindUnit.PARTICIPANT_DAYS,
        quantity=Decimal(120), valued_by=ValuedBy.NOT_VALUED,
        contributor=Partner.objects.order_by("pk").first(),
    )],
    user=User.objects.get(username="focal"),
    expected_version=None,
)
pages = {
    "focal": [
        "/results/dashboard/",
        "/results/dashboard/?year_from=2005&year_to=2030&modality=triangular",
        "/results/dashboard/results.xlsx",
        f"/results/dashboard/{core.pk}/activities/",
        "/results/library/",
        f"/results/routes/{follow_up.plan.route_id}/follow-ups/",
        # The money dashboard filtered by agreement: its figures split in SQL (finance.rollups).
        "/dashboard/?agreement=confirmed&agreement=waiting",
        "/dashboard/?agreement=none&country=BR&fiscal_year_from=2020",
        "/api/v1/rollups/?group_by=theme&agreement=none",
        "/dashboard/",
    ],
    "cpm": [
        f"/activities/{activity}/results/",
        f"/results/periods/{period.pk}/",
        "/results/tasks/",
    ],
    "partner": ["/results/tasks/", f"/api/v1/indicators/?activity={activity}", "/api/v1/updates/"],
}
for username, urls in pages.items():
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    for url in urls:
        print(client.get(url, HTTP_HOST="127.0.0.1").status_code, username, url)
"""


def test_the_demo_on_sqlite_answers_every_results_page(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ssc_portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "DEBUG": "1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("DATABASE_REPLICA_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", WALK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answers = [line.split(" ", 2) for line in run.stdout.splitlines() if line[:1].isdigit()]
    assert len(answers) == 16, run.stdout
    failed = [answer for answer in answers if answer[0] != "200"]
    assert not failed, failed
