"""Likely duplicates shown before a new activity is saved: the page's second step and the pairs
told apart (the API's side: tests/api/test_duplicates.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import Activity, DuplicatePair, FoundVia, PairState
from tests.factories import ActivityFactory
from tests.helpers import activity_form_data

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("activities:create")
TITLE = "South-South learning route on rural finance"


@pytest.fixture
def existing() -> Activity:
    return ActivityFactory(title=TITLE, countries=["BR", ("MZ", "receiver")], approval_year=2024)


def test_the_form_shows_likely_duplicates_and_saves_nothing(
    cpm_client: Client, existing: Activity
) -> None:
    response = cpm_client.post(CREATE_URL, activity_form_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This activity may already exist" in page
    assert existing.ssc_id in page and "same countries: Brazil, Mozambique" in page
    assert f'name="not_duplicate_of" value="{existing.pk}"' in page
    assert Activity.objects.count() == 1
    assert not DuplicatePair.objects.exists()


def test_one_click_creates_it_and_records_the_pair_told_apart(
    cpm_client: Client, cpm: User, existing: Activity
) -> None:
    response = cpm_client.post(
        CREATE_URL, {**activity_form_data(), "not_duplicate_of": str(existing.pk)}
    )
    assert response.status_code == 302
    created = Activity.objects.exclude(pk=existing.pk).get()
    pair = DuplicatePair.objects.get()
    assert (pair.first, pair.second) == (existing, created)
    assert pair.state == PairState.DIFFERENT and pair.found_via == FoundVia.FORM
    assert pair.decided_by == cpm and pair.score >= 70
    assert pair.history.get().history_user == cpm  # type: ignore[attr-defined]
    # Recorded with the activity, through its form.
    assert pair.history.get().history_change_reason == Through.FORM  # type: ignore[attr-defined]


def test_a_duplicate_the_creator_did_not_see_is_shown_again(
    cpm_client: Client, existing: Activity
) -> None:
    other = ActivityFactory(title=TITLE, countries=["BR", "MZ"], approval_year=2024)
    response = cpm_client.post(
        CREATE_URL, {**activity_form_data(), "not_duplicate_of": str(existing.pk)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert other.ssc_id in page
    # Each suggestion says how alike it is, in the page's percent format.
    assert re.search(r'class="duplicates__score">\d+\xa0% alike<', page)
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("junk", ["", "abc", "-1", "0,,x", "9" * 40])
def test_a_tampered_button_value_only_shows_the_suggestions_again(
    cpm_client: Client, existing: Activity, junk: str
) -> None:
    response = cpm_client.post(CREATE_URL, {**activity_form_data(), "not_duplicate_of": junk})
    assert response.status_code == 200
    assert "This activity may already exist" in response.content.decode()
    assert Activity.objects.count() == 1


def test_field_errors_come_before_the_suggestions(cpm_client: Client, existing: Activity) -> None:
    data = activity_form_data(planned_start="2024-05-01", planned_end="2024-01-01")
    response = cpm_client.post(CREATE_URL, data)
    assert response.status_code == 400
    assert "This activity may already exist" not in response.content.decode()


def test_nothing_alike_saves_at_once(cpm_client: Client, existing: Activity) -> None:
    data = activity_form_data(title="Study tour on aquaculture", countries=[("KE", "provider")])
    assert cpm_client.post(CREATE_URL, data).status_code == 302


def test_not_sure_creates_it_and_leaves_the_pair_to_the_focal_point(
    cpm_client: Client, focal_client: Client, existing: Activity
) -> None:
    response = cpm_client.post(CREATE_URL, {**activity_form_data(), "unsure_of": str(existing.pk)})
    assert response.status_code == 302
    pair = DuplicatePair.objects.get()
    assert pair.state == PairState.OPEN and pair.decided_by is None
    assert pair.found_via == FoundVia.FORM
    assert existing.ssc_id in focal_client.get(reverse("activities:duplicates")).content.decode()
