"""The activity list as a file: the list's filters and visibility, the chosen columns, CSV
streamed and formula-safe, a workbook that opens, and queries per batch, not per activity."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities import export
from activities.models import Activity, CountryRole, PartnerRole, Visibility
from tests.factories import ActivityFactory, PartnerFactory, division, theme

pytestmark = pytest.mark.django_db

URL = reverse("activities:export")


def _csv(client: Client, query: str = "") -> list[list[str]]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith('attachment; filename="ssc-activities-')
    assert response.streaming  # written row by row, never whole in memory
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_default_columns_and_one_row_per_activity_of_the_filter(focal_client: Client) -> None:
    ActivityFactory(
        ssc_id="SSC-2099-001",
        title="Rice exchange",
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        themes=[theme(1)],
    )
    ActivityFactory(ssc_id="SSC-2099-002", lead_division=division("APR"), countries=["IN"])
    rows = _csv(focal_client, "division=LAC")
    assert rows[0] == [
        "SSC ID", "Title", "Status", "Reporting year", "Lead division", "Provider countries",
        "Receiver countries", "Modality", "Themes",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["SSC-2099-001"]
    assert rows[1][1] == "Rice exchange"
    assert rows[1][5:7] == ["Brazil", "Mozambique"]


def test_the_chosen_columns_in_the_order_of_the_form(focal_client: Client) -> None:
    partner = PartnerFactory(name="Cooperativa Sur")
    ActivityFactory(ssc_id="SSC-2099-001", partners=[(partner, PartnerRole.HOST)])
    rows = _csv(focal_client, "columns=partners&columns=ssc_id&columns=visibility")
    assert rows == [
        ["Partners", "SSC ID", "Visibility"],
        ["Cooperativa Sur", "SSC-2099-001", "Internal"],
    ]


def test_text_a_spreadsheet_would_run_is_written_as_text(focal_client: Client) -> None:
    ActivityFactory(ssc_id="SSC-2099-001", title='=HYPERLINK("http://x")')
    rows = _csv(focal_client, "columns=title&format=csv")
    assert rows[1] == ['\'=HYPERLINK("http://x")']


def test_the_workbook_opens_with_the_same_rows(focal_client: Client) -> None:
    ActivityFactory(ssc_id="SSC-2099-001", title="@SUM(A1)")
    response = focal_client.get(URL, {"format": "xlsx", "columns": ["ssc_id", "title"]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows == [("SSC ID", "Title"), ("SSC-2099-001", "'@SUM(A1)")]


def test_a_partner_user_exports_only_what_the_list_shows_them(
    partner_user: User, client_for: Callable[[User | None], Client]
) -> None:
    ActivityFactory(ssc_id="SSC-2099-001", visibility=Visibility.PUBLIC)
    ActivityFactory(ssc_id="SSC-2099-002")  # internal, without the partner's organization
    rows = _csv(client_for(partner_user), "columns=ssc_id")
    assert rows == [["SSC ID"], ["SSC-2099-001"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=pdf", "Format: choose CSV or Excel (xlsx)."),
        ("columns=password", "Columns: unknown column password."),
        ("reporting_year=20x4", "Reporting year: Enter a whole number."),
        ("country=ZZ", "Country: Select a valid choice."),
    ],
)
def test_bad_parameters_are_refused_by_their_name(
    focal_client: Client, query: str, message: str
) -> None:
    response = focal_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_anonymous_callers_sign_in_first(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _queries(client: Client, query: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}?{query}")
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_queries_grow_with_the_batches_not_the_activities(
    focal_client: Client, monkeypatch: pytest.MonkeyPatch, file_format: str
) -> None:
    monkeypatch.setattr(export, "BATCH_SIZE", 4)
    partner = PartnerFactory()
    for i in range(4):
        ActivityFactory(countries=["BR", ("PE", CountryRole.RECEIVER)], partners=[partner],
                        themes=[theme(1 + i % 3)])  # fmt: skip
    query = f"format={file_format}&columns=ssc_id&columns=providers&columns=themes&columns=partners"
    focal_client.get(reverse("activities:list"))  # the session and caches warmed
    one_batch = _queries(focal_client, query)
    for _ in range(4):
        ActivityFactory(countries=["CO"], partners=[partner], themes=[theme(2)])
    two_batches = _queries(focal_client, query)
    # Each batch: its countries, themes and partners (the activities come through one cursor).
    assert two_batches - one_batch == 3
    assert Activity.objects.count() == 8
