"""The standards page and API: ask, follow, download; the problems by activity on the page and
as a 400 from the API; a counterpart's form offers only its slice; query counts bounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from standards.models import StandardsExport
from tests.standards.world import build_world

pytestmark = pytest.mark.django_db


def api_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_focal_point_builds_a_tossd_csv_from_the_page_and_downloads_it(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    build_world(focal)
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(
            reverse("standards:index"), {"kind": "tossd", "format": "csv", "year_from": "2024"}
        )
    assert response.status_code == 302
    export = StandardsExport.objects.get()
    assert export.state == StandardsExport.State.DONE and export.selection["years"] == [2024]
    page = focal_client.get(reverse("standards:index"))
    assert reverse("standards:download", args=[export.pk]) in page.text
    status = focal_client.get(reverse("standards:status", args=[export.pk])).json()
    assert status == {"state": "done", "progress": 100, "rows": 4, "problems": 0}
    download = focal_client.get(reverse("standards:download", args=[export.pk]))
    assert download["Content-Type"].startswith("text/csv")
    assert b"Commitments (US$)" in b"".join(download.streaming_content)


def test_the_page_lists_the_problems_by_activity_when_the_checks_refuse(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world(focal, untyped=True)
    assert world.untyped is not None
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("standards:index"), {"kind": "tossd", "format": "xlsx"})
    export = StandardsExport.objects.get()
    assert export.state == StandardsExport.State.REFUSED
    page = focal_client.get(reverse("standards:detail", args=[export.pk]))
    assert world.untyped.ssc_id in page.text
    assert "type of aid (its activity type) is missing." in page.text
    assert "No file was written" in page.text
    refused = focal_client.get(reverse("standards:download", args=[export.pk]))
    assert refused.status_code == 302


def test_a_bad_selection_is_refused_naming_the_field(focal_client: Client) -> None:
    response = focal_client.post(
        reverse("standards:index"),
        {"kind": "tossd", "format": "pdf", "year_from": "2024", "year_to": "2020"},
    )
    assert response.status_code == 400
    assert "The last year cannot be before the first." in response.text
    assert not StandardsExport.objects.exists()


def test_a_counterparts_page_offers_its_slice_only(counterpart_user: User) -> None:
    page = api_client(counterpart_user).get(reverse("standards:index"))
    assert page.status_code == 200
    assert 'value="sdg1731"' in page.text and 'value="tossd"' not in page.text
    assert 'name="country"' not in page.text
    assert "Mozambique" in page.text


def test_the_page_shows_an_empty_state_and_takes_few_queries(
    focal: User, focal_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        page = focal_client.get(reverse("standards:index"))
    assert "No exports yet" in page.text
    for _number in range(5):
        StandardsExport.objects.create(requested_by=focal, kind="tossd", format="csv")
    with django_assert_max_num_queries(12):
        page = focal_client.get(reverse("standards:index"))
    assert page.text.count("data-export=") == 5


def test_the_api_builds_an_export_and_hands_over_its_file(
    focal: User, django_capture_on_commit_callbacks: Any
) -> None:
    build_world(focal)
    client = api_client(focal)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/standards-exports/",
            {"kind": "sdg1731", "format": "xlsx", "division": "LAC"},
            content_type="application/json",
        )
    assert created.status_code == 201
    pk = created.json()["id"]
    detail = client.get(f"/api/v1/standards-exports/{pk}/").json()
    assert detail["state"] == "done" and detail["problems"] == []
    download = client.get(f"/api/v1/standards-exports/{pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a zip: the xlsx


def test_the_api_refuses_a_bad_request_naming_the_field(focal: User) -> None:
    response = api_client(focal).post(
        "/api/v1/standards-exports/",
        {"kind": "tossd", "format": "pdf", "country": "XX"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"format", "country"} <= set(response.json()["errors"])


def test_the_tossd_rows_as_json_a_page_at_a_time(focal: User) -> None:
    build_world(focal)
    body = api_client(focal).get("/api/v1/standards/tossd/", {"year_from": 2024}).json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert sum(Decimal(row["commitments_usd"]) for row in body["results"]) == Decimal("1250.01")
    missing = api_client(focal).get("/api/v1/standards/tossd/", {"page": 2})
    assert missing.status_code == 404


def test_the_tossd_rows_answer_400_with_the_problems_by_activity(focal: User) -> None:
    world = build_world(focal, untyped=True)
    assert world.untyped is not None
    response = api_client(focal).get("/api/v1/standards/tossd/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "checks_failed"
    assert [p["ssc_id"] for p in body["problems"]] == [world.untyped.ssc_id]


def test_the_tossd_rows_are_the_staffs(counterpart_user: User, partner_user: User) -> None:
    for user in (counterpart_user, partner_user):
        assert api_client(user).get("/api/v1/standards/tossd/").status_code == 403


def test_the_api_refuses_a_parameter_given_without_a_value(focal: User) -> None:
    """`division=` is not read as "every division": the schema says a value, and the API says so."""
    response = api_client(focal).get("/api/v1/standards/tossd/", {"division": ""})
    assert response.status_code == 400
    assert "division" in response.json()["errors"]
