"""InKindQuantity keeps the ledger's in-kind quantities over all years by the activity's lead
division, agreement and visibility (and over every agreement): the dashboard's in-kind over all
years filtered by divisions and agreements at most reads it instead of the ledger, and must
give what the ledger gives, exactly, after the rebuild, after each kind of refresh, and for
every scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Q

from accounts.models import User
from activities.models import Activity, ActivityCountry, Agreement, Visibility
from finance import quantities, rollups, services
from finance.models import InKindQuantity, InKindUnit, ValuedBy
from finance.quantities import InKindRead, selection_in_kind
from finance.rollups import RollupFilters
from finance.rollups.quantities import recompute_quantities
from finance.rollups.refresh import all_slices
from finance.rollups.sql import table_names
from finance.rollups.verify import recompute_all_activity_money
from tests.factories import ActivityFactory, country, division
from tests.helpers import in_kind_line

pytestmark = pytest.mark.django_db


def _record(activity: Activity, user: User, *lines: services.EntryData) -> None:
    services.record_entries(
        activity=activity, entries=list(lines), user=user, expected_version=None
    )


def _stored_rows() -> list[tuple[Any, ...]]:
    return sorted(
        InKindQuantity.objects.values_list(
            "division_id", "agreement", "is_public", "received", "country_id", "unit",
            "quantity", "not_valued", "lines",
        ),
        key=repr,
    )  # fmt: skip


def _recomputed_rows() -> list[tuple[Any, ...]]:
    """Every row computed again from the ledger, in a savepoint rolled back."""
    rows: list[tuple[Any, ...]] = []
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            recompute_quantities(cursor, table_names(), None)
        rows = _stored_rows()
        raise RuntimeError("roll back")
    return rows


def _from_ledger(monkeypatch: pytest.MonkeyPatch, scope: Q, filters: RollupFilters) -> InKindRead:
    with monkeypatch.context() as patched:
        patched.setattr(quantities, "stored_quantities", lambda _scope, _filters: None)
        return selection_in_kind(scope, filters)


def _same_read(a: InKindRead, b: InKindRead) -> bool:
    def rows(found: list[Any]) -> list[Any]:
        return sorted((row.country_id or 0, sorted(row.quantities.items())) for row in found)

    def key(read: InKindRead) -> tuple[Any, ...]:
        q = read.quantities
        found = (q.units, rows(q.by_provider), rows(q.participants_by_receiver), q.totals)
        return (read.unvalued, *found)

    return key(a) == key(b)


def _check_every_view(monkeypatch: pytest.MonkeyPatch) -> None:
    lac, apr = division("LAC").pk, division("APR").pk
    for scope in (Q(), Q(is_public=True)):
        for agreements in ((), (Agreement.WAITING, Agreement.DISPUTED), (Agreement.CONFIRMED,)):
            for divisions in ((), (lac,), (lac, apr)):
                filters = RollupFilters(agreements=agreements, divisions=divisions)
                stored = selection_in_kind(scope, filters)
                assert _same_read(stored, _from_ledger(monkeypatch, scope, filters)), filters
    assert _stored_rows() == _recomputed_rows()


@pytest.fixture
def portfolio(focal: User) -> tuple[Activity, Activity, Activity]:
    waiting = ActivityFactory(
        countries=["BR", ("MZ", "receiver"), ("AO", "both")], agreement=Agreement.WAITING
    )
    disputed = ActivityFactory(
        countries=["IN", ("NP", "receiver")],
        lead_division=division("APR"),
        agreement=Agreement.DISPUTED,
        visibility=Visibility.INTERNAL,
    )
    confirmed = ActivityFactory(countries=["BR", ("MZ", "receiver")], agreement=Agreement.CONFIRMED)
    _record(
        waiting,
        focal,
        in_kind_line(InKindUnit.PARTICIPANT_DAYS, "30"),
        in_kind_line(InKindUnit.VENUE_DAYS, "12.25"),
        in_kind_line(
            InKindUnit.EXPERT_DAYS, "40", valued_by=ValuedBy.ACTUAL_COST, amount=Decimal("8000")
        ),
    )
    _record(disputed, focal, in_kind_line(InKindUnit.PARTICIPANT_DAYS, "7.5"))
    _record(confirmed, focal, in_kind_line(InKindUnit.EXPERT_DAYS, "3"))
    # As the counterparts app keeps it (recording a contributor's line asks for confirmation).
    for activity, agreement in (
        (waiting, Agreement.WAITING),
        (disputed, Agreement.DISPUTED),
        (confirmed, Agreement.CONFIRMED),
    ):
        Activity.objects.filter(pk=activity.pk).update(agreement=agreement)
    rollups.rebuild_all()
    return waiting, disputed, confirmed


def test_the_stored_quantities_give_what_the_ledger_gives(
    portfolio: tuple[Activity, Activity, Activity], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert InKindQuantity.objects.filter(agreement="").exists()
    _check_every_view(monkeypatch)
    # A view over the waiting and disputed activities reads the table, not the ledger.
    filters = RollupFilters(agreements=(Agreement.WAITING, Agreement.DISPUTED))
    with monkeypatch.context() as patched:
        patched.setattr(quantities, "selection_entries", None)  # not called
        found = selection_in_kind(Q(), filters).quantities
    assert found.totals == {
        InKindUnit.PARTICIPANT_DAYS: Decimal("37.50"),
        InKindUnit.VENUE_DAYS: Decimal("12.25"),
        InKindUnit.EXPERT_DAYS: Decimal("40.00"),
    }
    receivers = {row.country_id: row.quantities for row in found.participants_by_receiver}
    assert receivers[country("AO").pk] == {InKindUnit.PARTICIPANT_DAYS: Decimal("30.00")}
    assert receivers[country("NP").pk] == {InKindUnit.PARTICIPANT_DAYS: Decimal("7.50")}
    # A year range still reads the ledger.
    in_2023 = selection_in_kind(Q(), RollupFilters(year_from=2023, year_to=2023))
    assert not in_2023.quantities


def test_each_refresh_keeps_the_stored_quantities(
    portfolio: tuple[Activity, Activity, Activity], focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting, disputed, confirmed = portfolio
    # A line of quantity alone, no money moving.
    _record(confirmed, focal, in_kind_line(InKindUnit.PARTICIPANT_DAYS, "4.01"))
    rollups.drain_refresh_requests()
    _check_every_view(monkeypatch)
    # The agreement and the visibility move: the rows leave their keys for others.
    Activity.objects.filter(pk=waiting.pk).update(agreement=Agreement.CONFIRMED)
    Activity.objects.filter(pk=disputed.pk).update(visibility=Visibility.PUBLIC)
    rollups.request_refresh_for_changed_activities(
        {waiting.pk: [waiting.lead_division_id], disputed.pk: [disputed.lead_division_id]}
    )
    rollups.drain_refresh_requests()
    _check_every_view(monkeypatch)
    # A receiving country becomes a provider: its participant-days go.
    ActivityCountry.objects.filter(activity=waiting, country=country("AO")).update(role="provider")
    rollups.request_refresh_for_activities([waiting.pk])
    rollups.drain_refresh_requests()
    _check_every_view(monkeypatch)
    # The lead division moves: the whole slices of both divisions recomputed, then the
    # activity's refresh.
    Activity.objects.filter(pk=confirmed.pk).update(lead_division=division("APR"))
    rollups.compute_slices(sorted(all_slices()))
    _check_every_view(monkeypatch)
    rollups.request_refresh_for_changed_activities(
        {confirmed.pk: [division("LAC").pk, division("APR").pk]}
    )
    rollups.drain_refresh_requests()
    _check_every_view(monkeypatch)
    assert recompute_all_activity_money() is False


def test_the_rebuild_puts_a_wrong_row_right(
    portfolio: tuple[Activity, Activity, Activity], monkeypatch: pytest.MonkeyPatch
) -> None:
    right = _stored_rows()
    row = InKindQuantity.objects.filter(received=True).order_by("pk").first()
    assert row is not None
    InKindQuantity.objects.filter(pk=row.pk).update(quantity=row.quantity + Decimal("0.01"))
    assert recompute_all_activity_money() is True
    assert _stored_rows() == right
    InKindQuantity.objects.all().delete()
    assert recompute_all_activity_money() is True
    assert _stored_rows() == right
    _check_every_view(monkeypatch)
