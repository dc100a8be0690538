"""/api/v1/knowledge/: the library for scripts, scoped like its pages: internal assets never
reach partner users or anonymous callers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.models import Visibility
from tests.factories import ActivityFactory, PartnerFactory
from tests.knowledge.factories import make_asset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

LIST = "/api/v1/knowledge/"


@pytest.fixture
def assets() -> dict[str, object]:
    hidden_activity = ActivityFactory(title="Internal exchange")
    public_activity = ActivityFactory(title="Public exchange", visibility=Visibility.PUBLIC)
    return {
        "internal": make_asset(title="Internal debrief", pdf_lines=["Quinuamarka notes"]),
        "public": make_asset(
            title="Public case study",
            body="The whole story.",
            visibility=Visibility.PUBLIC,
            countries=["PE"],
            activities=[hidden_activity, public_activity],
            authors=[PartnerFactory(name="Asociación Andina", acronym="AA")],
            pdf_lines=["Quinuamarka cooperative"],
        ),
        "hidden_activity": hidden_activity,
        "public_activity": public_activity,
    }


def test_partner_users_read_only_public_assets_and_visible_links(
    api_for: Callable[[User | None], Client], partner_user: User, assets: dict[str, object]
) -> None:
    client = api_for(partner_user)
    listed = client.get(LIST).json()["results"]
    assert [a["title"] for a in listed] == ["Public case study"]
    assert listed[0]["activities"] == [assets["public_activity"].ssc_id]  # type: ignore[attr-defined]
    assert listed[0]["author_organizations"] == [
        {
            "id": listed[0]["author_organizations"][0]["id"],
            "name": "Asociación Andina",
            "acronym": "AA",
        }
    ]
    internal = client.get(f"{LIST}{assets['internal'].pk}/")  # type: ignore[attr-defined]
    assert internal.status_code == 404
    assert client.get(f"{LIST}?q=quinuamarka").json()["results"][0]["title"] == "Public case study"


def test_anonymous_callers_get_nothing(client: Client, assets: dict[str, object]) -> None:
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_staff_read_every_asset_filtered_like_the_library(
    api_for: Callable[[User | None], Client], viewer: User, assets: dict[str, object]
) -> None:
    client = api_for(viewer)
    assert len(client.get(LIST).json()["results"]) == 2
    assert [a["title"] for a in client.get(f"{LIST}?country=PE").json()["results"]] == [
        "Public case study"
    ]
    assert len(client.get(f"{LIST}?q=quinuamarka").json()["results"]) == 2
    bad = client.get(f"{LIST}?country=XX")
    assert bad.status_code == 400 and "country" in bad.json()["errors"]
    one = client.get(f"{LIST}{assets['public'].pk}/").json()  # type: ignore[attr-defined]
    assert one["body"] == "The whole story."
    assert "body" not in client.get(LIST).json()["results"][0]
    file = one["files"][0]
    assert file["kind"] == "pdf" and file["url"].endswith(
        reverse("knowledge:file_download", args=[assets["public"].pk, file["id"]])  # type: ignore[attr-defined]
    )
    assert client.post(LIST, {}, content_type="application/json").status_code == 405


def test_knowledge_as_csv(
    api_for: Callable[[User | None], Client], viewer: User, assets: dict[str, object]
) -> None:
    response = api_for(viewer).get(f"{LIST}?format=csv&ordering=id")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("id,asset_type,title,language,published_on,division,countries")
    assert "Public case study" in lines[2] and "Asociación Andina" in lines[2]


def test_knowledge_list_queries_do_not_grow_with_assets(
    api_for: Callable[[User | None], Client], viewer: User
) -> None:
    client = api_for(viewer)

    def count() -> int:
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    make_asset(countries=["BR"], pdf_lines=["a"])
    few = count()
    for i in range(12):
        make_asset(
            title=f"Asset {i}",
            countries=["BR", "PE"],
            activities=[ActivityFactory()],
            authors=[PartnerFactory()],
            pdf_lines=["b"],
        )
    assert count() == few
