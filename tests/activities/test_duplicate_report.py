"""The focal point's report of likely duplicates: who reads it, its filters, sorting and paging,
and the one click that tells a pair apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import Activity, DuplicatePair, FoundVia, PairState
from tests.factories import ActivityFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = reverse("activities:duplicates")
TITLE = "Learning route on rural finance"


def make_pair(score: int = 80, state: str = PairState.OPEN, **fields: Any) -> DuplicatePair:
    partner = PartnerFactory()
    first = ActivityFactory(title=TITLE, countries=["BR", "MZ"], partners=[partner])
    second = ActivityFactory(title=f"{TITLE}s", countries=["BR"], partners=[partner])
    return DuplicatePair.objects.create(
        first=first, second=second, score=score, state=state, found_via=FoundVia.IMPORT, **fields
    )


@pytest.mark.parametrize("role", ["cpm_client", "viewer_client", "partner_client"])
def test_only_the_focal_point_reads_the_report(role: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(role)
    assert client.get(URL).status_code == 403


def test_the_report_lists_open_pairs_with_their_reasons(focal_client: Client) -> None:
    pair = make_pair()
    make_pair(state=PairState.DIFFERENT)
    response = focal_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert pair.first.ssc_id in page and pair.second.ssc_id in page
    assert "same countries: Brazil" in page and "shared partners: " in page
    assert "To check (1)" in page and "Told apart (1)" in page and "All (2)" in page
    assert [row[0] for row in response.context["rows"]] == [pair]


def test_the_report_sorts_pages_and_names_a_bad_parameter(
    focal_client: Client, django_assert_max_num_queries: Any
) -> None:
    pairs = [make_pair(score=score) for score in range(63, 93)]
    with django_assert_max_num_queries(16):
        first_page = focal_client.get(URL)
    assert [row[0].score for row in first_page.context["rows"]][:3] == [92, 91, 90]
    assert len(first_page.context["rows"]) == 25
    second_page = focal_client.get(URL, {"page": 2})
    assert len(second_page.context["rows"]) == 5
    ascending = focal_client.get(URL, {"ordering": "likeness"})
    assert ascending.context["rows"][0][0] == pairs[0]
    bad = focal_client.get(URL, {"ordering": "secret", "state": "gone"})
    assert bad.status_code == 400
    assert "Unknown sort order &#x27;secret&#x27; was ignored." in bad.content.decode()


def test_the_empty_report_says_so(focal_client: Client) -> None:
    assert "No likely duplicate to check" in focal_client.get(URL).content.decode()


def test_one_click_tells_a_pair_apart_with_its_history(focal_client: Client, focal: User) -> None:
    pair = make_pair()
    url = reverse("activities:duplicate_tell_apart", args=[pair.pk])
    response = focal_client.post(url, {"version": pair.version, "query": "state=open&page=1"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?state=open&page=1"
    pair.refresh_from_db()
    assert pair.state == PairState.DIFFERENT and pair.decided_by == focal
    assert pair.version == 2
    assert [h.state for h in pair.history.order_by("history_id")] == ["open", "different"]  # type: ignore[attr-defined]
    assert pair.history.latest("history_id").history_change_reason == Through.FORM  # type: ignore[attr-defined]


def test_a_stale_click_changes_nothing(focal_client: Client) -> None:
    pair = make_pair()
    url = reverse("activities:duplicate_tell_apart", args=[pair.pk])
    for version in ("", "x", str(pair.version + 1)):
        response = focal_client.post(url, {"version": version}, follow=True)
        assert "Someone decided about this pair" in response.content.decode()
    pair.refresh_from_db()
    assert pair.state == PairState.OPEN and pair.version == 1


def test_others_cannot_tell_a_pair_apart(cpm_client: Client) -> None:
    pair = make_pair()
    url = reverse("activities:duplicate_tell_apart", args=[pair.pk])
    assert cpm_client.post(url, {"version": 1}).status_code == 403
    assert cpm_client.get(url).status_code == 405
    pair.refresh_from_db()
    assert pair.state == PairState.OPEN


def test_the_activity_list_links_the_report_for_the_focal_point_only(
    focal_client: Client, cpm_client: Client
) -> None:
    list_url = reverse("activities:list")
    assert URL in focal_client.get(list_url).content.decode()
    assert URL not in cpm_client.get(list_url).content.decode()


def test_deleting_an_activity_deletes_its_pairs() -> None:
    pair = make_pair()
    Activity.objects.filter(pk=pair.second_id).delete()
    assert not DuplicatePair.objects.exists()
