"""Filtering by a record the caller may not see answers exactly as filtering by an id that does
not exist: same status, same body, no name. Otherwise a partner user could read the names of
organizations hidden from them, or learn which ids exist, one request at a time."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.models import User
from accounts.services import create_api_token
from activities.models import Activity, Partner, Visibility
from tests.factories import ActivityFactory, PartnerFactory
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db


def api_for(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')[1]}"})


@pytest.fixture
def hidden_partner(partner_org: Partner) -> Partner:
    """An organization taking part only in an internal activity the partner user cannot read."""
    hidden = PartnerFactory(name="Fondation Confidentielle")
    ActivityFactory(partners=[hidden], visibility=Visibility.INTERNAL)
    ActivityFactory(partners=[partner_org], visibility=Visibility.PUBLIC)
    return hidden


def _unknown_partner_id() -> int:
    return Partner.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


def test_the_list_page_answers_a_hidden_partner_as_an_unknown_one(
    partner_client: Client, hidden_partner: Partner
) -> None:
    url = reverse("activities:list")
    hidden = partner_client.get(url, {"partner": hidden_partner.pk})
    unknown = partner_client.get(url, {"partner": _unknown_partner_id()})
    assert hidden.status_code == unknown.status_code == 200
    assert "Fondation Confidentielle" not in hidden.text
    assert hidden.context["filter_errors"] == unknown.context["filter_errors"]
    assert hidden.context["selected_partner"] is None
    assert list(hidden.context["activities"]) == list(unknown.context["activities"])


def test_staff_still_filter_by_any_partner(viewer_client: Client, hidden_partner: Partner) -> None:
    response = viewer_client.get(reverse("activities:list"), {"partner": hidden_partner.pk})
    assert response.context["selected_partner"] == hidden_partner
    assert "Only activities with Fondation Confidentielle." in response.text
    assert len(response.context["activities"]) == 1


def test_the_api_answers_a_hidden_partner_as_an_unknown_one(
    partner_user: User, hidden_partner: Partner
) -> None:
    client = api_for(partner_user)
    hidden = client.get("/api/v1/activities/", {"partner": hidden_partner.pk})
    unknown = client.get("/api/v1/activities/", {"partner": _unknown_partner_id()})
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json() == unknown.json()
    assert list(hidden.json()["errors"]) == ["partner"]


def test_the_api_filters_by_a_partner_the_caller_may_see(
    partner_user: User, partner_org: Partner, hidden_partner: Partner
) -> None:
    response = api_for(partner_user).get("/api/v1/activities/", {"partner": partner_org.pk})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.fixture
def internal_activity() -> Activity:
    """An internal activity with a public asset linked to it."""
    activity = ActivityFactory(visibility=Visibility.INTERNAL)
    make_asset(title="Public brief", activities=[activity], visibility=Visibility.PUBLIC)
    return activity


def _unknown_activity_id() -> int:
    return Activity.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


def test_the_library_answers_a_hidden_activity_as_an_unknown_one(
    partner_client: Client, internal_activity: Activity
) -> None:
    url = reverse("knowledge:search")
    hidden = partner_client.get(url, {"activity": internal_activity.pk})
    unknown = partner_client.get(url, {"activity": _unknown_activity_id()})
    assert hidden.status_code == unknown.status_code == 200
    assert list(hidden.context["assets"]) == list(unknown.context["assets"]) == []
    assert "Public brief" not in hidden.text
    # Without the filter the asset is there: it is the link that must not show.
    assert "Public brief" in partner_client.get(url).text


def test_the_knowledge_api_answers_a_hidden_activity_as_an_unknown_one(
    partner_user: User, viewer: User, internal_activity: Activity
) -> None:
    client = api_for(partner_user)
    hidden = client.get("/api/v1/knowledge/", {"activity": internal_activity.pk})
    unknown = client.get("/api/v1/knowledge/", {"activity": _unknown_activity_id()})
    assert hidden.status_code == unknown.status_code == 200
    assert hidden.json() == unknown.json()
    assert hidden.json()["results"] == []
    staff = api_for(viewer).get("/api/v1/knowledge/", {"activity": internal_activity.pk})
    assert [asset["title"] for asset in staff.json()["results"]] == ["Public brief"]


def test_the_public_iati_file_filters_by_a_partner_of_public_activities(
    hidden_partner: Partner,
) -> None:
    """Anonymous callers may filter the IATI file by the partners its activities name; a
    partner of internal activities only is answered as an unknown one."""
    public_partner = PartnerFactory(name="Red Andina de Semillas")
    ActivityFactory(
        title="Seed fair", partners=[(public_partner, "host")], visibility=Visibility.PUBLIC
    )
    anonymous = Client()
    found = anonymous.get("/api/v1/iati/activities.xml", {"partner": public_partner.pk})
    assert found.status_code == 200
    assert b"Seed fair" in b"".join(found.streaming_content)
    hidden = anonymous.get("/api/v1/iati/activities.xml", {"partner": hidden_partner.pk})
    unknown = anonymous.get("/api/v1/iati/activities.xml", {"partner": _unknown_partner_id()})
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json() == unknown.json()


def test_reading_the_schema_does_not_empty_the_partner_choices(
    partner_user: User, partner_org: Partner
) -> None:
    """The OpenAPI schema reads the filters' fields outside any request; the partner filter's
    choices are still the caller's afterwards."""
    SchemaGenerator().get_schema(public=True)
    response = api_for(partner_user).get("/api/v1/activities/", {"partner": partner_org.pk})
    assert response.status_code == 200, response.content
