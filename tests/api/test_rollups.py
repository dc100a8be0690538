"""/api/v1/rollups/: the dashboard's roll-up figures, the same totals, scope and filters."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from accounts.models import User
from activities.models import Activity, CountryRole, Visibility
from finance import rollups, services
from finance.models import FinancialEntry, Stage
from finance.rollups import RollupFilters
from tests.factories import ActivityFactory, division, theme
from tests.finance.test_legacy_import import import_sample

pytestmark = pytest.mark.django_db

URL = "/api/v1/rollups/"
ApiFor = Callable[[User | None], Client]


def _record(activity: Activity, user: User, amount: str, year: int = 2024, **extra: Any) -> None:
    values: dict[str, Any] = {"kind": "ifad_grant", "stage": "allocated", "currency": "USD"}
    values.update(extra)
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                amount=Decimal(amount), value_date=datetime.date(year, 3, 1), **values
            )
        ],
        user=user,
        expected_version=None,
    )


def _groups(body: dict[str, Any]) -> dict[Any, str]:
    return {group["key"]: group["total"]["allocated"] for group in body["groups"]}


def test_the_sample_workbooks_totals_by_division_add_up_to_the_ledger(
    api_for: ApiFor, focal: User
) -> None:
    import_sample(focal)
    rollups.compute_slices(None)
    body = api_for(focal).get(URL, {"group_by": "division"}).json()
    ledger_ifad = FinancialEntry.objects.filter(
        kind__startswith="ifad", stage=Stage.ALLOCATED
    ).aggregate(total=Sum("amount_usd"))["total"]
    assert body["total"]["ifad"]["allocated"] == f"{ledger_ifad:.2f}" == "6544000.00"
    assert sum(Decimal(group["ifad"]["allocated"]) for group in body["groups"]) == ledger_ifad
    assert {group["key"] for group in body["groups"]} <= {"APR", "ESA", "LAC", "NEN", "WCA", "GLB"}
    dashboard = rollups.totals(focal, RollupFilters())
    assert body["total"]["cofinancing"]["allocated"] == f"{dashboard.cofinancing['allocated']:.2f}"
    assert body["total"]["leverage_allocated"] == f"{dashboard.leverage(Stage.ALLOCATED)}"
    assert body["currency"] == "USD" and body["as_of"] is not None


def test_money_in_several_countries_is_split_and_the_groups_add_up(
    api_for: ApiFor, focal: User
) -> None:
    activity = ActivityFactory(
        countries=["BR", ("MZ", CountryRole.RECEIVER), ("PE", CountryRole.RECEIVER)],
        themes=[theme(1), theme(2)],
    )
    _record(activity, focal, "100.00")
    rollups.compute_slices(None)
    client = api_for(focal)
    by_country = client.get(URL, {"group_by": "country"}).json()
    shares = [Decimal(amount) for amount in _groups(by_country).values()]
    # Split in whole cents over country x theme: each within a cent of a third, exactly 100.
    assert sum(shares) == Decimal("100.00")
    assert all(abs(share - Decimal("33.33")) <= Decimal("0.02") for share in shares)
    assert set(_groups(by_country)) == {"BR", "MZ", "PE"}
    by_theme = client.get(URL, {"group_by": "theme"}).json()
    assert set(_groups(by_theme)) == {theme(1).code, theme(2).code}
    assert by_theme["total"] == by_country["total"]


def test_filters_are_the_dashboards(api_for: ApiFor, focal: User) -> None:
    lac = ActivityFactory(countries=["BR"], modality="triangular")
    apr = ActivityFactory(countries=["IN"], lead_division=division("APR"))
    _record(lac, focal, "10.00", year=2023)
    _record(lac, focal, "20.00", year=2024)
    _record(apr, focal, "40.00", year=2024)
    rollups.compute_slices(None)
    client = api_for(focal)

    def total(**params: Any) -> str:
        response = client.get(URL, {"group_by": "fiscal_year", **params})
        assert response.status_code == 200, response.content
        return response.json()["total"]["total"]["allocated"]

    assert total() == "70.00"
    assert total(fiscal_year=2024) == "60.00"
    assert total(fiscal_year_from=2023, fiscal_year_to=2023) == "10.00"
    assert total(division="APR") == "40.00"
    assert total(division=["APR", "LAC"]) == "70.00"
    assert total(country="BR") == "30.00"
    assert total(modality="triangular") == "30.00"
    by_year = client.get(URL, {"group_by": "fiscal_year"}).json()
    assert [(g["key"], g["total"]["allocated"]) for g in by_year["groups"]] == [
        (2023, "10.00"),
        (2024, "60.00"),
    ]


def test_each_caller_sees_the_money_it_may_see(
    api_for: ApiFor, focal: User, cpm_other: User, partner_user: User
) -> None:
    public = ActivityFactory(visibility=Visibility.PUBLIC)  # LAC
    internal = ActivityFactory()  # LAC
    apr = ActivityFactory(lead_division=division("APR"))
    _record(public, focal, "1.00")
    _record(internal, focal, "10.00")
    _record(apr, focal, "100.00")
    rollups.compute_slices(None)

    def seen(user: User) -> str:
        body = api_for(user).get(URL, {"group_by": "division"}).json()
        return body["total"]["total"]["allocated"]

    assert seen(focal) == "111.00"
    assert seen(cpm_other) == "111.00"  # a CPM reads every activity, so all its money
    assert seen(partner_user) == "1.00"  # public activities only


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({}, "group_by"),
        ({"group_by": "partner"}, "group_by"),
        ({"group_by": "fiscal_year", "division": "XYZ"}, "division.0"),
        ({"group_by": "fiscal_year", "fiscal_year": "1900"}, "fiscal_year"),
        ({"group_by": "fiscal_year", "fiscal_year": 2020, "fiscal_year_from": 2019}, "fiscal_year"),
        (
            {"group_by": "fiscal_year", "fiscal_year_from": 2021, "fiscal_year_to": 2020},
            "fiscal_year_to",
        ),
        ({"group_by": "fiscal_year", "status": "finished"}, "status.0"),
        ({"group_by": "year"}, "group_by"),
    ],
)
def test_bad_parameters_are_400s_naming_them(
    api_for: ApiFor, viewer: User, query: dict[str, Any], parameter: str
) -> None:
    response = api_for(viewer).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_rollups_as_csv(api_for: ApiFor, focal: User) -> None:
    _record(ActivityFactory(countries=["BR"]), focal, "12.50")
    rollups.compute_slices(None)
    text = api_for(focal).get(URL, {"group_by": "country", "format": "csv"}).content.decode()
    header, row = text.splitlines()
    assert header.startswith("key,label,ifad_planned_usd,ifad_allocated_usd")
    assert row.startswith("BR,Brazil,0.00,12.50")
