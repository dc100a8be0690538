"""Roll-ups: attribution without double counting, exact to the cent, slice by slice, rerunnable,
and scoped to what each user may see."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import F

from accounts.models import User
from activities.models import Activity, ActivityCountry, Agreement, Visibility
from finance import rollups, services
from finance.importer import import_legacy_workbook
from finance.models import (
    AMOUNT_COLUMNS,
    CELL_AMOUNTS,
    ActivityCount,
    ActivityMoney,
    ActivityPair,
    ActivityYearTotal,
    AllYearsCell,
    ContributionKind,
    FinancialEntry,
    Grain,
    PairCount,
    RollupCell,
    RollupRefresh,
    RollupRun,
    RollupSlice,
    Stage,
)
from finance.models.rollup_tables import amount_column
from finance.rollups import RollupFilters
from finance.services import EntryData
from finance.summary import activity_finance
from tests.factories import ActivityFactory, country, division, theme

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[3] / "shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
EVERYTHING = RollupFilters()


def entry(
    amount: str,
    *,
    kind: str = ContributionKind.IFAD_GRANT,
    stage: str = Stage.ALLOCATED,
    year: int = 2024,
) -> EntryData:
    return EntryData(
        kind=kind,
        stage=stage,
        amount=Decimal(amount),
        currency="USD",
        value_date=datetime.date(year, 3, 1),
    )


def record(activity: Activity, user: User, *entries: EntryData) -> list[FinancialEntry]:
    return services.record_entries(
        activity=activity, entries=list(entries), user=user, expected_version=None
    )


def raw_entry(
    activity: Activity,
    amount: str,
    *,
    stage: str = Stage.ALLOCATED,
    year: int = 2024,
    **extra: object,
) -> FinancialEntry:
    """An entry saved straight to the table: no service, so no refresh request either."""
    return FinancialEntry.objects.create(
        activity=activity,
        kind=ContributionKind.IFAD_GRANT,
        stage=stage,
        amount=Decimal(amount),
        currency="USD",
        value_date=datetime.date(year, 1, 1),
        fiscal_year=year,
        units_per_usd=1,
        amount_usd=Decimal(amount),
        **extra,
    )


def cell_total(**filters: object) -> Decimal:
    sums = RollupCell.objects.filter(**filters).aggregate(**rollups.money_sums())
    return Decimal(sum(cents or 0 for cents in sums.values())) / 100


def cell_money(cell: RollupCell | AllYearsCell | ActivityYearTotal) -> list[tuple[str, str, int]]:
    """(kind, stage, cents) of each of a cell's (or total's) money columns that holds money."""
    return [
        (kind, stage, cell.cents(kind, stage))
        for kind, stage, column in CELL_AMOUNTS
        if getattr(cell, column) is not None
    ]


def test_a_cell_holds_every_kind_and_stage_of_its_dimensions_in_one_row(focal: User) -> None:
    activity = ActivityFactory(countries=["BR"], themes=[theme(1)])
    record(
        activity,
        focal,
        entry("10.00"),
        entry("2.50", stage=Stage.SPENT),
        entry("1.25", kind=ContributionKind.IFAD_LOAN),
    )
    rollups.compute_slices(None)

    for grain in Grain:
        [cell] = RollupCell.objects.filter(grain=grain)
        assert cell_money(cell) == [
            (ContributionKind.IFAD_GRANT, Stage.ALLOCATED, 1000),
            (ContributionKind.IFAD_GRANT, Stage.SPENT, 250),
            (ContributionKind.IFAD_LOAN, Stage.ALLOCATED, 125),
        ]
    # Over all years: by agreement, and over every agreement.
    assert AllYearsCell.objects.filter(grain=Grain.COUNTRY).count() == 2
    assert [cell.cents(ContributionKind.IFAD_LOAN, Stage.ALLOCATED) for cell in
            AllYearsCell.objects.filter(grain=Grain.THEME)] == [125, 125]  # fmt: skip


def test_money_split_over_three_countries_and_three_themes_adds_up_to_the_cent(
    focal: User,
) -> None:
    activity = ActivityFactory(
        countries=["BR", ("MZ", "receiver"), ("PE", "receiver")],
        themes=[theme(1), theme(2), theme(3)],
    )
    record(activity, focal, entry("100.00"))
    rollups.compute_slices(None)

    by_country = {
        f.label: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "country")
    }
    assert sorted(by_country.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    by_theme = rollups.grouped_totals(focal, EVERYTHING, "theme")
    assert sum(f.ifad[Stage.ALLOCATED] for f in by_theme) == Decimal("100.00")
    # Nine parts of the full grain, each a whole number of cents, adding up exactly.
    full = RollupCell.objects.filter(grain=Grain.FULL)
    assert full.count() == 9
    assert cell_total(grain=Grain.FULL) == Decimal("100.00")
    assert rollups.totals(focal, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("100.00")


def test_country_shares_weight_the_split_and_negative_amounts_split_the_same_way(
    focal: User,
) -> None:
    activity = ActivityFactory(countries=["BR", ("MZ", "receiver")])
    ActivityCountry.objects.filter(activity=activity, country=country("BR")).update(share=70)
    ActivityCountry.objects.filter(activity=activity, country=country("MZ")).update(share=30)
    [original] = record(activity, focal, entry("1000.01"))
    services.correct_entry(
        entry=original,
        new_amount=Decimal("999.98"),
        reason="Bank charges",
        user=focal,
        expected_version=services.ledger_version(activity),
    )
    # A net negative amount (a reversal whose original sits in another fiscal year).
    raw_entry(
        activity,
        "-10.01",
        stage=Stage.SPENT,
        year=2025,
        entry_type="adjustment",
        corrects=original,
        reason="Refund booked in the next fiscal year",
    )
    rollups.compute_slices(None)

    groups = rollups.grouped_totals(focal, EVERYTHING, "country")
    # 99,998 cents at 70/30: 69,998.6 and 29,999.4; the one cent left goes to the larger remainder.
    allocated = {f.label: f.ifad[Stage.ALLOCATED] for f in groups}
    assert allocated == {"Brazil": Decimal("699.99"), "Mozambique": Decimal("299.99")}
    spent = {f.label: f.ifad[Stage.SPENT] for f in groups}
    assert spent == {"Brazil": Decimal("-7.01"), "Mozambique": Decimal("-3.00")}


def test_activity_without_countries_is_counted_once_as_not_attributed(focal: User) -> None:
    activity = ActivityFactory(countries=[])
    record(activity, focal, entry("50.00"))
    rollups.compute_slices(None)

    [group] = rollups.grouped_totals(focal, EVERYTHING, "country")
    assert group.key is None
    assert group.ifad[Stage.ALLOCATED] == Decimal("50.00")


def test_rerun_and_full_rebuild_give_the_same_rows(focal: User) -> None:
    activity = ActivityFactory(countries=["BR", "AR"], themes=[theme(1), theme(4)])
    record(activity, focal, entry("10.00"), entry("7.77", stage=Stage.SPENT, year=2025))
    rollups.compute_slices(None)
    first = sorted((c.grain, c.year, cell_money(c)) for c in RollupCell.objects.all())
    rollups.compute_slices([(2024, activity.lead_division_id)])
    rollups.compute_slices([(2024, activity.lead_division_id)])
    run = rollups.rebuild_all()
    again = sorted((c.grain, c.year, cell_money(c)) for c in RollupCell.objects.all())
    assert first == again
    assert run.state == RollupRun.State.DONE
    assert (run.slices_done, run.slices_total) == (2, 2)  # two fiscal years
    assert RollupSlice.objects.count() == 2


def test_refresh_request_recomputes_only_the_slices_an_edit_touched(focal: User) -> None:
    lac = ActivityFactory(countries=["BR"])
    apr = ActivityFactory(countries=["IN"], lead_division=division("APR"))
    record(lac, focal, entry("100.00"))
    record(apr, focal, entry("200.00"))
    rollups.rebuild_all()  # answers the requests the two recordings made
    assert not RollupRefresh.objects.exists()
    # Money recorded without a refresh request is not seen yet: the roll-up is a snapshot.
    raw_entry(apr, "5.00")
    record(lac, focal, entry("1.00"))  # the service asks for its slice: 2024 x LAC
    assert rollups.drain_refresh_requests() == 1

    by_division = {
        f.label[:3]: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "division")
    }
    assert by_division == {"LAC": Decimal("101.00"), "APR": Decimal("200.00")}
    assert not RollupRefresh.objects.exists()


def test_activity_moved_to_another_division_leaves_the_old_division(focal: User) -> None:
    activity = ActivityFactory(countries=["BR"])
    record(activity, focal, entry("100.00"))
    rollups.compute_slices(None)
    old_division = activity.lead_division_id
    Activity.objects.filter(pk=activity.pk).update(lead_division=division("ESA"))

    rollups.request_refresh_for_activities([activity.pk], extra_divisions=[old_division])
    rollups.drain_refresh_requests()

    [group] = rollups.grouped_totals(focal, EVERYTHING, "division")
    assert group.label.startswith("ESA")
    assert group.ifad[Stage.ALLOCATED] == Decimal("100.00")


def test_filters_on_activity_and_country_dimensions_read_the_full_grain(focal: User) -> None:
    south = ActivityFactory(countries=["BR", ("MZ", "receiver")], modality="south_south")
    triangular = ActivityFactory(countries=["BR"], modality="triangular")
    record(south, focal, entry("100.00"))
    record(triangular, focal, entry("40.00"))
    rollups.compute_slices(None)

    brazil_triangular = RollupFilters(countries=(country("BR").pk,), modalities=("triangular",))
    assert rollups.choose_grain(brazil_triangular.dimensions()) == Grain.FULL
    assert rollups.totals(focal, brazil_triangular).ifad[Stage.ALLOCATED] == Decimal("40.00")
    brazil = RollupFilters(countries=(country("BR").pk,))
    assert rollups.choose_grain(brazil.dimensions()) == Grain.COUNTRY
    assert rollups.totals(focal, brazil).ifad[Stage.ALLOCATED] == Decimal("90.00")


def test_filters_on_year_division_and_modality_alone_read_the_modality_grain(
    focal: User,
) -> None:
    lac, esa = division("LAC"), division("ESA")
    for modality, lead, status, amount in (
        ("south_south", lac, "approved", "100.00"),
        ("south_south", lac, "ongoing", "20.00"),
        ("triangular", lac, "approved", "7.00"),
        ("south_south", esa, "approved", "3.00"),
    ):
        activity = ActivityFactory(modality=modality, lead_division=lead, status=status)
        record(activity, focal, entry(amount))
    rollups.compute_slices(None)

    south_in_lac = RollupFilters(divisions=(lac.pk,), modalities=("south_south",))
    assert rollups.choose_grain(south_in_lac.dimensions()) == Grain.MODALITY
    assert rollups.totals(focal, south_in_lac).ifad[Stage.ALLOCATED] == Decimal("120.00")
    # The two statuses of LAC's south-south money are one modality cell.
    cells = RollupCell.objects.filter(grain=Grain.MODALITY, division=lac, modality="south_south")
    assert [cell_money(cell) for cell in cells] == [
        [(ContributionKind.IFAD_GRANT, Stage.ALLOCATED, 12000)]
    ]
    by_modality = rollups.grouped_totals(focal, EVERYTHING, "modality")
    assert {group.key: group.ifad[Stage.ALLOCATED] for group in by_modality} == {
        "south_south": Decimal("123.00"),
        "triangular": Decimal("7.00"),
    }
    ongoing = RollupFilters(divisions=(lac.pk,), statuses=("ongoing",))
    assert rollups.choose_grain(ongoing.dimensions()) == Grain.CORE
    assert rollups.totals(focal, ongoing).ifad[Stage.ALLOCATED] == Decimal("20.00")


def test_cpm_sees_every_activitys_money_and_partners_only_public_money(
    focal: User, cpm: User, partner_user: User
) -> None:
    mine = ActivityFactory(countries=["BR"], visibility=Visibility.INTERNAL)
    theirs = ActivityFactory(
        countries=["IN"], lead_division=division("APR"), visibility=Visibility.PUBLIC
    )
    record(mine, focal, entry("100.00"))
    record(theirs, focal, entry("30.00"))
    rollups.compute_slices(None)

    assert rollups.totals(focal, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("130.00")
    assert rollups.totals(cpm, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("130.00")
    assert rollups.totals(partner_user, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("30.00")


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/legacy is beside the repository in CI")
def test_sample_workbook_totals_reconcile_with_every_activity_finance_page(focal: User) -> None:
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=focal, dry_run=False)
    rollups.rebuild_all()

    total = rollups.totals(focal, EVERYTHING)
    assert total.ifad[Stage.ALLOCATED] == Decimal("6544000.00")
    pages = [activity_finance(a) for a in Activity.objects.all()]
    for stage in Stage.values:
        assert total.ifad[stage] == sum(p.ifad[stage] for p in pages)
        assert total.cofinancing[stage] == sum(p.cofinancing[stage] for p in pages)
        assert total.in_kind[stage] == sum(p.in_kind[stage] for p in pages)
    for group_by in rollups.GROUP_BY_CHOICES:
        groups = rollups.grouped_totals(focal, EVERYTHING, group_by)
        for stage in Stage.values:
            assert sum(g.ifad[stage] for g in groups) == total.ifad[stage], (group_by, stage)
            assert sum(g.in_kind[stage] for g in groups) == total.in_kind[stage], group_by


def test_state_reports_pending_refreshes_as_stale_after_the_grace_period(focal: User) -> None:
    activity = ActivityFactory(countries=["BR"])
    record(activity, focal, entry("1.00"))  # the service asks for a refresh
    # And the counterparts app another: the activity's sides are now asked to confirm its money,
    # which moves its agreement to waiting.
    activity.refresh_from_db()
    assert activity.agreement == Agreement.WAITING
    state = rollups.rollup_state()
    assert state.pending == 2
    assert state.is_refreshing
    assert not state.is_stale()
    later = state.oldest_pending + datetime.timedelta(minutes=5)  # type: ignore[operator]
    assert state.is_stale(now=later)
    rollups.drain_refresh_requests()
    assert not rollups.rollup_state().is_refreshing


def test_recomputing_a_slice_after_one_edit_rewrites_only_the_rows_that_changed(
    focal: User,
) -> None:
    lac = division("LAC")
    edited = ActivityFactory(countries=["BR"], lead_division=lac)
    untouched = ActivityFactory(countries=["PE"], lead_division=lac)
    record(edited, focal, entry("100.00"))
    record(untouched, focal, entry("50.00"))
    rollups.compute_slices([(2024, lac.pk)])
    peru_cells = {
        cell.pk: cell_money(cell) for cell in RollupCell.objects.filter(country=country("PE"))
    }
    before = set(RollupCell.objects.values_list("pk", flat=True))

    record(edited, focal, entry("5.00"))
    rollups.compute_slices([(2024, lac.pk)])

    # Peru's cells (the other activity's money) are the same rows, not rewritten copies.
    assert {
        cell.pk: cell_money(cell) for cell in RollupCell.objects.filter(country=country("PE"))
    } == peru_cells
    after = set(RollupCell.objects.values_list("pk", flat=True))
    assert 0 < len(after - before) < len(before)  # the changed cells only
    assert rollups.totals(focal, EVERYTHING).ifad[Stage.ALLOCATED] == Decimal("155.00")
    assert rollups.totals(focal, RollupFilters(countries=(country("BR").pk,))).ifad[
        Stage.ALLOCATED
    ] == Decimal("105.00")


def _stored_rows() -> list[tuple[object, ...]]:
    cells = RollupCell.objects.values_list(
        "grain", "year", "division", "country", "theme", "modality", "funding_nature", "status",
        "is_public", *AMOUNT_COLUMNS,
    )  # fmt: skip
    totals = ActivityYearTotal.objects.values_list("activity", "year", *AMOUNT_COLUMNS)
    return sorted(map(tuple, cells), key=repr) + sorted(map(tuple, totals), key=repr)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda: RollupCell.objects.filter(grain=Grain.FULL), id="full cell"),
        pytest.param(lambda: RollupCell.objects.filter(grain=Grain.COUNTRY), id="country cell"),
        pytest.param(lambda: RollupCell.objects.filter(grain=Grain.THEME), id="theme cell"),
        pytest.param(lambda: RollupCell.objects.filter(grain=Grain.CORE), id="core cell"),
        pytest.param(lambda: RollupCell.objects.filter(grain=Grain.MODALITY), id="modality cell"),
        pytest.param(lambda: ActivityYearTotal.objects.all(), id="activity total"),
    ],
)
def test_verified_rebuild_leaves_right_rows_alone_and_repairs_a_wrong_one(
    focal: User, tamper: object
) -> None:
    lac = division("LAC")
    shared = ActivityFactory(
        countries=["BR", ("MZ", "receiver")], themes=[theme(1), theme(2)], lead_division=lac
    )
    ActivityCountry.objects.filter(activity=shared, country=country("BR")).update(share=70)
    [original, _spent] = record(shared, focal, entry("100.01"), entry("7.00", stage=Stage.SPENT))
    # A net negative amount in the slice: negative parts are checked like the others.
    raw_entry(shared, "-3.00", stage=Stage.PLANNED, entry_type="adjustment", corrects=original)
    record(ActivityFactory(countries=[], lead_division=lac), focal, entry("9.99"))
    rollups.compute_slices(None)
    right = _stored_rows()
    year = [(2024, lac.pk)]

    # Right rows: nothing is written, not even a rewritten copy.
    ids = set(RollupCell.objects.values_list("pk", flat=True))
    assert rollups.compute_slices(year, verify_first=True) is False
    assert set(RollupCell.objects.values_list("pk", flat=True)) == ids

    # One amount off by a cent in any table: the checksums disagree and the row is put right.
    row = tamper().order_by("pk").first()  # type: ignore[operator]
    [(kind, stage, cents), *_others] = cell_money(row)
    column = amount_column(kind, stage)
    type(row).objects.filter(pk=row.pk).update(**{column: cents + 1})
    assert rollups.compute_slices(year, verify_first=True) is True
    assert _stored_rows() == right


def test_verified_rebuild_notices_a_country_share_changed_without_any_money_changing(
    focal: User,
) -> None:
    activity = ActivityFactory(countries=["BR", ("MZ", "receiver")])
    record(activity, focal, entry("10.00"))
    rollups.compute_slices(None)
    # Saved straight to the table (no refresh request): the totals stay, only the split moves.
    ActivityCountry.objects.filter(activity=activity, country=country("BR")).update(share=90)
    ActivityCountry.objects.filter(activity=activity, country=country("MZ")).update(share=10)
    assert rollups.compute_slices([(2024, activity.lead_division_id)], verify_first=True)
    assert cell_total(grain=Grain.COUNTRY, country=country("BR")) == Decimal("9.00")


def test_rebuild_inside_a_transaction_uses_one_connection() -> None:
    # This test's transaction: other connections would not see its rows.
    assert rollups.rebuild_workers() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rebuild_on_two_connections_gives_the_rows_one_connection_gives(
    focal: User,
) -> None:
    for number, code in enumerate(("LAC", "WCA", "ESA")):
        for year in (2019, 2020, 2021, 2022):
            activity = ActivityFactory(
                countries=["BR", ("MZ", "receiver")], themes=[theme(number + 1)],
                lead_division=division(code),
            )  # fmt: skip
            record(activity, focal, entry(f"{year}.{number}7", year=year))
    rollups.compute_slices(None)
    expected = _stored_rows()
    RollupCell.objects.all().delete()
    ActivityYearTotal.objects.all().delete()

    assert rollups.rebuild_workers() == 2  # settings.ROLLUP_REBUILD_WORKERS's default
    threads: set[str] = set()
    years: list[int] = []

    def on_year(computed: rollups.YearComputed) -> None:
        threads.add(threading.current_thread().name)
        years.append(computed.year)

    run = rollups.rebuild_all(on_year=on_year)
    assert run.state == RollupRun.State.DONE
    assert (run.slices_done, run.slices_total) == (4, 4)
    assert sorted(years) == [2019, 2020, 2021, 2022]
    assert len(threads) == 2  # both connections computed years
    assert _stored_rows() == expected
    assert rollups.totals(focal, EVERYTHING).ifad[Stage.ALLOCATED] == sum(
        Decimal(f"{year}.{number}7") for year in (2019, 2020, 2021, 2022) for number in range(3)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_year_that_fails_fails_the_rebuild_and_the_other_connection_stops_taking_years(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for year in (2019, 2020, 2021, 2022, 2023):
        record(ActivityFactory(countries=["BR"]), focal, entry("1.00", year=year))
    compute = rollups.compute_slices
    computed: list[int] = []

    def failing(slices: list[rollups.Slice], **options: bool) -> bool:
        if slices[0][0] == 2021:
            raise RuntimeError("database went away")
        computed.append(slices[0][0])
        return compute(slices, **options)

    monkeypatch.setattr("finance.rollups.rebuild.compute_slices", failing)
    with pytest.raises(RuntimeError, match="database went away"):
        rollups.rebuild_all()
    run = RollupRun.objects.get()
    assert run.state == RollupRun.State.FAILED
    assert "database went away" in run.error
    assert 2021 not in computed and len(computed) < 4


def test_activity_money_is_checked_before_it_is_rewritten_and_repaired_when_wrong(
    focal: User,
) -> None:
    shared = ActivityFactory(countries=["BR"])
    record(shared, focal, entry("40.00"), entry("2.50", year=2025))
    record(ActivityFactory(countries=["PE"]), focal, entry("7.00", stage=Stage.PLANNED))
    rollups.compute_slices(None)
    rows = list(ActivityMoney.objects.order_by("activity").values())
    assert rollups.recompute_all_activity_money() is False
    ActivityMoney.objects.filter(activity=shared).update(total_cents=1)
    assert rollups.recompute_all_activity_money() is True
    assert list(ActivityMoney.objects.order_by("activity").values()) == [
        {**row, "id": ActivityMoney.objects.get(activity_id=row["activity_id"]).pk} for row in rows
    ]
    assert ActivityMoney.objects.get(activity=shared).ifad_cents == 4250


def test_who_shares_with_whom_is_checked_and_repaired_by_the_rebuild(focal: User) -> None:
    both_ways = ActivityFactory(countries=[("BR", "both"), ("MZ", "both"), ("AO", "receiver")])
    record(both_ways, focal, entry("10.00"))
    record(ActivityFactory(countries=["PE", ("CL", "receiver")]), focal, entry("5.00"))
    ActivityFactory(countries=["IN", ("NP", "receiver")])  # no money: no pairs
    rollups.compute_slices(None)
    pairs = sorted(ActivityPair.objects.values_list("activity", "provider", "receiver"))
    br, mz, ao = (country(code).pk for code in ("BR", "MZ", "AO"))
    assert [(p, r) for a, p, r in pairs if a == both_ways.pk] == sorted(
        [(br, mz), (br, ao), (mz, br), (mz, ao)]
    )
    assert len(pairs) == 5
    assert rollups.recompute_all_activity_money() is False
    ActivityPair.objects.filter(activity=both_ways).first().delete()  # type: ignore[union-attr]
    assert rollups.recompute_all_activity_money() is True
    assert sorted(ActivityPair.objects.values_list("activity", "provider", "receiver")) == pairs


def test_the_pairs_counts_follow_each_refresh_and_are_checked_by_the_rebuild(focal: User) -> None:
    def counts() -> list[tuple[object, ...]]:
        return sorted(
            PairCount.objects.values_list(
                "provider", "receiver", "division", "is_public", "agreement", "activities"
            )
        )

    def by_agreement(
        *keys: tuple[int, int, str, int],
    ) -> list[tuple[int, int, int, bool, str, int]]:
        """Each key's count in its agreement, and in all agreements ("") summed."""
        rows: dict[tuple[int, int, str], int] = {}
        for provider, receiver, state, activities in keys:
            for agreement in (state, ""):
                key = (provider, receiver, agreement)
                rows[key] = rows.get(key, 0) + activities
        return sorted((p, r, division, False, a, n) for (p, r, a), n in rows.items())

    first = ActivityFactory(countries=["BR", ("MZ", "receiver")])
    second = ActivityFactory(
        countries=["BR", ("MZ", "receiver"), ("AO", "receiver")],
        lead_division=first.lead_division,
    )
    for activity in (first, second):
        record(activity, focal, entry("10.00"))
    Activity.objects.filter(pk=second.pk).update(agreement=Agreement.DISPUTED)
    rollups.compute_slices(None)
    state = Activity.objects.get(pk=first.pk).agreement
    assert state != Agreement.DISPUTED
    br, mz, ao = (country(code).pk for code in ("BR", "MZ", "AO"))
    division = first.lead_division_id
    assert counts() == by_agreement(
        (br, mz, state, 1), (br, mz, Agreement.DISPUTED, 1), (br, ao, Agreement.DISPUTED, 1)
    )

    # One activity's refresh counts again the keys its pairs leave and join.
    ActivityCountry.objects.filter(activity=second, country__iso2="MZ").delete()
    rollups.request_refresh_for_activities([second.pk])
    rollups.drain_refresh_requests()
    expected = by_agreement((br, mz, state, 1), (br, ao, Agreement.DISPUTED, 1))
    assert counts() == expected
    assert rollups.recompute_all_activity_money() is False

    # A moved agreement moves its activity's pairs from one agreement's counts to the other's.
    Activity.objects.filter(pk=second.pk).update(agreement=state)
    rollups.request_refresh_for_activities([second.pk])
    rollups.drain_refresh_requests()
    assert counts() == by_agreement((br, mz, state, 1), (br, ao, state, 1))

    PairCount.objects.filter(receiver_id=ao, agreement="").update(activities=7)
    assert rollups.recompute_all_activity_money() is True
    assert counts() == by_agreement((br, mz, state, 1), (br, ao, state, 1))


