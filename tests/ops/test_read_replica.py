"""The read replica (DATABASE_REPLICA_URL, ssc_portal.db_router): the lag-tolerant views read it,
everything else, every write and the reads after a write stay on the primary.

The replica here is a second real PostgreSQL test database (make test names it with
DATABASE_REPLICA_URL; without it these tests are skipped). It starts as a copy of the primary's
schema, as a streaming replica would (migrations never run on it); replicate() then copies the
primary's rows into it, as replication catching up would. A change made on the primary after
that is one the replica has not received yet: a view that shows the replica's figures read the
replica, one that shows the primary's read the primary.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal

import openpyxl
import psycopg2
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from lxml import etree
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import Activity, Visibility
from finance import rollups
from finance.dashboard import format_usd
from finance.models import FinancialEntry, ReportExport
from finance.reports import build_report_export
from finance.services import ledger_version
from ssc_portal.db_router import REPLICA_DB_ALIAS, reads_from_replica
from tests.factories import ActivityFactory
from tests.finance.dashboard_data import small_portfolio

ClientFor = Callable[[User | None], Client]

CONFIGURED = REPLICA_DB_ALIAS in settings.DATABASES

# Committed data in two databases (a test transaction would keep every read on the primary).
# serialized_rollback brings back the primary's reference data after the flush.
pytestmark = [
    pytest.mark.skipif(
        not CONFIGURED, reason="no replica database: set DATABASE_REPLICA_URL (make test does)"
    ),
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS]
    ),
    pytest.mark.usefixtures("replica_schema"),
]


# --- the replica database ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def replica_schema(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The replica test database made a copy of the migrated primary one: its schema (and
    reference rows), which a streaming replica receives from the primary."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    replica_name = connections[REPLICA_DB_ALIAS].settings_dict["NAME"]
    with django_db_blocker.unblock():
        # PostgreSQL copies a database no session is connected to.
        connections.close_all()
        maintenance = psycopg2.connect(
            dbname="postgres",
            user=primary["USER"],
            password=primary["PASSWORD"],
            host=primary["HOST"],
            port=primary["PORT"],
        )
        maintenance.autocommit = True
        try:
            with maintenance.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{replica_name}"')
                cursor.execute(f'CREATE DATABASE "{replica_name}" TEMPLATE "{primary["NAME"]}"')
        finally:
            maintenance.close()


def replicate() -> None:
    """The replica catches up: every table of the primary copied into it, row for row."""
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[REPLICA_DB_ALIAS]
    tables = sorted(primary.introspection.django_table_names(only_existing=True))
    quote = primary.ops.quote_name
    with transaction.atomic(using=REPLICA_DB_ALIAS), replica.cursor() as target:
        target.execute("TRUNCATE " + ", ".join(quote(table) for table in tables))
        with primary.cursor() as source:
            for table in tables:
                rows = io.BytesIO()
                source.copy_expert(f"COPY {quote(table)} TO STDOUT", rows)
                rows.seek(0)
                target.copy_expert(f"COPY {quote(table)} FROM STDIN", rows)


def add_allocated(activity: Activity, amount: str) -> None:
    """IFAD money allocated on the primary, rolled up there."""
    FinancialEntry.objects.create(
        activity=activity, kind="ifad_grant", stage="allocated", amount=Decimal(amount),
        currency="USD", value_date=datetime.date(2024, 2, 1), fiscal_year=2024,
        units_per_usd=1, amount_usd=Decimal(amount),
    )  # fmt: skip
    rollups.rebuild_all()


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def ifad_allocated(page: str) -> str:
    """The dashboard's headline "IFAD allocated" figure."""
    start = page.index('data-figure="ifad_allocated">') + len('data-figure="ifad_allocated">')
    return page[start : page.index("<", start)]


LATE_TITLE = "Logged after the replica's copy"


@pytest.fixture
def lagging_replica() -> Iterator[tuple[Activity, Activity]]:
    """The small portfolio (public; IFAD allocated: 1,500 US$) on both databases, then on the
    primary only 700 US$ more and one more public activity: the replica lags two edits behind."""
    lac, apr = small_portfolio()
    Activity.objects.update(visibility=Visibility.PUBLIC)
    replicate()
    add_allocated(lac, "700.00")
    ActivityFactory(title=LATE_TITLE, visibility=Visibility.PUBLIC)
    yield lac, apr


# --- what reads the replica -------------------------------------------------------------------


