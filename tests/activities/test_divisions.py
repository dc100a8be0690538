"""A CPM logs the activities of their own divisions and countries: they create activities, and
move them, only there, and name a responsible CPM of that division (or a focal point). The page
offers only those choices; the services and the API refuse the others, naming the field. The
focal point places activities anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import create_api_token
from activities.models import Activity
from activities.services import ActivityError, create_activity, update_activity
from tests.factories import ActivityFactory, UserFactory, activity_data, division, theme
from tests.helpers import activity_form_data, edit_form_data, row_counts
from tests.html import errors_next_to

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("activities:create")
API_URL = "/api/v1/activities/"
OWN_DIVISIONS_ONLY = "Lead division: choose one of your divisions"


def _codes(form_field: Any) -> set[str]:
    return {str(label) for value, label in form_field.choices if value}


def _usernames(form_field: Any) -> set[str]:
    return {user.username for user in form_field.queryset}


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')[1]}"})


# --- the services (what the page, the API and every other caller go through) ------------------


def test_a_cpm_cannot_create_an_activity_in_another_division(cpm: User) -> None:
    before = row_counts()
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(lead_division=division("APR")), user=cpm)
    [message] = caught.value.errors["lead_division"]
    assert message.startswith(OWN_DIVISIONS_ONLY)
    assert "(LAC)" in message
    assert row_counts() == before


def test_a_cpm_cannot_get_in_by_naming_themselves_responsible(cpm: User) -> None:
    # Naming oneself responsible puts the activity in one's patch: it must not open a division.
    with pytest.raises(ActivityError) as caught:
        create_activity(
            data=activity_data(lead_division=division("APR"), responsible_cpm=cpm), user=cpm
        )
    assert list(caught.value.errors) == ["lead_division"]


def test_a_country_cpm_logs_in_the_divisions_of_their_countries() -> None:
    india = UserFactory(username="cpm_india", role=Role.CPM, countries=["IN"])
    activity = create_activity(data=activity_data(lead_division=division("APR")), user=india)
    assert (activity.lead_division.code, activity.responsible_cpm) == ("APR", india)
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(lead_division=division("LAC")), user=india)
    assert "(APR)" in caught.value.errors["lead_division"][0]


def test_the_responsible_cpm_must_be_one_of_the_lead_division(cpm: User, cpm_other: User) -> None:
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(responsible_cpm=cpm_other), user=cpm)
    [message] = caught.value.errors["responsible_cpm"]
    assert message.startswith("Responsible CPM: choose a CPM of LAC or a focal point")


def test_a_focal_point_may_be_the_responsible_cpm(cpm: User, focal: User) -> None:
    activity = create_activity(data=activity_data(responsible_cpm=focal), user=cpm)
    assert activity.responsible_cpm == focal


def test_a_cpm_cannot_move_an_activity_to_another_division(cpm: User) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    with pytest.raises(ActivityError) as caught:
        update_activity(
            activity=activity,
            data=activity_data(lead_division=division("APR")),
            user=cpm,
            expected_version=1,
        )
    assert caught.value.errors["lead_division"][0].startswith(OWN_DIVISIONS_ONLY)
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.lead_division.code, stored.version) == ("LAC", 1)


def test_a_cpm_moves_an_activity_between_their_own_divisions() -> None:
    both = UserFactory(username="cpm_both", role=Role.CPM, divisions=["LAC", "APR"])
    activity = create_activity(data=activity_data(), user=both)
    update_activity(
        activity=activity,
        data=activity_data(lead_division=division("APR")),
        user=both,
        expected_version=1,
    )
    assert Activity.objects.get(pk=activity.pk).lead_division.code == "APR"


def test_an_activity_the_focal_point_assigned_elsewhere_stays_editable(cpm: User) -> None:
    # The focal point made the LAC CPM responsible for an APR activity: the CPM edits it.
    activity = ActivityFactory(lead_division=division("APR"), responsible_cpm=cpm)
    update_activity(
        activity=activity,
        data=activity_data(
            title="Edited by its CPM", lead_division=division("APR"), responsible_cpm=cpm
        ),
        user=cpm,
        expected_version=1,
    )
    assert Activity.objects.get(pk=activity.pk).title == "Edited by its CPM"


def test_the_focal_point_places_activities_anywhere(focal: User, cpm: User) -> None:
    activity = create_activity(
        data=activity_data(lead_division=division("APR"), responsible_cpm=cpm), user=focal
    )
    update_activity(
        activity=activity,
        data=activity_data(lead_division=division("ESA"), responsible_cpm=cpm),
        user=focal,
        expected_version=1,
    )
    assert Activity.objects.get(pk=activity.pk).lead_division.code == "ESA"


# --- the page ----------------------------------------------------------------------------------


def test_the_new_activity_page_offers_a_cpm_their_divisions_and_their_colleagues(
    cpm_client: Client, cpm: User, cpm_other: User, focal: User
) -> None:
    form = cpm_client.get(CREATE_URL).context["form"]
    assert _codes(form.fields["lead_division"]) == {"LAC"}
    assert _usernames(form.fields["responsible_cpm"]) == {"cpm", "focal"}


def test_the_focal_point_is_offered_every_division_and_every_cpm(
    focal_client: Client, cpm: User, cpm_other: User
) -> None:
    form = focal_client.get(CREATE_URL).context["form"]
    assert {"LAC", "APR", "ESA", "NEN", "WCA"} <= _codes(form.fields["lead_division"])
    assert {"cpm", "cpm_other", "focal"} <= _usernames(form.fields["responsible_cpm"])


def test_the_page_refuses_another_division_next_to_the_field(cpm_client: Client) -> None:
    before = row_counts()
    response = cpm_client.post(CREATE_URL, activity_form_data(lead_division=division("APR").pk))
    assert response.status_code == 400
    [shown] = errors_next_to(response.content, "id_lead_division")
    assert shown.startswith(OWN_DIVISIONS_ONLY)
    assert row_counts() == before


def test_the_page_refuses_a_responsible_cpm_of_another_division(
    cpm_client: Client, cpm_other: User
) -> None:
    response = cpm_client.post(CREATE_URL, activity_form_data(responsible_cpm=cpm_other.pk))
    assert response.status_code == 400
    [shown] = errors_next_to(response.content, "id_responsible_cpm")
    assert shown.startswith("Responsible CPM:")


def test_the_edit_page_refuses_a_move_to_another_division(cpm_client: Client, cpm: User) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    url = reverse("activities:edit", args=[activity.pk])
    response = cpm_client.post(url, edit_form_data(activity, lead_division=division("APR").pk))
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_lead_division")[0].startswith(OWN_DIVISIONS_ONLY)
    assert Activity.objects.get(pk=activity.pk).lead_division.code == "LAC"


def test_the_edit_page_keeps_offering_an_assigned_activitys_division(
    cpm_client: Client, cpm: User
) -> None:
    activity = ActivityFactory(lead_division=division("APR"), responsible_cpm=cpm)
    form = cpm_client.get(reverse("activities:edit", args=[activity.pk])).context["form"]
    assert _codes(form.fields["lead_division"]) == {"LAC", "APR"}


# --- the API -----------------------------------------------------------------------------------


def _body(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Learning route on dairy cooperatives",
        "activity_type": "learning_route",
        "modality": "south_south",
        "funding_nature": "grant",
        "lead_division": "LAC",
        "approval_year": 2025,
        "countries": [{"iso2": "BR", "role": "provider"}],
        "themes": [theme(1).code],
        **changes,
    }


def test_the_api_refuses_a_cpm_creating_in_another_division(cpm: User) -> None:
    before = row_counts()
    response = api(cpm).post(API_URL, _body(lead_division="APR"), content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["lead_division"]
    assert errors["lead_division"][0].startswith(OWN_DIVISIONS_ONLY)
    assert row_counts() == before


def test_the_api_refuses_a_responsible_cpm_of_another_division(cpm: User, cpm_other: User) -> None:
    response = api(cpm).post(
        API_URL, _body(responsible_cpm="cpm_other"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["responsible_cpm"][0].startswith("Responsible CPM:")


def test_the_api_refuses_a_move_to_another_division(cpm: User) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    response = api(cpm).patch(
        f"{API_URL}{activity.pk}/",
        {"version": 1, "lead_division": "APR"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["lead_division"][0].startswith(OWN_DIVISIONS_ONLY)
    assert Activity.objects.get(pk=activity.pk).lead_division.code == "LAC"


def test_the_api_lets_the_focal_point_create_anywhere(focal: User, cpm_other: User) -> None:
    response = api(focal).post(
        API_URL,
        _body(lead_division="APR", responsible_cpm="cpm_other"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["lead_division"], response.json()["responsible_cpm"]) == (
        "APR",
        "cpm_other",
    )
