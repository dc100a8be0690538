"""Every write that changes roll-up figures asks, in its own transaction, for the slices it
touches; once drained, the roll-ups show the new figures. Writes that change nothing the roll-ups
sum by ask for nothing."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import QuerySet
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import (
    Activity,
    ActivityCountry,
    Agreement,
    CountryRole,
    Status,
    Visibility,
)
from activities.services import (
    ActivityData,
    CountryLink,
    change_status,
    merge_activities,
    merge_partners,
    update_activity,
)
from counterparts.models import Confirmation
from counterparts.services import refresh_agreement
from finance import jobs, rollups, services, tasks
from finance.importer import import_legacy_workbook
from finance.models import (
    AMOUNT_COLUMNS,
    ActivityPair,
    AllYearsCell,
    ContributionKind,
    FinancialEntry,
    RollupCell,
    RollupRefresh,
    Stage,
)
from finance.rollups import RollupFilters
from finance.services import EntryData, FinanceError
from finance.summary import activity_finance
from tests.factories import (
    ActivityFactory,
    PartnerFactory,
    country,
    division,
    make_role_user,
    theme,
)
from tests.finance.workbooks import activity_row, build
from tests.helpers import broker_refuses, shared_transaction, sides_asked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

SAMPLE = Path(__file__).resolve().parents[3] / "shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
EVERYTHING = RollupFilters()


def entry(amount: str, *, year: int = 2024, **extra: Any) -> EntryData:
    values: dict[str, Any] = {
        "kind": ContributionKind.IFAD_GRANT,
        "stage": Stage.ALLOCATED,
        "amount": Decimal(amount),
        "currency": "USD",
        "value_date": datetime.date(year, 3, 1),
    }
    values.update(extra)
    return EntryData(**values)


def record(activity: Activity, user: User, *entries: EntryData) -> list[FinancialEntry]:
    return services.record_entries(
        activity=activity, entries=list(entries), user=user, expected_version=None
    )


def money_by_pk(cells: QuerySet[Any]) -> dict[int, tuple[int | None, ...]]:
    """Each cell's money columns, by the cell's id."""
    return {pk: tuple(money) for pk, *money in cells.values_list("pk", *AMOUNT_COLUMNS)}


def requested() -> set[tuple[int, int]]:
    return set(RollupRefresh.objects.values_list("year", "division_id"))


def funded_activity(focal: User, **fields: Any) -> Activity:
    """An activity with money in 2023 and 2024, its roll-ups computed, no request pending."""
    activity = sides_asked(
        ActivityFactory(countries=["BR", ("MZ", CountryRole.RECEIVER)], **fields)
    )
    record(activity, focal, entry("100.00", year=2023), entry("50.00"))
    rollups.rebuild_all()
    assert not RollupRefresh.objects.exists()
    return activity


def same_data(activity: Activity, **changes: Any) -> ActivityData:
    """What the edit form would send for the activity as it is, with `changes` applied."""
    countries = changes.pop("countries", None)
    themes = changes.pop("themes", None)
    fields = {
        name: getattr(activity, name)
        for name in (
            "title",
            "summary",
            "activity_type",
            "modality",
            "funding_nature",
            "lead_division",
            "approval_year",
            "visibility",
            "status",
        )
    }
    fields.update(changes)
    links = [
        CountryLink(link.country, link.role, link.share)
        for link in activity.country_links.select_related("country").order_by("pk")
    ]
    return ActivityData(
        fields=fields,
        countries=countries if countries is not None else links,
        themes=themes if themes is not None else list(activity.themes.all()),
    )


def drained_total(user: User, filters: RollupFilters = EVERYTHING) -> Decimal:
    rollups.drain_refresh_requests()
    return rollups.totals(user, filters).ifad[Stage.ALLOCATED]


# --- the ledger ---------------------------------------------------------------------------------


def test_recording_entries_asks_for_each_fiscal_year_of_the_activity_division(
    focal: User,
) -> None:
    activity = ActivityFactory(countries=["BR"])
    record(activity, focal, entry("10.00", year=2022), entry("5.00", year=2024))
    lac = division("LAC").pk
    assert requested() == {(2022, lac), (2024, lac)}
    assert drained_total(focal) == Decimal("15.00")
    assert not RollupRefresh.objects.exists()


def test_a_refused_recording_leaves_no_request(focal: User) -> None:
    activity = ActivityFactory(countries=["BR"])
    with pytest.raises(FinanceError):
        record(activity, focal, entry("10.00"), entry("-1.00"))
    assert not RollupRefresh.objects.exists()


def test_a_correction_asks_for_its_entry_slice_and_the_total_follows(focal: User) -> None:
    activity = funded_activity(focal)
    original = FinancialEntry.objects.get(activity=activity, fiscal_year=2023)
    services.correct_entry(
        entry=original,
        new_amount=Decimal("60.00"),
        reason="Signed amount",
        user=focal,
        expected_version=None,
    )
    assert requested() == {(2023, activity.lead_division_id)}
    assert drained_total(focal) == Decimal("110.00")


def test_one_transaction_queues_one_drain_however_many_requests(
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    drains: list[str] = []
    monkeypatch.setattr(jobs, "queue_rollup_drain", lambda: drains.append("drain"))
    activity = sides_asked(ActivityFactory(countries=["BR"]))
    with django_capture_on_commit_callbacks(execute=True):
        record(activity, focal, entry("1.00"))
        record(activity, focal, entry("2.00", year=2025))
        update_activity(
            activity=activity,
            data=same_data(activity, modality="triangular"),
            user=focal,
            expected_version=None,
        )
    assert drains == ["drain"]
    assert RollupRefresh.objects.count() == 4  # 2024, 2025, then both again for the modality
    with django_capture_on_commit_callbacks(execute=True):
        record(activity, focal, entry("3.00"))
    assert drains == ["drain", "drain"]  # the next transaction queues its own


def test_a_request_in_a_rolled_back_savepoint_does_not_cancel_the_drain_of_later_ones(
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    drains: list[str] = []
    monkeypatch.setattr(jobs, "queue_rollup_drain", lambda: drains.append("drain"))
    activity = ActivityFactory(countries=["BR"])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                record(activity, focal, entry("1.00"))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        record(activity, focal, entry("2.00", year=2025))
    assert drains == ["drain"]
    assert requested() == {(2025, activity.lead_division_id)}


def test_an_unreachable_queue_does_not_fail_the_edit_and_the_request_stays(
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(tasks.drain_rollups_task, "apply_async", broker_refuses)
    activity = sides_asked(ActivityFactory(countries=["BR"]))
    with django_capture_on_commit_callbacks(execute=True):
        record(activity, focal, entry("7.00"))
    assert FinancialEntry.objects.filter(activity=activity).count() == 1
    assert RollupRefresh.objects.count() == 1
    assert rollups.rollup_state().pending == 1


# --- activities -------------------------------------------------------------------------------


def test_moving_an_activity_to_another_division_refreshes_both_divisions(focal: User) -> None:
    activity = funded_activity(focal)
    lac, esa = division("LAC").pk, division("ESA").pk
    update_activity(
        activity=activity,
        data=same_data(activity, lead_division=division("ESA")),
        user=focal,
        expected_version=None,
    )
    assert requested() == {(2023, lac), (2024, lac), (2023, esa), (2024, esa)}
    rollups.drain_refresh_requests()
    by_division = {
        f.label[:3]: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "division")
    }
    assert by_division == {"ESA": Decimal("150.00")}


@pytest.mark.parametrize(
    ("change", "filters"),
    [
        ({"modality": "triangular"}, RollupFilters(modalities=("triangular",))),
        ({"funding_nature": "admin_budget"}, RollupFilters(funding_natures=("admin_budget",))),
        ({"status": Status.APPROVED}, RollupFilters(statuses=(Status.APPROVED,))),
    ],
    ids=["modality", "funding nature", "status"],
)
def test_changing_a_dimension_of_the_activity_moves_its_money(
    focal: User, change: dict[str, str], filters: RollupFilters
) -> None:
    activity = funded_activity(focal)
    assert rollups.totals(focal, filters).ifad[Stage.ALLOCATED] == 0
    update_activity(
        activity=activity, data=same_data(activity, **change), user=focal, expected_version=None
    )
    assert requested() == {(2023, activity.lead_division_id), (2024, activity.lead_division_id)}
    assert drained_total(focal, filters) == Decimal("150.00")


def test_making_an_activity_public_shows_its_money_to_partners(
    focal: User, partner_user: User
) -> None:
    activity = funded_activity(focal)
    assert rollups.totals(partner_user, EVERYTHING).ifad[Stage.ALLOCATED] == 0
    update_activity(
        activity=activity,
        data=same_data(activity, visibility=Visibility.PUBLIC),
        user=focal,
        expected_version=None,
    )
    rollups.drain_refresh_requests()
    assert rollups.totals(partner_user, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("150.00")


def test_new_country_shares_split_the_money_again(focal: User) -> None:
    activity = funded_activity(focal)
    brazil, mozambique = country("BR"), country("MZ")
    update_activity(
        activity=activity,
        data=same_data(
            activity,
            countries=[
                CountryLink(brazil, CountryRole.PROVIDER, Decimal(80)),
                CountryLink(mozambique, CountryRole.RECEIVER, Decimal(20)),
            ],
        ),
        user=focal,
        expected_version=None,
    )
    assert len(requested()) == 2
    rollups.drain_refresh_requests()
    by_country = {
        f.label: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "country")
    }
    assert by_country == {"Brazil": Decimal("120.00"), "Mozambique": Decimal("30.00")}


def test_another_theme_splits_the_money_again(focal: User) -> None:
    activity = funded_activity(focal)
    update_activity(
        activity=activity,
        data=same_data(activity, themes=[theme(1), theme(2)]),
        user=focal,
        expected_version=None,
    )
    assert len(requested()) == 2
    rollups.drain_refresh_requests()
    by_theme = [f.ifad[Stage.ALLOCATED] for f in rollups.grouped_totals(focal, EVERYTHING, "theme")]
    assert by_theme == [Decimal("75.00"), Decimal("75.00")]


def test_edits_that_change_no_figure_ask_for_nothing(focal: User) -> None:
    activity = funded_activity(focal)
    update_activity(
        activity=activity,
        data=same_data(activity, title="A better title", summary="Said better."),
        user=focal,
        expected_version=None,
    )
    assert Activity.objects.get(pk=activity.pk).title == "A better title"
    assert not RollupRefresh.objects.exists()


def test_a_role_changed_alone_moves_no_money_but_who_shares_with_whom(focal: User) -> None:
    activity = funded_activity(focal)  # Brazil provides, Mozambique receives
    brazil, mozambique = country("BR"), country("MZ")
    cells = set(RollupCell.objects.values_list("pk", *AMOUNT_COLUMNS))
    update_activity(
        activity=activity,
        data=same_data(
            activity,
            countries=[
                CountryLink(brazil, CountryRole.BOTH),
                CountryLink(mozambique, CountryRole.BOTH),
            ],
        ),
        user=focal,
        expected_version=None,
    )
    assert len(requested()) == 2
    rollups.drain_refresh_requests()
    assert set(RollupCell.objects.values_list("pk", *AMOUNT_COLUMNS)) == cells
    pairs = ActivityPair.objects.filter(activity=activity)
    assert sorted(pairs.values_list("provider", "receiver")) == sorted(
        [(brazil.pk, mozambique.pk), (mozambique.pk, brazil.pk)]
    )


def test_an_activity_without_money_asks_for_nothing(focal: User) -> None:
    activity = ActivityFactory(countries=["BR"])
    update_activity(
        activity=activity,
        data=same_data(activity, lead_division=division("ESA")),
        user=focal,
        expected_version=None,
    )
    assert not RollupRefresh.objects.exists()


def test_a_status_change_moves_the_money_to_the_new_status(focal: User) -> None:
    activity = funded_activity(focal)
    change_status(activity=activity, status=Status.APPROVED, note="Board", user=focal)
    assert requested() == {(2023, activity.lead_division_id), (2024, activity.lead_division_id)}
    approved = RollupFilters(statuses=(Status.APPROVED,))
    assert drained_total(focal, approved) == Decimal("150.00")


def test_merging_a_contributing_partner_moves_its_money_and_changes_no_figure(
    focal: User,
) -> None:
    # The contributor is not a roll-up dimension: nothing to refresh. The merge must still
    # succeed although the ledger protects the partners it names.
    activity = ActivityFactory(countries=["BR"])
    keep, remove = PartnerFactory(name="Embrapa"), PartnerFactory(name="EMBRAPA Brazil")
    record(
        activity,
        focal,
        entry("40.00", kind=ContributionKind.COFINANCING, contributor=remove),
    )
    rollups.rebuild_all()
    before = rollups.totals(focal, EVERYTHING)

    merge_partners(keep=keep, remove=remove, user=focal)

    moved = FinancialEntry.objects.get(activity=activity)
    assert moved.contributor == keep
    assert moved.history.first().history_user == focal
    assert not RollupRefresh.objects.exists()
    assert rollups.totals(focal, EVERYTHING) == before


# --- the workbook import ------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/legacy is beside the repository in CI")
def test_an_import_asks_for_the_slices_of_its_entries_and_a_preview_for_none(
    focal: User,
) -> None:
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=True)
    assert not RollupRefresh.objects.exists()

    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=False)
    in_ledger = set(
        FinancialEntry.objects.values_list("fiscal_year", "activity__lead_division_id").distinct()
    )
    assert requested() == in_ledger
    rollups.drain_refresh_requests()
    pages = [activity_finance(a) for a in Activity.objects.all()]
    total = rollups.totals(focal, EVERYTHING)
    for stage in Stage.values:
        assert total.ifad[stage] == sum(p.ifad[stage] for p in pages)
        assert total.cofinancing[stage] == sum(p.cofinancing[stage] for p in pages)

    # The same file again records nothing and so asks for nothing.
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=False)
    assert not RollupRefresh.objects.exists()


def test_an_import_that_changes_an_activitys_countries_and_division_alone_refreshes_it(
    focal: User,
) -> None:
    def imported(**changes: Any) -> None:
        row = activity_row("SSC-2010-01", allocated=200000, **changes)
        import_legacy_workbook(handle=build([row]), filename="a.xlsx", user=focal, dry_run=False)

    imported()
    rollups.drain_refresh_requests()
    activity = Activity.objects.get(ssc_id="SSC-2010-01")
    entries = FinancialEntry.objects.count()

    # No figure changes: no entry is recorded, yet the money is split over other countries and
    # sits in another division.
    imported(receivers="India; Nepal", division="ESA")
    assert FinancialEntry.objects.count() == entries
    assert set(RollupRefresh.objects.values_list("activity_key", "division_id")) == {
        (activity.pk, division("APR").pk),
        (activity.pk, division("ESA").pk),
    }
    rollups.drain_refresh_requests()
    assert rollups.compute_slices(None, verify_first=True) is False
    assert rollups.recompute_all_activity_money() is False
    by_country = rollups.grouped_totals(focal, EVERYTHING, "country")
    assert "Nepal" in {figures.label for figures in by_country}
    by_division = rollups.grouped_totals(focal, EVERYTHING, "division")
    assert [f.key for f in by_division if f.ifad[Stage.ALLOCATED]] == [division("ESA").pk]


# --- a refresh recomputes only the edited activity's cells --------------------------------------


def _neighbourhood(focal: User) -> dict[str, Activity]:
    """Activities sharing cells (the same division, modality, countries and themes), with
    money over two years, a country split by shares, an activity without countries or themes,
    and one in another division; roll-ups computed, no request pending."""
    lac, esa = division("LAC"), division("ESA")
    shared = ActivityFactory(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        themes=[theme(1), theme(2)],
        lead_division=lac,
    )
    ActivityCountry.objects.filter(activity=shared, country=country("BR")).update(share=70)
    ActivityCountry.objects.filter(activity=shared, country=country("MZ")).update(share=30)
    neighbour = ActivityFactory(countries=["BR", "PE"], themes=[theme(1)], lead_division=lac)
    bare = ActivityFactory(countries=[], lead_division=lac)
    elsewhere = ActivityFactory(countries=["IN"], themes=[theme(2)], lead_division=esa)
    record(
        shared, focal, entry("100.01", year=2023), entry("33.33"), entry("7.00", stage=Stage.SPENT)
    )
    record(neighbour, focal, entry("50.00"), entry("20.00", year=2023))
    record(bare, focal, entry("9.99"))
    record(elsewhere, focal, entry("42.00"))
    rollups.rebuild_all()
    assert not RollupRefresh.objects.exists()
    return {"shared": shared, "neighbour": neighbour, "bare": bare, "elsewhere": elsewhere}


def _update(activity: Activity, user: User, **changes: Any) -> None:
    update_activity(
        activity=activity, data=same_data(activity, **changes), user=user, expected_version=None
    )


def _cancel_2024(a: dict[str, Activity], user: User) -> None:
    for original in FinancialEntry.objects.filter(activity=a["neighbour"], fiscal_year=2024):
        services.correct_entry(
            entry=original, new_amount=None, reason="Cancelled", user=user, expected_version=None
        )


def _two_activities(a: dict[str, Activity], user: User) -> None:
    _update(a["shared"], user, modality="triangular")
    record(a["neighbour"], user, entry("2.00"))


def _approve(a: dict[str, Activity], user: User) -> None:
    change_status(activity=a["shared"], status=Status.APPROVED, note="", user=user)


def _links(*codes: str, shares: tuple[int, ...] = ()) -> list[CountryLink]:
    return [
        CountryLink(country(code), CountryRole.PROVIDER, Decimal(shares[i]) if shares else None)
        for i, code in enumerate(codes)
    ]


Edit = Callable[[dict[str, Activity], User], object]


def _confirmed(activities: dict[str, Activity], user: User) -> None:
    """The shared activity confirmed by every side, as the counterparts app records it."""

    Confirmation.objects.filter(activity=activities["shared"]).update(state="confirmed")
    refresh_agreement([activities["shared"].pk])


def _merge_elsewhere(a: dict[str, Activity], user: User) -> None:
    """Another division's activity merged into a LAC one: its money changes division, the
    kept one gains a country and a theme."""
    merge_activities(
        keep=a["neighbour"],
        remove=a["elsewhere"],
        user=user,
        keep_version=None,
        remove_version=None,
        via="form",
    )


EDITS: dict[str, Edit] = {
    "money in a year it has": lambda a, u: record(a["shared"], u, entry("1.01")),
    "money in a new year": lambda a, u: record(a["neighbour"], u, entry("5.55", year=2026)),
    "a year cancelled": _cancel_2024,
    "country shares": lambda a, u: _update(
        a["shared"], u, countries=_links("BR", "MZ", shares=(10, 90))
    ),
    "another country": lambda a, u: _update(a["neighbour"], u, countries=_links("CL")),
    "countries removed": lambda a, u: _update(a["shared"], u, countries=[]),
    "countries given": lambda a, u: _update(a["bare"], u, countries=_links("BR")),
    "themes": lambda a, u: _update(a["shared"], u, themes=[theme(3)]),
    "themes added": lambda a, u: _update(a["neighbour"], u, themes=[theme(1), theme(3), theme(4)]),
    "modality": lambda a, u: _update(a["shared"], u, modality="triangular"),
    "division": lambda a, u: _update(a["neighbour"], u, lead_division=division("ESA")),
    "status": _approve,
    "visibility": lambda a, u: _update(a["elsewhere"], u, visibility=Visibility.PUBLIC),
    "two activities": _two_activities,
    "agreement": _confirmed,
    "a merge": _merge_elsewhere,
}


Neighbourhood = dict[str, Activity]


@pytest.fixture(scope="class")
def shared_neighbourhood(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[tuple[User, Neighbourhood]]:
    """The focal point and the neighbourhood, its roll-ups computed, made once per test class
    (tests.helpers.shared_transaction): its rebuild cost more than most of the cases."""
    with shared_transaction(django_db_blocker):
        focal = make_role_user("focal")
        yield focal, _neighbourhood(focal)


class TestOnOneNeighbourhood:
    """The cases of one neighbourhood (shared_neighbourhood), each in a savepoint of it, with
    its own copies of the activities and the user (an edit saves the instance it is given)."""

    @pytest.fixture
    def copied(self, shared_neighbourhood: tuple[User, Neighbourhood], db: None) -> Any:
        return copy.deepcopy(shared_neighbourhood)

    @pytest.fixture
    def focal(self, copied: tuple[User, Neighbourhood]) -> User:
        return copied[0]

    @pytest.fixture
    def activities(self, copied: tuple[User, Neighbourhood]) -> Neighbourhood:
        return copied[1]

    def test_the_rebuild_finds_an_agreement_moved_without_its_refresh(
        self, focal: User, activities: Neighbourhood
    ) -> None:
        """The verification compares the agreement too: an activity's agreement changed behind
        the roll-ups' back is found wrong by the nightly rebuild and its rows rewritten."""
        moved = activities["shared"]
        Activity.objects.filter(pk=moved.pk).update(agreement=Agreement.DISPUTED)
        # As the rebuild does: the years, then the activity tables once.
        assert rollups.compute_slices(None, verify_first=True, activity_money=False) is True
        assert rollups.recompute_all_activity_money() is True
        disputed = RollupFilters(agreements=(Agreement.DISPUTED,))
        assert rollups.totals(focal, disputed).ifad == activity_finance(moved).ifad
        assert rollups.compute_slices(None, verify_first=True) is False

    @pytest.mark.parametrize("edit", list(EDITS))
    def test_an_edit_recomputes_its_activity_cells_and_leaves_what_a_full_recomputation_would(
        self, focal: User, activities: Neighbourhood, edit: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        EDITS[edit](activities, focal)
        assert RollupRefresh.objects.exists()
        assert not RollupRefresh.objects.filter(activity_key=None).exists()

        whole_slices: list[object] = []
        compute_slices = rollups.compute_slices
        monkeypatch.setattr(
            "finance.rollups.refresh.compute_slices", lambda *a, **k: whole_slices.append(a)
        )
        rollups.drain_refresh_requests()
        monkeypatch.setattr("finance.rollups.refresh.compute_slices", compute_slices)

        assert whole_slices == []  # only the edited activities' cells were recomputed
        assert not RollupRefresh.objects.exists()
        # The full recomputation, compared by checksum with what the refresh left: nothing to
        # change.
        assert rollups.compute_slices(None, verify_first=True) is False
        assert rollups.recompute_all_activity_money() is False

    def test_an_edit_leaves_the_cells_of_other_activities_dimensions_as_they_were(
        self, focal: User, activities: Neighbourhood
    ) -> None:
        # The other division's cells, and the cells of the activity's own division that no
        # sub-slice of the edited activity holds (another modality), keep their rows.
        other = ActivityFactory(
            countries=["BR"], modality="triangular", lead_division=division("LAC")
        )
        record(other, focal, entry("12.00"))
        rollups.drain_refresh_requests()
        untouched = RollupCell.objects.exclude(
            grain__in=["country", "theme"], year=2024, division=division("LAC")
        ).exclude(modality="south_south", year=2024, division=division("LAC"))
        before = money_by_pk(untouched)

        record(activities["shared"], focal, entry("1.00"))
        rollups.drain_refresh_requests()

        assert money_by_pk(RollupCell.objects.filter(pk__in=before)) == before
        assert rollups.compute_slices(None, verify_first=True) is False

    def test_an_edit_sums_again_over_all_years_only_its_own_countries_and_themes(
        self, focal: User, activities: Neighbourhood
    ) -> None:
        # The division's other countries (Peru) and the money with no country or theme (the
        # bare activity's) keep their rows: summing the whole division again after every edit
        # cost most of a refresh.
        shared = activities["shared"]
        others = (
            AllYearsCell.objects.filter(division=division("LAC"))
            .exclude(grain="country", country_id__in=[country("BR").pk, country("MZ").pk])
            .exclude(grain="theme", theme_id__in=[theme(1).pk, theme(2).pk])
        )
        before = money_by_pk(others)
        assert {row.country_id for row in others if row.grain == "country"} == {
            country("PE").pk,
            None,
        }

        record(shared, focal, entry("1.00"))
        rollups.drain_refresh_requests()

        assert money_by_pk(AllYearsCell.objects.filter(pk__in=before)) == before
        assert rollups.recompute_all_activity_money() is False

    def test_requests_of_a_deleted_activity_recompute_its_slices_whole(
        self, focal: User, activities: Neighbourhood
    ) -> None:
        gone = activities["bare"]  # money in 2024 only, the year of its request
        record(gone, focal, entry("1.00"))
        FinancialEntry.objects.filter(activity=gone).delete()
        gone.delete()  # its totals go with it (a cascade): only the slice can say where it was

        rollups.drain_refresh_requests()

        assert rollups.compute_slices(None, verify_first=True) is False
        assert rollups.totals(focal, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("245.34")

    def test_many_edited_activities_recompute_their_slices_whole(
        self, focal: User, activities: Neighbourhood, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("finance.rollups.refresh.ACTIVITY_REFRESH_LIMIT", 1)
        record(activities["shared"], focal, entry("1.00"))
        record(activities["neighbour"], focal, entry("2.00"))
        calls: list[object] = []
        compute_slices = rollups.compute_slices
        monkeypatch.setattr(
            "finance.rollups.refresh.compute_slices",
            lambda slices, **k: calls.append(slices) or compute_slices(slices),
        )

        rollups.drain_refresh_requests()

        assert calls == [[(2024, division("LAC").pk)]]
        monkeypatch.setattr("finance.rollups.refresh.compute_slices", compute_slices)
        assert rollups.compute_slices(None, verify_first=True) is False