def test_the_dashboard_api_lists_and_exports_read_the_replica(
    focal: User, client_for: ClientFor, client: Client, lagging_replica: tuple[Activity, Activity]
) -> None:
    # Signed in after the replica's copy: the session is on the primary only, and every page
    # answers, so who asks is read from the primary.
    staff = client_for(focal)
    page = staff.get(reverse("finance:dashboard"))
    assert page.status_code == 200
    assert ifad_allocated(page.content.decode()) == format_usd(Decimal("1500"), 0)
    table = staff.get(reverse("finance:dashboard_table", args=["summary", "csv"]))
    assert Decimal(dict(csv_rows(table.content))["IFAD allocated (US$)"]) == Decimal("1500")
    # The primary has both edits: read outside a lag-tolerant view, it shows them.
    assert rollups.totals(focal, rollups.RollupFilters()).ifad["allocated"] == Decimal("2200")
    assert Activity.objects.filter(title=LATE_TITLE).exists()

    activities = staff.get("/api/v1/activities/?limit=100").json()["results"]
    assert {item["title"] for item in activities} == {"Learning route on cassava", "Rice exchange"}
    ledger = staff.get("/api/v1/ledger/").json()["results"]
    assert sorted(Decimal(entry["amount_usd"]) for entry in ledger) == [
        Decimal("0"), Decimal("500"), Decimal("1000"), Decimal("2800"),
    ]  # fmt: skip

    # The ledger is streamed: its rows are read after the view has returned.
    streamed = staff.get(reverse("finance:export_ledger"))
    assert isinstance(streamed, StreamingHttpResponse)
    assert len(csv_rows(b"".join(streamed.streaming_content))) == 1 + 4  # header, 4 entries
    workbook = staff.get(reverse("finance:export_workbook"))
    cells = {cell for row in openpyxl.load_workbook(io.BytesIO(workbook.content)).active.values
             for cell in row}  # fmt: skip
    assert "Rice exchange" in cells and LATE_TITLE not in cells
    # The consolidated report, built by a worker: its tables from the replica.
    export = ReportExport.objects.create(requested_by=focal, filters={}, format="xlsx")
    build_report_export(export.pk)
    export.refresh_from_db()
    assert export.state == ReportExport.State.DONE
    summary = openpyxl.load_workbook(io.BytesIO(export.file.read())).worksheets[0]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["IFAD allocated (US$)"] == 1500

    # The public IATI file, streamed too.
    iati = client.get("/api/v1/iati/activities.xml")
    document = etree.fromstring(b"".join(iati.streaming_content))
    titles = document.xpath("//iati-activity/title/narrative/text()")
    assert sorted(titles) == ["Learning route on cassava", "Rice exchange"]


# --- what stays on the primary ----------------------------------------------------------------


def test_one_record_a_write_view_and_the_page_after_it_use_the_primary(
    focal: User, client_for: ClientFor, lagging_replica: tuple[Activity, Activity]
) -> None:
    late = Activity.objects.get(title=LATE_TITLE)
    client = client_for(focal)
    # A client reads back what it has just written: one record comes from the primary.
    one = client.get(f"/api/v1/activities/{late.pk}/")
    assert one.status_code == 200
    assert one.json()["title"] == LATE_TITLE
    url = reverse("finance:activity", args=[late.pk])
    body = {
        "version": ledger_version(late),
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0,
        "lines-0-kind": "ifad_grant", "lines-0-stage": "spent", "lines-0-amount": "4242",
        "lines-0-currency": "USD", "lines-0-value_date": "2024-03-10",
    }  # fmt: skip
    assert client.post(url, body).status_code == 302
    assert FinancialEntry.objects.using(DEFAULT_DB_ALIAS).filter(activity=late).count() == 1
    assert not FinancialEntry.objects.using(REPLICA_DB_ALIAS).filter(activity=late).exists()
    assert "4,242" in client.get(url).content.decode()


@reads_from_replica
def rename_and_read_back(request: HttpRequest, pk: int) -> JsonResponse:
    """A lag-tolerant view that reads in a transaction, writes, and reads after its write."""
    before = Activity.objects.get(pk=pk).title
    with transaction.atomic():
        inside = Activity.objects.get(pk=pk).title
    Activity.objects.filter(pk=pk).update(title="Renamed by the view")
    after = Activity.objects.get(pk=pk).title
    return JsonResponse({"before": before, "inside": inside, "after": after})


def test_a_lag_tolerant_view_reads_the_primary_in_a_transaction_and_after_its_write(
    lagging_replica: tuple[Activity, Activity],
) -> None:
    lac, _apr = lagging_replica
    Activity.objects.filter(pk=lac.pk).update(title="Renamed on the primary")
    response = rename_and_read_back(RequestFactory().get("/"), lac.pk)
    assert json.loads(response.content) == {
        "before": "Learning route on cassava",  # the replica's
        "inside": "Renamed on the primary",
        "after": "Renamed by the view",
    }
    assert Activity.objects.using(REPLICA_DB_ALIAS).get(pk=lac.pk).title == (
        "Learning route on cassava"
    )
