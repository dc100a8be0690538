"""The API's side of likely duplicates: a creation alike existing activities answers 409 with
them unless the client names them in not_duplicate_of; GET /activities/{id}/duplicates/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from activities.history import Through
from activities.models import Activity, DuplicatePair, FoundVia, PairState
from tests.factories import ActivityFactory, division, theme

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/activities/"
TITLE = "South-South learning route on rural finance"
ApiFor = Callable[[User | None], Client]


@pytest.fixture
def existing() -> Activity:
    return ActivityFactory(title=TITLE, countries=["BR", ("MZ", "receiver")], approval_year=2024)


# --- API --------------------------------------------------------------------------------------


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": TITLE,
        "activity_type": "learning_route",
        "modality": "south_south",
        "funding_nature": "grant",
        "lead_division": division("LAC").code,
        "approval_year": 2024,
        "countries": [{"iso2": "BR", "role": "provider"}, {"iso2": "MZ", "role": "receiver"}],
        "themes": [theme(1).code],
    }
    body.update(changes)
    return body


def test_the_api_answers_409_with_the_duplicates(
    api_for: ApiFor, cpm: User, existing: Activity
) -> None:
    response = api_for(cpm).post(API_URL, _body(), content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "likely_duplicates"
    [found] = body["duplicates"]
    assert found["id"] == existing.pk and found["ssc_id"] == existing.ssc_id
    assert found["likeness"] >= 70 and "overlapping years" in found["reasons"]
    assert Activity.objects.count() == 1


def test_the_api_creates_past_the_duplicates_it_names(
    api_for: ApiFor, cpm: User, existing: Activity
) -> None:
    response = api_for(cpm).post(
        API_URL, _body(not_duplicate_of=[existing.pk]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    pair = DuplicatePair.objects.get()
    assert pair.found_via == FoundVia.API and pair.state == PairState.DIFFERENT
    assert pair.history.get().history_change_reason == Through.API  # type: ignore[attr-defined]
    suggestions = api_for(cpm).get(f"{API_URL}{response.json()['id']}/duplicates/")
    assert suggestions.status_code == 200 and suggestions.json() == []


@pytest.mark.parametrize("junk", ["1", [0], ["x"], [None], list(range(60))])
def test_the_api_refuses_a_malformed_list_by_name(
    api_for: ApiFor, cpm: User, existing: Activity, junk: Any
) -> None:
    response = api_for(cpm).post(
        API_URL, _body(not_duplicate_of=junk), content_type="application/json"
    )
    assert response.status_code == 400
    assert "not_duplicate_of" in str(response.json()["errors"])


def test_the_read_endpoint_lists_the_likely_duplicates(
    api_for: ApiFor, focal: User, existing: Activity
) -> None:
    twin = ActivityFactory(title=TITLE, countries=["BR", "MZ"], approval_year=2025)
    response = api_for(focal).get(f"{API_URL}{twin.pk}/duplicates/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [existing.pk]


def test_the_read_endpoint_hides_what_the_caller_cannot_read(
    api_for: ApiFor, partner_user: User, existing: Activity
) -> None:
    response = api_for(partner_user).get(f"{API_URL}{existing.pk}/duplicates/")
    assert response.status_code == 404
