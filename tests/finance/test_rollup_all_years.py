"""AllYearsCell keeps each country's and theme's money over all years by agreement and once more
over every agreement (agreement ""): a view not filtered by agreement sums the latter, a quarter
as many rows, and both stay equal to the cent after the rebuild and after each refresh."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Q

from accounts.models import User
from activities.models import Activity, Agreement
from finance import rollups, services
from finance.models import CELL_AMOUNTS, AllYearsCell, ContributionKind, Stage
from finance.rollups import RollupFilters, scoped_all_years_rows
from finance.rollups.verify import recompute_all_activity_money
from tests.factories import ActivityFactory, country

pytestmark = pytest.mark.django_db

Key = tuple[str, int, int | None, int | None, bool, str, str]


def _grant(activity: Activity, user: User, amount: str, year: int) -> None:
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind=ContributionKind.IFAD_GRANT,
                stage=Stage.ALLOCATED,
                amount=Decimal(amount),
                currency="USD",
                value_date=datetime.date(year, 3, 10),
            )
        ],
        user=user,
        expected_version=None,
    )


def _sums() -> tuple[dict[Key, int], dict[Key, int]]:
    """(the rows over every agreement, the rows by agreement summed over the agreements)."""
    every: dict[Key, int] = {}
    by_agreement: dict[Key, int] = defaultdict(int)
    for row in AllYearsCell.objects.all():
        for kind, stage, column in CELL_AMOUNTS:
            if getattr(row, column) is None:
                continue
            key = (
                *(row.grain, row.division_id, row.country_id, row.theme_id),
                *(row.is_public, kind, stage),
            )
            if row.agreement == "":
                assert key not in every
                every[key] = row.cents(kind, stage)
            else:
                by_agreement[key] += row.cents(kind, stage)
    return every, dict(by_agreement)


def test_the_all_years_cells_are_kept_over_every_agreement_too(focal: User) -> None:
    confirmed = ActivityFactory(countries=["BR", ("MZ", "receiver")], agreement=Agreement.CONFIRMED)
    waiting = ActivityFactory(
        countries=["BR"], lead_division=confirmed.lead_division, agreement=Agreement.WAITING
    )
    _grant(confirmed, focal, "1000.01", 2022)
    _grant(waiting, focal, "250.10", 2023)
    rollups.rebuild_all()
    every, by_agreement = _sums()
    assert every and every == by_agreement
    brazil = country("BR").pk
    in_brazil = [c for key, c in every.items() if key[0] == "country" and key[2] == brazil]
    assert sum(in_brazil) == 50_001 + 25_010  # Brazil's half of the first, all the second

    # A view not filtered by agreement reads the rows over every agreement alone; one filtered
    # by agreement, that agreement's.
    unfiltered = scoped_all_years_rows(Q(), RollupFilters(), "country")
    assert unfiltered is not None
    assert set(unfiltered.values_list("agreement", flat=True)) == {""}
    only_waiting = scoped_all_years_rows(
        Q(), RollupFilters(agreements=(Agreement.WAITING,)), "country"
    )
    assert only_waiting is not None
    assert set(only_waiting.values_list("agreement", flat=True)) == {Agreement.WAITING}

    # An edit's refresh, and an agreement that moves, keep them equal.
    _grant(waiting, focal, "0.99", 2023)
    rollups.drain_refresh_requests()
    Activity.objects.filter(pk=confirmed.pk).update(agreement=Agreement.DISPUTED)
    rollups.request_refresh_for_changed_activities({confirmed.pk: [confirmed.lead_division_id]})
    rollups.drain_refresh_requests()
    every, by_agreement = _sums()
    assert every == by_agreement
    assert (
        sum(c for key, c in every.items() if key[0] == "country" and key[2] == brazil)
        == 50_001 + 25_109
    )
    # The rebuild's check of the activity tables finds them right: nothing to rewrite.
    assert recompute_all_activity_money() is False