def test_the_activities_counts_follow_each_refresh_and_are_checked_by_the_rebuild(
    focal: User,
) -> None:
    def counts() -> dict[tuple[int, str], int]:
        """By division and agreement (the activities' other dimensions summed)."""
        rows = ActivityCount.objects.values_list("division", "agreement", "activities")
        summed: dict[tuple[int, str], int] = {}
        for lead, agreement, activities in rows:
            summed[lead, agreement] = summed.get((lead, agreement), 0) + activities
        return summed

    lac, apr = division("LAC"), division("APR")
    activities = [ActivityFactory(lead_division=lead) for lead in (lac, lac, apr)]
    for activity in activities:
        record(activity, focal, entry("10.00"))
    ActivityFactory(lead_division=apr)  # no money: not counted
    Activity.objects.filter(pk=activities[1].pk).update(agreement=Agreement.CONFIRMED)
    Activity.objects.filter(pk__in=[activities[0].pk, activities[2].pk]).update(
        agreement=Agreement.WAITING
    )
    rollups.compute_slices(None)
    assert counts() == {(lac.pk, "waiting"): 1, (lac.pk, "confirmed"): 1, (apr.pk, "waiting"): 1}
    assert rollups.recompute_all_activity_money() is False

    # One activity's refresh counts again the keys it leaves and joins.
    Activity.objects.filter(pk=activities[0].pk).update(agreement=Agreement.CONFIRMED)
    rollups.request_refresh_for_activities([activities[0].pk])
    rollups.drain_refresh_requests()
    assert counts() == {(lac.pk, "confirmed"): 2, (apr.pk, "waiting"): 1}
    assert rollups.recompute_all_activity_money() is False

    ActivityCount.objects.filter(division=apr).update(activities=7)
    assert rollups.recompute_all_activity_money() is True
    assert counts() == {(lac.pk, "confirmed"): 2, (apr.pk, "waiting"): 1}


