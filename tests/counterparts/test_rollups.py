"""A side's confirmation reaches the money dashboard: when an activity's agreement moves, the
counterparts app asks for its roll-ups to be refreshed in the same transaction, and once a
worker drains the request the dashboard filtered by Confirmation shows the activity's money,
with the coverage figures agreeing."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Role, User
from activities.models import Activity, Agreement, CountryRole, Partner, PartnerRole
from activities.services import create_activity
from counterparts import services
from counterparts.models import Confirmation
from finance import rollups
from finance.models import ContributionKind, RollupRefresh, Stage
from finance.services import EntryData, record_entries
from tests.factories import UserFactory, activity_data, country
from tests.finance.test_dashboard import money, pages_money, summary

pytestmark = pytest.mark.django_db

ACTIVITIES_CONFIRMED = "Activities: Confirmed by all sides"
COVERAGE_MONEY = "Confirmed by every side, money: allocated in confirmed activities / allocated (%)"


@pytest.fixture
def activity(cpm: User, partner_org: Partner) -> Activity:
    """An activity with two countries and an implementer (three sides) and money, its roll-ups
    computed."""
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    created = create_activity(data=data, user=cpm)
    ifad = EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=Stage.ALLOCATED,
        amount=Decimal("1250.40"),
        currency="USD",
        value_date=datetime.date(2025, 3, 1),
    )
    cofinancing = dataclasses.replace(
        ifad, kind=ContributionKind.COFINANCING, amount=Decimal("300.00"), contributor=partner_org
    )
    entries = [ifad, cofinancing]
    record_entries(activity=created, entries=entries, user=cpm, expected_version=None)
    rollups.drain_refresh_requests()
    return created


def confirm_every_side(activity: Activity, partner_user: User) -> None:
    speakers = {
        "BR": UserFactory(role=Role.COUNTERPART, counterpart_country=country("BR")),
        "MZ": UserFactory(role=Role.COUNTERPART, counterpart_country=country("MZ")),
    }
    for confirmation in Confirmation.objects.with_side().filter(activity=activity):
        link = confirmation.country_link
        speaker = speakers[link.country.iso2] if link else partner_user
        services.confirm(confirmation=confirmation, user=speaker, expected_version=None)


def test_confirming_every_side_refreshes_the_dashboard_filtered_by_confirmation(
    activity: Activity, partner_user: User, focal_client: object
) -> None:
    assert not RollupRefresh.objects.exists()
    assert int(summary(focal_client, "agreement=confirmed")["Activities with money"]) == 0
    waiting = summary(focal_client, "agreement=waiting")
    assert money(waiting) == pages_money(Activity.objects.filter(pk=activity.pk))

    confirm_every_side(activity, partner_user)

    assert Activity.objects.get(pk=activity.pk).agreement == Agreement.CONFIRMED
    # Asked in the confirmation's transaction, for the activity's one slice (2025).
    asked = set(RollupRefresh.objects.values_list("year", "division_id", "activity_key"))
    assert asked == {(2025, activity.lead_division_id, activity.pk)}
    rollups.drain_refresh_requests()

    confirmed = summary(focal_client, "agreement=confirmed")
    assert int(confirmed["Activities with money"]) == 1
    assert money(confirmed) == pages_money(Activity.objects.filter(pk=activity.pk))
    assert int(summary(focal_client, "agreement=waiting")["Activities with money"]) == 0
    everything = summary(focal_client)
    assert money(everything) == money(confirmed)
    assert int(everything[ACTIVITIES_CONFIRMED]) == 1
    assert Decimal(everything[COVERAGE_MONEY]) == Decimal("100.0")
    assert rollups.coverage(
        rollups.rollup_scope(activity.responsible_cpm), rollups.RollupFilters()
    ).confirmed_allocated == Decimal("1550.40")


def test_a_confirmation_rolled_back_leaves_no_refresh_request(
    activity: Activity, partner_user: User
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        confirm_every_side(activity, partner_user)
        assert RollupRefresh.objects.exists()
        raise RuntimeError("the confirmation's transaction fails")
    assert not RollupRefresh.objects.exists()
    assert Activity.objects.get(pk=activity.pk).agreement == Agreement.WAITING


def test_an_agreement_that_does_not_move_asks_for_nothing(activity: Activity) -> None:
    services.refresh_agreement([activity.pk])
    assert not RollupRefresh.objects.exists()
