"""What a status needs before an activity takes it: Ongoing its actual start; Completed its
actual end and what it achieved (its outcomes text, or approved results in its framework). One
rule (Activity.missing_status_facts), applied by the services to the form, the status change
and the API; an import keeps what the workbook says, and the list flags it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, ActivityType, Status
from activities.services import ActivityError, change_status, create_activity, update_activity
from results.models import Update, UpdateStatus
from tests.factories import ActivityFactory, activity_data
from tests.helpers import edit_form_data
from tests.results.factories import dated, framework

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 2, 1), datetime.date(2025, 9, 30)


def _refusal(status: str, **fields: object) -> dict[str, list[str]]:
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(status=status, **fields), user=None)
    assert not Activity.objects.exists()
    return caught.value.errors


def test_ongoing_needs_the_actual_start() -> None:
    assert _refusal(Status.ONGOING) == {
        "actual_start": ["An ongoing activity has started: give its actual start date."]
    }
    create_activity(data=activity_data(status=Status.ONGOING, actual_start=START), user=None)


def test_completed_needs_the_actual_end_and_what_it_achieved() -> None:
    assert _refusal(Status.COMPLETED, actual_start=START) == {
        "actual_end": ["A completed activity has ended: give its actual end date."],
        "outcomes": [
            "A completed activity says what it achieved: write its outcomes and results, or "
            "have results approved in its results framework."
        ],
    }
    assert list(_refusal(Status.COMPLETED, actual_end=END, outcomes="   ")) == ["outcomes"]
    create_activity(
        data=activity_data(status=Status.COMPLETED, actual_end=END, outcomes="A seed law."),
        user=None,
    )


def test_approved_results_stand_for_the_outcomes_text_but_a_draft_does_not(
    focal: User,
) -> None:
    activity = dated(ActivityFactory(status=Status.ONGOING), "2025-01-01", "2025-12-31")
    # The framework's periods fall in 2025: so must the activity.
    activity.actual_start, activity.actual_end = (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    activity.save()
    trained, _policy = framework(activity)
    update = Update.objects.create(period=trained.periods.get(), value=Decimal(12))
    assert activity.missing_status_facts(Status.COMPLETED).keys() == {"outcomes"}
    assert Activity.objects.lacking_status_facts().count() == 0  # ongoing, with its start
    Update.objects.filter(pk=update.pk).update(status=UpdateStatus.APPROVED)
    assert activity.missing_status_facts(Status.COMPLETED) == {}
    change_status(activity=activity, status=Status.COMPLETED, note="", user=focal)
    assert not Activity.objects.lacking_status_facts().exists()


def test_the_status_change_refuses_a_move_the_record_does_not_back(
    focal: User, focal_client: Client
) -> None:
    activity = ActivityFactory(status=Status.APPROVED)
    response = focal_client.post(
        reverse("activities:status", args=[activity.pk]),
        {"status": "ongoing", "version": activity.version, "note": ""},
        follow=True,
    )
    activity.refresh_from_db()
    assert activity.status == Status.APPROVED
    page = response.content.decode()
    assert "An ongoing activity has started: give its actual start date." in page
    assert "actual_start" not in page.split("<main", 1)[-1].split("<form", 1)[0]


def test_the_form_shows_each_missing_fact_on_its_field(cpm: User, cpm_client: Client) -> None:
    activity = create_activity(data=activity_data(status=Status.APPROVED), user=cpm)
    data = edit_form_data(activity, status="ongoing")
    response = cpm_client.post(reverse("activities:edit", args=[activity.pk]), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["actual_start"] == [
        "An ongoing activity has started: give its actual start date."
    ]
    assert '<a href="#id_actual_start">Actual start</a>' in response.content.decode()


def test_an_imported_gap_survives_an_edit_that_keeps_the_status_and_the_list_flags_it(
    cpm: User, focal_client: Client
) -> None:
    imported = ActivityFactory(status=Status.COMPLETED, activity_type="", title="Imported")
    complete = ActivityFactory(
        status=Status.COMPLETED, actual_end=END, outcomes="A seed law.", title="Complete"
    )
    update_activity(
        activity=imported,
        data=activity_data(
            status=Status.COMPLETED, title="Imported, renamed", activity_type="training"
        ),
        user=None,
        expected_version=imported.version,
    )
    # An edit may not open a new gap, though: clearing the end of a complete record.
    with pytest.raises(ActivityError) as caught:
        update_activity(
            activity=complete,
            data=activity_data(status=Status.COMPLETED, outcomes="A seed law.", actual_end=None),
            user=None,
            expected_version=complete.version,
        )
    assert list(caught.value.errors) == ["actual_end"]
    flagged = focal_client.get(reverse("activities:list"), {"needs": "status_facts"})
    assert [a.title for a in flagged.context["activities"]] == ["Imported, renamed"]
    assert "Completed: dates or results missing" in flagged.content.decode()


def test_the_list_flags_and_filters_imported_activities_without_a_type(
    focal_client: Client,
) -> None:
    ActivityFactory(activity_type="", title="Imported without a type")
    ActivityFactory(activity_type=ActivityType.TRAINING, title="Typed")
    everything = focal_client.get(reverse("activities:list")).content.decode()
    assert everything.count("Needs a type") == 1
    needing = focal_client.get(reverse("activities:list"), {"needs": "type"})
    assert [a.title for a in needing.context["activities"]] == ["Imported without a type"]


def test_the_first_save_of_an_imported_activity_says_why_it_needs_a_type(
    cpm: User, cpm_client: Client
) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    Activity.objects.filter(pk=activity.pk).update(activity_type="")
    activity.refresh_from_db()
    response = cpm_client.post(
        reverse("activities:edit", args=[activity.pk]), edit_form_data(activity)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["activity_type"] == [
        "This activity was imported without an activity type: choose one to save it (the "
        "workbook never recorded it)."
    ]


def test_the_list_shows_its_flags_in_a_fixed_number_of_queries(
    focal_client: Client, django_assert_max_num_queries
) -> None:
    for n in range(12):
        ActivityFactory(status=Status.COMPLETED, activity_type="", title=f"Imported {n}")
    with django_assert_max_num_queries(14):
        response = focal_client.get(reverse("activities:list"))
    assert response.content.decode().count("Needs a type") == 12
