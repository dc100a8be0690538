"""`manage.py rebuild_rollups` prints each fiscal year and the time taken, and fails loudly."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from finance import rollups, services
from finance.models import ContributionKind, RollupRun, Stage
from finance.rollups import RollupFilters
from finance.services import EntryData
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def record_years(user: User, *years: int) -> None:
    activity = ActivityFactory(countries=["BR"])
    services.record_entries(
        activity=activity,
        entries=[
            EntryData(
                kind=ContributionKind.IFAD_GRANT,
                stage=Stage.SPENT,
                amount=Decimal("10.00"),
                currency="USD",
                value_date=datetime.date(year, 1, 1),
            )
            for year in years
        ],
        user=user,
        expected_version=None,
    )


def test_rebuild_command_prints_each_year_and_the_total_time(focal: User) -> None:
    record_years(focal, 2019, 2021, 2024)
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[:4] for line in lines[1:4]] == [
        ["1/3", "fiscal", "year", "2019"],
        ["2/3", "fiscal", "year", "2021"],
        ["3/3", "fiscal", "year", "2024"],
    ]
    assert lines[-1].startswith("Rebuilt 3 fiscal years in ")
    assert RollupRun.objects.get().state == RollupRun.State.DONE
    assert rollups.totals(focal, RollupFilters()).ifad[Stage.SPENT] == Decimal("30.00")
    assert all(line.endswith("rewritten") for line in lines[1:4])


def test_a_second_rebuild_finds_every_year_right_and_says_so(focal: User) -> None:
    record_years(focal, 2019, 2024)
    call_command("rebuild_rollups", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    years = out.getvalue().splitlines()[1:3]
    assert [line.split()[3] for line in years] == ["2019", "2024"]
    assert all(line.endswith("already right") for line in years)
    assert rollups.totals(focal, RollupFilters()).ifad[Stage.SPENT] == Decimal("20.00")


def test_rebuild_command_fails_with_the_reason_and_records_it(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_years(focal, 2020)

    def broken(*args: Any, **options: Any) -> None:
        raise RuntimeError("disk full")

    # Either way of computing a year: over stored roll-ups, or into empty ones (a first build).
    monkeypatch.setattr("finance.rollups.rebuild.compute_slices", broken)
    monkeypatch.setattr("finance.rollups.rebuild.build_slices", broken)
    with pytest.raises(CommandError, match="The rebuild failed: disk full"):
        call_command("rebuild_rollups", stdout=StringIO())
    run = RollupRun.objects.get()
    assert (run.state, run.error) == (RollupRun.State.FAILED, "disk full")
