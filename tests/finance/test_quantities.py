"""In-kind in quantities beside the money, and what leverage left out for having no value: on
the dashboard (headline, leverage chart, quantities table, downloads), scoped exactly as its
money, in a bounded number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import create_api_token
from activities.models import Activity
from finance import rollups, services
from finance.in_kind import Unvalued
from finance.models import ContributionKind, InKindUnit, Stage, ValuedBy
from finance.quantities import selection_in_kind, unvalued_in_selection
from finance.rollups import RollupFilters
from tests.factories import ActivityFactory, PartnerFactory, country, division
from tests.helpers import in_kind_line

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 10)


def _grant(amount: str = "1000") -> services.EntryData:
    return services.EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=Stage.ALLOCATED,
        amount=Decimal(amount),
        currency="USD",
        value_date=DAY,
    )


def _record(activity: Activity, user: User, *lines: services.EntryData) -> None:
    services.record_entries(
        activity=activity, entries=list(lines), user=user, expected_version=None
    )


@pytest.fixture
def portfolio(focal: User) -> tuple[Activity, Activity]:
    """LAC: Brazil gives to Mozambique and Angola 12 venue-days not valued, 40 expert-days at
    cost and 30 participant-days not valued; APR: India gives 5 expert-days not valued."""
    embrapa = PartnerFactory(name="Embrapa", country=country("BR"))
    icar = PartnerFactory(name="ICAR", country=country("IN"))
    lac = ActivityFactory(countries=["BR", ("MZ", "receiver"), ("AO", "both")])
    apr = ActivityFactory(countries=["IN", ("NP", "receiver")], lead_division=division("APR"))
    _record(
        lac,
        focal,
        _grant(),
        in_kind_line(InKindUnit.VENUE_DAYS, "12", contributor=embrapa),
        in_kind_line(
            InKindUnit.EXPERT_DAYS,
            "40",
            contributor=embrapa,
            valued_by=ValuedBy.ACTUAL_COST,
            amount=Decimal("8000"),
        ),
        in_kind_line(InKindUnit.PARTICIPANT_DAYS, "30", contributor=embrapa),
    )
    _record(apr, focal, _grant("500"), in_kind_line(InKindUnit.EXPERT_DAYS, "5", contributor=icar))
    rollups.rebuild_all()
    return lac, apr


def test_the_note_names_the_lines_and_their_quantities() -> None:
    note = Unvalued(3, {"venue_days": Decimal("12.00"), "expert_days": Decimal("1500")}).note()
    assert note == "In-kind not valued, left out: 3 lines (1,500 expert-days, 12 venue-days)"
    assert Unvalued(1, {}).note() == "In-kind not valued, left out: 1 line"
    assert Unvalued(0, {}).note() == ""


def test_the_selection_counts_what_was_left_out_and_the_quantities(
    portfolio: tuple[Activity, Activity],
) -> None:
    everything = unvalued_in_selection(rollups_scope := Q(), RollupFilters())
    assert (everything.lines, everything.quantities) == (
        3,
        {
            InKindUnit.VENUE_DAYS: Decimal("12.00"),
            InKindUnit.PARTICIPANT_DAYS: Decimal("30.00"),
            InKindUnit.EXPERT_DAYS: Decimal("5.00"),
        },
    )
    # The dashboard reads what was left out with the quantities, in one pass; the API alone.
    assert selection_in_kind(rollups_scope, RollupFilters()).unvalued == everything
    lac_only = RollupFilters(divisions=(portfolio[0].lead_division_id,))
    assert unvalued_in_selection(rollups_scope, lac_only).lines == 2
    assert selection_in_kind(rollups_scope, lac_only).unvalued == unvalued_in_selection(
        rollups_scope, lac_only
    )
    found = selection_in_kind(rollups_scope, RollupFilters()).quantities
    by_provider = {row.country_id: row.quantities for row in found.by_provider}
    assert by_provider[country("BR").pk] == {
        InKindUnit.VENUE_DAYS: Decimal("12.00"),
        InKindUnit.EXPERT_DAYS: Decimal("40.00"),  # valued at cost: still a quantity
        InKindUnit.PARTICIPANT_DAYS: Decimal("30.00"),
    }
    assert by_provider[country("IN").pk] == {InKindUnit.EXPERT_DAYS: Decimal("5.00")}
    receivers = {row.country_id: row.quantities for row in found.participants_by_receiver}
    # Attributed in full to each receiving country (a receiver, or one that both gives and
    # receives); the total counts the line once.
    assert receivers == {
        country("MZ").pk: {InKindUnit.PARTICIPANT_DAYS: Decimal("30.00")},
        country("AO").pk: {InKindUnit.PARTICIPANT_DAYS: Decimal("30.00")},
    }
    assert found.totals[InKindUnit.PARTICIPANT_DAYS] == Decimal("30.00")
    assert found.units == ["expert_days", "participant_days", "venue_days"]
    in_2023 = selection_in_kind(rollups_scope, RollupFilters(year_from=2023, year_to=2023))
    assert not in_2023.quantities and not in_2023.unvalued
    assert selection_in_kind(None, RollupFilters()).quantities.totals == {}


def test_the_dashboard_shows_the_note_and_the_quantities_as_its_filters_say(
    portfolio: tuple[Activity, Activity], focal_client: Client
) -> None:
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    note = (
        "In-kind not valued, left out: 3 lines (5 expert-days, 30 participant-days, 12 venue-days)"
    )
    assert note in page  # under the headline figures and the leverage chart
    assert page.count(note) == 2
    assert 'data-table="quantities"' in page
    assert "Brazil" in page and "Mozambique" in page
    lac_page = focal_client.get(reverse("finance:dashboard") + "?division=LAC").content.decode()
    assert "In-kind not valued, left out: 2 lines (30 participant-days, 12 venue-days)" in lac_page
    csv = focal_client.get(reverse("finance:dashboard_table", args=["quantities", "csv"]))
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "Given by" in text and "Received by" in text and "India" in text
    summary = focal_client.get(reverse("finance:dashboard_table", args=["summary", "csv"]))
    body = b"".join(summary.streaming_content) if summary.streaming else summary.content
    assert "In-kind left out of leverage" in body.decode()
    assert note in body.decode()


def test_the_quantities_cost_a_bounded_number_of_queries(
    portfolio: tuple[Activity, Activity],
    focal_client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    # The page without participant-days costs 20 (tests/finance/test_dashboard.py); with them,
    # one more for the participant-days by receiving country.
    caches["dashboard"].clear()
    with django_assert_max_num_queries(21):
        focal_client.get(reverse("finance:dashboard"))
    with django_assert_max_num_queries(12):
        focal_client.get(reverse("finance:dashboard"))


def test_the_quantities_download_is_staff_only(
    portfolio: tuple[Activity, Activity], client: Client
) -> None:
    response = client.get(reverse("finance:dashboard_table", args=["quantities", "csv"]))
    assert response.status_code in (302, 403)


def test_the_apis_say_what_was_left_out_as_the_pages_do(
    portfolio: tuple[Activity, Activity], focal: User
) -> None:
    token = create_api_token(user=focal, name="tests")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    lac, _apr = portfolio
    money = api.get(f"/api/v1/activities/{lac.pk}/").json()["finance"]
    assert money["in_kind_not_valued"] == {
        "lines": 2,
        "quantities": {"participant_days": "30.00", "venue_days": "12.00"},
        "note": "In-kind not valued, left out: 2 lines (30 participant-days, 12 venue-days)",
    }
    listed = api.get("/api/v1/activities/").json()["results"]
    assert {row["finance"]["in_kind_not_valued"]["lines"] for row in listed} == {2, 1}
    rollup = api.get("/api/v1/rollups/?group_by=division&division=APR").json()
    assert rollup["in_kind_not_valued"]["lines"] == 1
    assert rollup["in_kind_not_valued"]["quantities"] == {"expert_days": "5.00"}


def test_the_activity_finance_page_says_what_its_leverage_left_out(
    portfolio: tuple[Activity, Activity], focal_client: Client
) -> None:
    lac, apr = portfolio
    page = focal_client.get(reverse("finance:activity", args=[lac.pk])).content.decode()
    assert "In-kind not valued, left out: 2 lines (30 participant-days, 12 venue-days)" in page
    other = focal_client.get(reverse("finance:activity", args=[apr.pk])).content.decode()
    assert "In-kind not valued, left out: 1 line (5 expert-days)" in other