def test_the_cells_of_all_years_follow_each_refresh_and_are_checked_by_the_rebuild(
    focal: User,
) -> None:
    def all_years(grain: Grain) -> dict[object, int]:
        # The rows summed over every agreement (the others are checked against them by
        # tests/finance/test_rollup_all_years.py).
        rows = AllYearsCell.objects.filter(grain=grain, agreement="")
        column = "country" if grain == Grain.COUNTRY else "theme"
        sums: dict[object, int] = {}
        for row in rows:
            key = getattr(row, f"{column}_id")
            allocated = [cents for _kind, stage, cents in cell_money(row) if stage == "allocated"]
            sums[key] = sums.get(key, 0) + sum(allocated)
        return sums

    activity = ActivityFactory(countries=["BR", ("MZ", "receiver")], themes=[theme(1)])
    record(activity, focal, entry("10.00", year=2023), entry("5.01"))
    record(ActivityFactory(countries=[], themes=[]), focal, entry("1.00"))
    rollups.compute_slices(None)
    br, mz = country("BR").pk, country("MZ").pk
    assert all_years(Grain.COUNTRY) == {br: 751, mz: 750, None: 100}
    assert all_years(Grain.THEME) == {theme(1).pk: 1501, None: 100}

    # A refresh by activity, in one year: the sums over all the years follow.
    record(activity, focal, entry("2.00"))
    rollups.drain_refresh_requests()
    assert all_years(Grain.COUNTRY) == {br: 851, mz: 850, None: 100}
    assert rollups.recompute_all_activity_money() is False

    AllYearsCell.objects.filter(country_id=br).update(
        ifad_grant_allocated=F("ifad_grant_allocated") + 1
    )
    assert rollups.recompute_all_activity_money() is True
    assert all_years(Grain.COUNTRY) == {br: 851, mz: 850, None: 100}
