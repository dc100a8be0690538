"""The activity create/edit page and the partner form: bad input gets a clear message next to
the field at fault and saves nothing; valid input saves; concurrent edits do not overwrite."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole, Status, StatusChange
from activities.services import create_activity, update_activity
from tests.factories import PartnerFactory, activity_data, country, theme
from tests.helpers import activity_form_data, edit_form_data, partner_form_data, row_counts
from tests.html import all_errors, errors_next_to, input_value

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

CREATE_URL = reverse("activities:create")


@pytest.fixture
def activity(cpm: User) -> Activity:
    partner = PartnerFactory(name="Embrapa", country=country("BR"))
    return create_activity(
        data=activity_data(
            title="Learning route on rural finance",
            partners=[(partner, {PartnerRole.HOST})],
        ),
        user=cpm,
    )


def _edit_url(activity: Activity) -> str:
    return reverse("activities:edit", args=[activity.pk])


# --- bad input on create -----------------------------------------------------------------------

BAD_CREATE_INPUT: list[tuple[str, dict[str, Any], str, tuple[str, ...]]] = [
    (
        "end_before_start",
        {"planned_start": "2024-05-01", "planned_end": "2024-04-30"},
        "id_planned_end",
        ("The end date cannot be before the start date.",),
    ),
    (
        "actual_end_before_actual_start",
        {"actual_start": "2024-05-01", "actual_end": "2023-05-01"},
        "id_actual_end",
        ("The end date cannot be before the start date.",),
    ),
    (
        "unknown_country_id",
        {"countries": [(999_999_999, CountryRole.PROVIDER)]},
        "id_countries-0-country",
        ("Choose a country from the list.",),
    ),
    (
        "country_listed_twice",
        {"countries": [("BR", CountryRole.PROVIDER), ("BR", CountryRole.RECEIVER)]},
        "id_countries-1-country",
        ("Already listed above: use one row per organization or country.",),
    ),
    (
        "country_without_role",
        {"countries": [("BR", "")]},
        "id_countries-0-role",
        ("Say whether this country provides, receives, or both.",),
    ),
    (
        "title_of_10000_characters",
        {"title": "x" * 10_000},
        "id_title",
        ("Ensure this value has at most 300 characters (it has 10000).",),
    ),
    ("empty_title", {"title": "  "}, "id_title", ("This field is required.",)),
    (
        "no_theme",
        {"themes": []},
        "id_themes",
        ("This field is required.", "Choose at least one theme."),
    ),
    (
        "no_activity_type",
        {"activity_type": ""},
        "id_activity_type",
        ("Choose the type of activity.",),
    ),
    (
        "in_project_without_project_id",
        {"funding_nature": "in_project", "project_id": " "},
        "id_project_id",
        ("Give the investment project ID for an activity inside a loan-funded project.",),
    ),
    (
        "approval_year_before_ifad",
        {"approval_year": "1950"},
        "id_approval_year",
        ("Give a year between 1978 and 2100.",),
    ),
    (
        "youth_outnumber_participants",
        {"participants_women": "2", "participants_men": "1", "participants_youth": "5"},
        "id_participants_youth",
        ("Youth are counted among the women and men: they cannot outnumber them.",),
    ),
    (
        "negative_participants",
        {"participants_women": "-3"},
        "id_participants_women",
        ("Ensure this value is greater than or equal to 0.",),
    ),
    ("bad_date", {"planned_start": "31/02/2024"}, "id_planned_start", ("Enter a valid date.",)),
    (
        "share_over_100",
        {"shares": ["150", ""]},
        "id_countries-0-share",
        ("Ensure this value is less than or equal to 100.",),
    ),
    (
        "partner_without_role",
        {"partners": [("__partner__", [])]},
        "id_partners-0-roles",
        ("Tick at least one role for this partner.",),
    ),
    (
        "partner_listed_twice",
        {"partners": [("__partner__", ["host"]), ("__partner__", ["broker"])]},
        "id_partners-1-partner",
        ("Already listed above: use one row per organization or country.",),
    ),
    (
        "unknown_partner_id",
        {"partners": [(999_999_999, ["host"])]},
        "id_partners-0-partner",
        (
            "“999999999” is not a partner organization of the portal: pick one of the names "
            "suggested as you type.",
        ),
    ),
    (
        "unknown_partner_name",
        {"partners": [("Embrapa (EMB) — Peru", ["host"])]},
        "id_partners-0-partner",
        (
            "“Embrapa (EMB) — Peru” is not a partner organization of the portal: pick one of the "
            "names suggested as you type.",
        ),
    ),
    (
        "unknown_lead_division",
        {"lead_division": "999999"},
        "id_lead_division",
        (
            "Lead division: choose one of your divisions; CPMs log the activities of their own "
            "divisions and countries.",
        ),
    ),
]


@pytest.mark.parametrize(
    ("overrides", "control", "messages"),
    [case[1:] for case in BAD_CREATE_INPUT],
    ids=[case[0] for case in BAD_CREATE_INPUT],
)
def test_bad_input_on_create_is_shown_next_to_its_field_and_saves_nothing(
    cpm_client: Client, overrides: dict[str, Any], control: str, messages: tuple[str, ...]
) -> None:
    partner = PartnerFactory(name="Embrapa")
    if "partners" in overrides:
        overrides["partners"] = [
            (partner if value == "__partner__" else value, roles)
            for value, roles in overrides["partners"]
        ]
    shares = overrides.pop("shares", [])
    data = activity_form_data(**overrides)
    for i, share in enumerate(shares):
        data[f"countries-{i}-share"] = share
    before = row_counts()
    response = cpm_client.post(CREATE_URL, data)
    assert response.status_code == 400
    shown = errors_next_to(response.content, control)
    assert any(message in shown for message in messages), (shown, all_errors(response.content))
    assert "Nothing was saved. Please correct:" in response.text
    assert row_counts() == before


def test_every_error_is_shown_at_once(cpm_client: Client) -> None:
    data = activity_form_data(
        title="",
        planned_start="2024-05-01",
        planned_end="2024-04-01",
        countries=[("BR", CountryRole.PROVIDER), ("BR", CountryRole.RECEIVER)],
    )
    response = cpm_client.post(CREATE_URL, data)
    assert errors_next_to(response.content, "id_title") == ["This field is required."]
    assert errors_next_to(response.content, "id_countries-1-country") == [
        "Already listed above: use one row per organization or country."
    ]
    assert errors_next_to(response.content, "id_planned_end") == [
        "The end date cannot be before the start date."
    ]


def test_country_shares_not_adding_up_are_refused_above_the_countries(cpm_client: Client) -> None:
    data = activity_form_data()
    data["countries-0-share"] = "60"
    data["countries-1-share"] = "30"
    before = row_counts()
    response = cpm_client.post(CREATE_URL, data)
    assert response.status_code == 400
    assert (
        "Either leave every share empty (equal split) or give every country a share, "
        "adding up to 100%." in all_errors(response.content)
    )
    assert row_counts() == before


def test_an_imported_ssc_id_already_used_is_refused_on_its_field(
    cpm_client: Client, activity: Activity
) -> None:
    before = row_counts()
    response = cpm_client.post(CREATE_URL, activity_form_data(ssc_id=activity.ssc_id))
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_ssc_id") == [
        f"SSC ID {activity.ssc_id} is already used."
    ]
    assert row_counts() == before


def test_what_was_typed_is_kept_after_an_error(cpm_client: Client) -> None:
    data = activity_form_data(
        title="Keep this title", planned_start="2024-05-01", planned_end="2024-01-01"
    )
    response = cpm_client.post(CREATE_URL, data)
    assert input_value(response.content, "title") == "Keep this title"


# --- valid create ------------------------------------------------------------------------------


def test_valid_create_saves_and_redirects_to_the_detail_page(cpm_client: Client, cpm: User) -> None:
    partner = PartnerFactory(name="Embrapa", country=country("BR"))
    data = activity_form_data(
        title="Learning route on cassava value chains",
        countries=[
            ("BR", CountryRole.PROVIDER),
            ("IN", CountryRole.PROVIDER),
            ("MZ", CountryRole.RECEIVER),
        ],
        partners=[(partner, [PartnerRole.BROKER, PartnerRole.FUNDER])],
        themes=[theme(3), theme(10)],
        sdgs=[2, 5],
        planned_start="2024-03-01",
        planned_end="2024-03-15",
        responsible_cpm=cpm.pk,
    )
    response = cpm_client.post(CREATE_URL, data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.ssc_id == "SSC-2024-01"
    assert activity.title == "Learning route on cassava value chains"
    assert {c.iso2 for c in activity.providers} == {"BR", "IN"}
    assert [c.iso2 for c in activity.receivers] == ["MZ"]
    assert set(activity.partner_links.values_list("role", flat=True)) == {"broker", "funder"}
    assert set(activity.themes.values_list("position", flat=True)) == {3, 10}
    assert set(activity.sdgs.values_list("number", flat=True)) == {2, 5}
    assert activity.responsible_cpm == cpm
    assert activity.created_by == cpm
    assert activity.history.first().history_user == cpm
    assert StatusChange.objects.get().changed_by == cpm
    detail = cpm_client.get(response["Location"])
    assert "Learning route on cassava value chains" in detail.text
    assert "Activity SSC-2024-01 was created." in detail.text


def test_create_form_offers_the_cpm_their_division_and_themselves(
    cpm_client: Client, cpm: User
) -> None:
    response = cpm_client.get(CREATE_URL)
    assert response.status_code == 200
    page = response.text
    lac = cpm.divisions.get()
    assert f'<option value="{lac.pk}" selected>' in page
    assert f'<option value="{cpm.pk}" selected>' in page


# --- bad input on edit -------------------------------------------------------------------------


def test_status_jump_on_edit_is_refused_next_to_the_status(
    cpm_client: Client, activity: Activity
) -> None:
    before = row_counts()
    response = cpm_client.post(
        _edit_url(activity), edit_form_data(activity, status=Status.COMPLETED)
    )
    assert response.status_code == 400
    (message,) = errors_next_to(response.content, "id_status")
    assert "An activity cannot move from Pipeline to Completed." in message
    assert "Allowed next: Approved, Cancelled." in message
    assert row_counts() == before
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.status, stored.version) == (Status.PIPELINE, 1)


def test_edit_form_disables_statuses_the_activity_cannot_reach(
    cpm_client: Client, activity: Activity
) -> None:
    page = cpm_client.get(_edit_url(activity)).text
    assert '<option value="approved">' in page
    assert '<option value="completed" disabled>' in page


@pytest.mark.parametrize(
    ("changes", "control", "message"),
    [
        (
            {"planned_start": "2024-05-01", "planned_end": "2024-04-01"},
            "id_planned_end",
            "The end date cannot be before the start date.",
        ),
        (
            {"title": "y" * 10_000},
            "id_title",
            "Ensure this value has at most 300 characters (it has 10000).",
        ),
        (
            {"countries": [("BR", CountryRole.PROVIDER), ("BR", CountryRole.BOTH)]},
            "id_countries-1-country",
            "Already listed above: use one row per organization or country.",
        ),
        (
            {"countries": [(999_999_999, CountryRole.PROVIDER)]},
            "id_countries-0-country",
            "Choose a country from the list.",
        ),
        ({"themes": []}, "id_themes", "This field is required."),
    ],
    ids=["end_before_start", "long_title", "country_twice", "unknown_country", "no_theme"],
)
def test_bad_input_on_edit_is_shown_next_to_its_field_and_saves_nothing(
    cpm_client: Client, activity: Activity, changes: dict[str, Any], control: str, message: str
) -> None:
    before = row_counts()
    response = cpm_client.post(_edit_url(activity), edit_form_data(activity, **changes))
    assert response.status_code == 400
    assert message in errors_next_to(response.content, control)
    assert row_counts() == before
    assert Activity.objects.get(pk=activity.pk).version == 1


def test_valid_edit_saves_and_redirects(cpm_client: Client, activity: Activity, cpm: User) -> None:
    response = cpm_client.post(
        _edit_url(activity),
        edit_form_data(
            activity,
            title="Renamed route",
            status=Status.APPROVED,
            status_note="Approved by the OSC",
            countries=[("PE", CountryRole.BOTH)],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.status, stored.version) == ("Renamed route", Status.APPROVED, 2)
    assert list(stored.country_links.values_list("country__iso2", "role")) == [("PE", "both")]
    change = stored.status_changes.first()
    assert (change.note, change.changed_by) == ("Approved by the OSC", cpm)


def test_removing_a_country_row_on_edit_deletes_the_link(
    cpm_client: Client, activity: Activity
) -> None:
    data = edit_form_data(activity)
    data["countries-1-DELETE"] = "on"
    response = cpm_client.post(_edit_url(activity), data)
    assert response.status_code == 302, all_errors(response.content)
    assert list(activity.country_links.values_list("country__iso2", flat=True)) == ["BR"]


# --- concurrency -------------------------------------------------------------------------------


def test_second_of_two_concurrent_saves_gets_the_conflict_and_the_first_is_kept(
    cpm_client: Client, focal_client: Client, activity: Activity, cpm: User
) -> None:
    url = _edit_url(activity)
    first_form = cpm_client.get(url)
    second_form = focal_client.get(url)
    assert (
        input_value(first_form.content, "version")
        == input_value(second_form.content, "version")
        == "1"
    )

    first = cpm_client.post(url, edit_form_data(activity, title="Title from the CPM", version=1))
    assert first.status_code == 302
    before = row_counts()
    second = focal_client.post(
        url,
        edit_form_data(
            activity,
            title="Title from the focal point",
            countries=[("IN", CountryRole.PROVIDER)],
            version=1,
        ),
    )

    assert second.status_code == 409
    assert "Someone else saved this activity while you were editing it." in second.text
    assert "This activity was changed by someone else while you were editing it" in second.text
    assert "Your changes were not saved." in second.text
    # What the second user typed is still there, now carrying the current version.
    assert input_value(second.content, "title") == "Title from the focal point"
    assert input_value(second.content, "version") == "2"
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.version) == ("Title from the CPM", 2)
    assert set(stored.country_links.values_list("country__iso2", flat=True)) == {"BR", "MZ"}
    assert row_counts() == before


def test_saving_again_after_a_conflict_is_a_deliberate_overwrite(
    cpm_client: Client, focal_client: Client, activity: Activity, cpm: User
) -> None:
    url = _edit_url(activity)
    update_activity(
        activity=activity, data=activity_data(title="Saved meanwhile"), user=cpm, expected_version=1
    )
    conflict = focal_client.post(url, edit_form_data(activity, title="Mine", version=1))
    assert conflict.status_code == 409
    again = focal_client.post(url, edit_form_data(activity, title="Mine", version=2))
    assert again.status_code == 302
    assert Activity.objects.get(pk=activity.pk).title == "Mine"


def test_a_conflict_is_reported_as_such_when_the_history_holds_no_earlier_version(
    cpm_client: Client, cpm: User, activity: Activity
) -> None:
    # Activities written in bulk (generated or migrated data) have no history of their
    # first version: the conflict cannot list what changed, and is still a conflict.
    activity.history.all().delete()  # type: ignore[attr-defined]
    update_activity(
        activity=activity, data=activity_data(title="Saved meanwhile"), user=cpm, expected_version=1
    )

    response = cpm_client.post(
        _edit_url(activity), edit_form_data(activity, title="Mine", version=1)
    )

    assert response.status_code == 409
    assert "No record of what changed: compare with the current version." in response.text
    assert input_value(response.content, "version") == "2"
    assert Activity.objects.get(pk=activity.pk).title == "Saved meanwhile"


@pytest.mark.parametrize("version", [None, "", "not-a-number"])
def test_a_save_without_the_version_it_read_is_refused_and_cannot_overwrite(
    cpm_client: Client, cpm: User, activity: Activity, version: str | None
) -> None:
    update_activity(
        activity=activity, data=activity_data(title="Saved meanwhile"), user=cpm, expected_version=1
    )
    data = edit_form_data(activity, title="Mine")
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    response = cpm_client.post(_edit_url(activity), data)

    assert response.status_code == 400
    assert "did not say which version of the activity it shows" in response.text
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.version) == ("Saved meanwhile", 2)


# --- the partner form --------------------------------------------------------------------------


def test_duplicate_partner_on_the_partner_form_is_refused_next_to_the_name(
    cpm_client: Client,
) -> None:
    Partner.objects.create(
        name="Instituto de Desarrollo Rural",
        name_key="instituto de desarrollo rural",
        type="government",
        country=country("PE"),
    )
    before = row_counts()
    response = cpm_client.post(
        reverse("activities:partner_create"),
        partner_form_data(name="  instituto de  DESARROLLO rural "),
    )
    assert response.status_code in (200, 400)
    assert errors_next_to(response.content, "id_name") == [
        "Instituto de Desarrollo Rural already exists in Peru: use it, or merge the two."
    ]
    assert row_counts() == before


def test_partner_form_without_a_type_is_refused(cpm_client: Client) -> None:
    before = row_counts()
    response = cpm_client.post(reverse("activities:partner_create"), partner_form_data(type=""))
    assert errors_next_to(response.content, "id_type") == ["This field is required."]
    assert row_counts() == before


def test_valid_partner_create_redirects_to_the_partner(cpm_client: Client, cpm: User) -> None:
    response = cpm_client.post(reverse("activities:partner_create"), partner_form_data())
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == partner.get_absolute_url()
    assert partner.history.get().history_user == cpm


def test_removing_a_partner_row_on_edit_deletes_its_links(
    cpm_client: Client, activity: Activity
) -> None:
    data = edit_form_data(activity)
    data["partners-0-DELETE"] = "on"
    response = cpm_client.post(_edit_url(activity), data)
    assert response.status_code == 302, all_errors(response.content)
    assert not activity.partner_links.exists()


def test_clearing_a_country_row_on_edit_deletes_the_link(
    cpm_client: Client, activity: Activity
) -> None:
    data = edit_form_data(activity)
    data["countries-1-country"] = ""
    data["countries-1-role"] = ""
    response = cpm_client.post(_edit_url(activity), data)
    assert response.status_code == 302, all_errors(response.content)
    assert list(activity.country_links.values_list("country__iso2", flat=True)) == ["BR"]
