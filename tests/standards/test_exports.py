"""The standards exports' rules on a small portfolio: the split over recipients to the cent,
an activity with no receiver, the in-kind columns, the 17.3.1 components and validation
statuses, the checks listing problems by activity, the counterpart's slice, and query counts
that do not grow with the activities."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from activities.models import ActivityType, CountryRole, Visibility
from counterparts.models import ConfirmationState
from standards import sdg1731
from standards.build import sdg_contents, tossd_contents
from standards.errors import StandardsError
from standards.models import ExportFormat, ExportKind, StandardsExport
from standards.selection import Selection
from standards.services import build_export, requeue_unfinished_exports, start_export
from standards.splits import split_units
from tests.factories import ActivityFactory, country
from tests.standards.world import World, build_world, confirm, line, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(focal: User) -> World:
    return build_world(focal)


def rows_of(activity_ssc: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if row["project_number"] == activity_ssc]


def test_split_units_adds_up_exactly_and_gives_leftovers_to_the_largest_remainders() -> None:
    assert split_units(100, [1, 1, 1]) == [34, 33, 33]
    assert split_units(100001, [7000, 3000]) == [70001, 30000]
    assert split_units(-5, [1, 1]) == [-3, -2]
    for total in (0, 1, 99, 123457):
        assert sum(split_units(total, [3, 5, 7, 11])) == total


def test_tossd_rows_split_over_recipients_by_share_to_the_cent(world: World) -> None:
    rows = rows_of(world.route.ssc_id, tossd_contents(Selection()).rows)
    by_recipient = {row["recipient_iso3"]: row for row in rows}
    assert set(by_recipient) == {"MOZ", "KEN"}
    assert by_recipient["MOZ"]["commitments_usd"] == Decimal("700.01")
    assert by_recipient["KEN"]["commitments_usd"] == Decimal("300.00")
    assert by_recipient["MOZ"]["disbursements_usd"] + by_recipient["KEN"][
        "disbursements_usd"
    ] == Decimal("500.00")
    row = by_recipient["MOZ"]
    assert row["first_provider"] == "Brazil"
    assert row["finance_type"] == "110" and row["aid_type"] and row["collaboration_type"] == "4"
    assert row["year"] == 2024 and row["currency"] == "USD"


def test_an_activity_without_receiver_keeps_its_money_in_an_unspecified_row(world: World) -> None:
    (row,) = rows_of(world.unreceived.ssc_id, tossd_contents(Selection()).rows)
    assert (
        row["recipient_iso3"] == "" and row["recipient_name"] == "Developing countries, unspecified"
    )
    assert row["disbursements_usd"] == Decimal("77.77")


def test_tossd_in_kind_columns_say_method_quantity_and_unvalued(world: World) -> None:
    (row,) = rows_of(world.training.ssc_id, tossd_contents(Selection()).rows)
    assert row["in_kind_methods"] == "actual_cost; not_valued"
    assert row["in_kind_quantities"] == "expert_days: 40.00; scholarships: 3.00"
    assert row["unvalued_in_kind"] is True
    assert row["disbursements_usd"] == Decimal("4000.00")
    assert row["channel_code"] and row["finance_types"] == "110"


def test_component_rule() -> None:
    assert sdg1731.component("in_kind", "expert_days", "training") == sdg1731.TECHNICAL
    assert sdg1731.component("in_kind", "scholarships", "training") == sdg1731.IN_KIND
    assert sdg1731.component("in_kind", "", ActivityType.LEARNING_ROUTE) == sdg1731.IN_KIND
    assert sdg1731.component("ifad_grant", "", ActivityType.LEARNING_ROUTE) == sdg1731.KNOWLEDGE
    assert sdg1731.component("cofinancing", "", ActivityType.TRAINING) == sdg1731.FINANCIAL


def test_sdg_aggregate_components_quantities_and_statuses(world: World) -> None:
    confirm(world.route, "BR", ConfirmationState.CONFIRMED)
    confirm(world.route, "MZ", ConfirmationState.CONFIRMED)
    confirm(world.route, "KE", ConfirmationState.DISPUTED)
    contents = sdg_contents(Selection())
    assert contents.problems == []
    cells = {(r["provider_iso3"], r["recipient_iso3"], r["component"]): r for r in contents.rows}
    assert cells["BRA", "MOZ", sdg1731.KNOWLEDGE]["status"] == sdg1731.BOTH
    assert cells["BRA", "MOZ", sdg1731.KNOWLEDGE]["committed_usd"] == Decimal("700.01")
    assert cells["BRA", "KEN", sdg1731.KNOWLEDGE]["status"] == sdg1731.DISPUTED
    assert (world.route.ssc_id, world.route.title) in contents.disputed
    assert cells["PER", "MOZ", sdg1731.TECHNICAL]["disbursed_usd"] == Decimal("4000.00")
    assert cells["PER", "MOZ", sdg1731.IN_KIND]["unvalued_quantities"] == "scholarships: 3.00"
    assert cells["PER", "MOZ", sdg1731.FINANCIAL]["status"] == sdg1731.PROVIDER_ONLY
    assert cells["BRA", "", sdg1731.KNOWLEDGE]["disbursed_usd"] == Decimal("77.77")


def test_the_checks_list_problems_by_activity_instead_of_writing_the_file(
    focal: User, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world(focal, untyped=True)
    assert world.untyped is not None
    contents = tossd_contents(Selection())
    assert [(p.ssc_id, p.problem) for p in contents.problems] == [
        (world.untyped.ssc_id, "type of aid (its activity type) is missing.")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        export = start_export(
            user=focal, kind=ExportKind.TOSSD, file_format=ExportFormat.CSV, selection=Selection()
        )
    export.refresh_from_db()
    assert export.state == StandardsExport.State.REFUSED and not export.file
    assert export.problems[0]["ssc_id"] == world.untyped.ssc_id


def test_a_tossd_export_is_built_and_its_file_sums_to_the_ledger(
    focal: User, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        export = start_export(
            user=focal, kind=ExportKind.TOSSD, file_format=ExportFormat.CSV, selection=Selection()
        )
    export.refresh_from_db()
    assert export.state == StandardsExport.State.DONE and export.progress == 100
    reader = list(csv.reader(io.StringIO(export.file.read().decode())))
    header, body = reader[0], reader[1:]
    assert len(body) == export.rows == 4
    committed = sum(Decimal(row[header.index("Commitments (US$)")]) for row in body)
    assert committed == Decimal("1250.01")


def test_a_counterpart_gets_its_own_countrys_slice_only(
    counterpart_user: User, focal: User, django_capture_on_commit_callbacks: Any
) -> None:
    build_world(focal)  # Mozambique receives there: none of it is its slice
    public = ActivityFactory(
        countries=["MZ", ("KE", CountryRole.RECEIVER)], visibility=Visibility.PUBLIC
    )
    internal = ActivityFactory(countries=["MZ", ("KE", CountryRole.RECEIVER)])
    record(public, focal, line("ifad_grant", "spent", "123.45"))
    record(internal, focal, line("ifad_grant", "spent", "999.00"))
    with django_capture_on_commit_callbacks(execute=True):
        export = start_export(
            user=counterpart_user,
            kind=ExportKind.SDG_1731,
            file_format=ExportFormat.CSV,
            selection=Selection(country_id=country("BR").pk),  # ignored: its own country
        )
    export.refresh_from_db()
    assert export.slice_country_id == country("MZ").pk
    assert export.state == StandardsExport.State.DONE, export.problems
    lines = export.file.read().decode().splitlines()
    table = list(
        csv.reader(line for line in lines if not line.startswith('"#') and not line.startswith("#"))
    )
    header, body = table[0], table[1:]
    assert body
    assert {row[header.index("Provider country (ISO3)")] for row in body} == {"MOZ"}
    assert sum(Decimal(row[header.index("Disbursed (US$)")]) for row in body) == Decimal("123.45")


def test_a_counterpart_may_not_ask_for_the_tossd_extract(counterpart_user: User) -> None:
    with pytest.raises(StandardsError) as refused:
        start_export(
            user=counterpart_user,
            kind=ExportKind.TOSSD,
            file_format=ExportFormat.CSV,
            selection=Selection(),
        )
    assert "kind" in refused.value.errors


@pytest.mark.parametrize("kind", [ExportKind.TOSSD, ExportKind.SDG_1731])
def test_building_an_export_takes_the_same_queries_for_more_activities(
    focal: User, kind: str, django_assert_max_num_queries: Any
) -> None:
    def build() -> None:
        export = StandardsExport.objects.create(
            requested_by=focal, kind=kind, format=ExportFormat.XLSX
        )
        build_export(export.pk)

    build_world(focal)
    with django_assert_max_num_queries(16) as few:
        build()
    for _round in range(3):
        build_world(focal)
    with django_assert_max_num_queries(len(few.captured_queries)):
        build()


def test_a_stopped_worker_delays_an_export_and_the_next_one_builds_it(focal: User) -> None:
    build_world(focal)
    # Asked while no worker ran: the row waits (the on-commit queueing never happened).
    export = start_export(
        user=focal, kind=ExportKind.TOSSD, file_format=ExportFormat.CSV, selection=Selection()
    )
    export.refresh_from_db()
    assert export.state == StandardsExport.State.QUEUED
    # A worker starts (eager tasks in the tests: it builds at once).
    assert requeue_unfinished_exports() == [export.pk]
    export.refresh_from_db()
    assert export.state == StandardsExport.State.DONE
    assert requeue_unfinished_exports() == []
