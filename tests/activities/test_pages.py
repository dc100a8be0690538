"""What the browsing pages show each role, and the status and merge actions taken from them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.duplicate_pairs import MergedVia
from activities.history import Through
from activities.models import (
    Activity,
    ActivityMerge,
    CountryRole,
    FundingNature,
    Partner,
    PartnerRole,
    Status,
    StatusChange,
    Visibility,
)
from activities.services import create_activity, update_activity
from tests.factories import ActivityFactory, PartnerFactory, activity_data, division
from tests.helpers import row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


@pytest.fixture
def lac(cpm: User) -> Activity:
    return create_activity(data=activity_data(title="Internal LAC route"), user=cpm)


def _status_url(activity: Activity) -> str:
    return reverse("activities:status", args=[activity.pk])


# --- list --------------------------------------------------------------------------------------


def test_partner_user_lists_public_and_own_organization_activities_only(
    partner_client: Client, partner_org: Partner
) -> None:
    ActivityFactory(title="Internal stranger activity")
    ActivityFactory(title="Public showcase", visibility=Visibility.PUBLIC)
    ActivityFactory(title="Our joint work", partners=[(partner_org, PartnerRole.GUEST)])
    page = partner_client.get(reverse("activities:list")).text
    assert "Public showcase" in page
    assert "Our joint work" in page
    assert "Internal stranger activity" not in page


def test_list_filters_by_country_in_either_role(viewer_client: Client) -> None:
    ActivityFactory(title="Brazil hosts", countries=["BR", ("MZ", CountryRole.RECEIVER)])
    ActivityFactory(title="Brazil learns", countries=["IN", ("BR", CountryRole.RECEIVER)])
    ActivityFactory(title="Senegal only", countries=["SN"])
    page = viewer_client.get(reverse("activities:list"), {"country": "BR"}).text
    assert "Brazil hosts" in page
    assert "Brazil learns" in page
    assert "Senegal only" not in page
    receivers = viewer_client.get(
        reverse("activities:list"), {"country": "BR", "role": "receiver"}
    ).text
    assert "Brazil learns" in receivers
    assert "Brazil hosts" not in receivers


def test_cpm_mine_filter_lists_what_they_can_edit(cpm_client: Client) -> None:
    ActivityFactory(title="Led by LAC")
    ActivityFactory(title="Led by APR", lead_division=division("APR"))
    page = cpm_client.get(reverse("activities:list"), {"mine": "1"}).text
    assert "Led by LAC" in page
    assert "Led by APR" not in page


def test_an_unknown_filter_value_is_reported_not_a_crash(viewer_client: Client) -> None:
    ActivityFactory(title="Still listed")
    response = viewer_client.get(
        reverse("activities:list"), {"country": "ZZ", "reporting_year": "abc"}
    )
    assert response.status_code == 200


# --- detail ------------------------------------------------------------------------------------


def test_editor_sees_edit_link_and_allowed_next_statuses(cpm_client: Client, lac: Activity) -> None:
    page = cpm_client.get(lac.get_absolute_url()).text
    assert reverse("activities:edit", args=[lac.pk]) in page
    assert f'action="{_status_url(lac)}"' in page
    assert '<option value="approved">Approved</option>' in page
    assert '<option value="cancelled">Cancelled</option>' in page
    assert '<option value="completed">' not in page


@pytest.mark.parametrize("role", ["viewer_client", "cpm_other_client"])
def test_reader_sees_no_edit_link_nor_status_form(
    request: pytest.FixtureRequest, lac: Activity, role: str
) -> None:
    page = request.getfixturevalue(role).get(lac.get_absolute_url()).text
    assert reverse("activities:edit", args=[lac.pk]) not in page
    assert _status_url(lac) not in page


def test_detail_shows_countries_partners_and_scope(viewer_client: Client) -> None:
    partner = PartnerFactory(name="Embrapa")
    activity = ActivityFactory(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner, PartnerRole.HOST), (partner, PartnerRole.FUNDER)],
    )
    page = viewer_client.get(activity.get_absolute_url()).text
    assert "Brazil" in page
    assert "Mozambique" in page
    assert page.count("Embrapa") >= 1
    assert "Host" in page and "Funder" in page
    assert "Interregional" in page


# --- status action -----------------------------------------------------------------------------


def test_status_change_from_the_detail_page(cpm_client: Client, cpm: User, lac: Activity) -> None:
    response = cpm_client.post(
        _status_url(lac), {"status": "approved", "note": "OSC approved", "version": lac.version}
    )
    assert response.status_code == 302
    assert response["Location"] == lac.get_absolute_url()
    lac.refresh_from_db()
    assert lac.status == Status.APPROVED
    change = lac.status_changes.first()
    assert (change.note, change.changed_by) == ("OSC approved", cpm)
    assert "Status changed to Approved." in cpm_client.get(response["Location"]).text


def test_refused_status_jump_says_which_move_and_changes_nothing(
    cpm_client: Client, lac: Activity
) -> None:
    before = row_counts()
    response = cpm_client.post(
        _status_url(lac), {"status": "closed", "note": "", "version": lac.version}, follow=True
    )
    assert "An activity cannot move from Pipeline to Closed." in response.text
    assert row_counts() == before
    assert Activity.objects.get(pk=lac.pk).status == Status.PIPELINE


def test_status_change_on_a_stale_page_is_refused(
    cpm_client: Client, cpm: User, lac: Activity
) -> None:
    update_activity(activity=lac, data=activity_data(title="Edited"), user=cpm, expected_version=1)
    response = cpm_client.post(
        _status_url(lac), {"status": "approved", "note": "", "version": 1}, follow=True
    )
    assert "changed by someone else" in response.text
    assert Activity.objects.get(pk=lac.pk).status == Status.PIPELINE


def test_status_change_without_version_is_refused(cpm_client: Client, lac: Activity) -> None:
    response = cpm_client.post(_status_url(lac), {"status": "approved"}, follow=True)
    assert "The form was incomplete; reload the page and try again." in response.text
    assert Activity.objects.get(pk=lac.pk).status == Status.PIPELINE


def test_unknown_status_is_refused(cpm_client: Client, lac: Activity) -> None:
    before = StatusChange.objects.count()
    response = cpm_client.post(
        _status_url(lac), {"status": "exploded", "version": lac.version}, follow=True
    )
    assert response.status_code == 200
    assert "cannot move from Pipeline to exploded" in response.text
    assert StatusChange.objects.count() == before


def test_overlong_status_note_is_refused(cpm_client: Client, lac: Activity) -> None:
    response = cpm_client.post(
        _status_url(lac),
        {"status": "approved", "note": "n" * 2001, "version": lac.version},
        follow=True,
    )
    assert "Keep the note under 2,000 characters." in response.text
    assert Activity.objects.get(pk=lac.pk).status == Status.PIPELINE


# --- history -----------------------------------------------------------------------------------


def test_history_names_who_changed_what(
    viewer_client: Client, cpm: User, focal: User, lac: Activity
) -> None:
    update_activity(
        activity=lac, data=activity_data(title="Renamed route"), user=focal, expected_version=1
    )
    page = viewer_client.get(reverse("activities:history", args=[lac.pk])).text
    assert str(focal) in page
    assert str(cpm) in page
    assert "created this activity" in page
    assert "Renamed route" in page


# --- partners ----------------------------------------------------------------------------------


def test_partner_user_sees_only_visible_activities_on_a_partner_page(
    partner_client: Client, partner_org: Partner
) -> None:
    ActivityFactory(title="Our joint work", partners=[partner_org])
    ActivityFactory(
        title="Their internal work", partners=[partner_org], lead_division=division("APR")
    )
    other = PartnerFactory(name="Shared partner")
    ActivityFactory(title="Shared public work", visibility=Visibility.PUBLIC, partners=[other])
    ActivityFactory(title="Shared internal work", partners=[other])
    page = partner_client.get(other.get_absolute_url()).text
    assert "Shared public work" in page
    assert "Shared internal work" not in page


def test_partner_merge_reviews_then_merges(focal_client: Client, partner_user: User) -> None:
    keep = PartnerFactory(name="Embrapa")
    remove = PartnerFactory(name="EMBRAPA (duplicate)", acronym="EMB")
    activity = ActivityFactory(partners=[(remove, PartnerRole.HOST)])
    role = activity.partner_links.get()
    partner_user.partner = remove
    partner_user.save()
    url = reverse("activities:partner_merge")

    review = focal_client.post(url, {"keep": keep.pk, "remove": remove.pk})
    assert review.status_code == 200
    assert "1 activity role moves to the kept record." in review.text
    assert "1 portal user moves to the kept record." in review.text
    assert Partner.objects.filter(pk=remove.pk).exists()

    done = focal_client.post(url, {"keep": keep.pk, "remove": remove.pk, "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == keep.get_absolute_url()
    assert not Partner.objects.filter(pk=remove.pk).exists()
    partner_user.refresh_from_db()
    assert partner_user.partner == keep
    # Every snapshot the merge wrote names the page's form: the kept record's, the removed
    # one's deletion, the moved role (which the activity's history shows).
    for history in (keep.history, Partner.history.filter(id=remove.pk), role.history):
        assert history.latest("history_id").history_change_reason == Through.FORM


def test_a_partner_made_and_edited_on_its_pages_names_the_form(focal_client: Client) -> None:
    made = focal_client.post(
        reverse("activities:partner_create"),
        {"name": "Instituto Nacional de Tecnologia", "type": "government", "aliases": "[]"},
    )
    assert made.status_code == 302, made.text
    partner = Partner.objects.get(name="Instituto Nacional de Tecnologia")
    edited = focal_client.post(
        reverse("activities:partner_edit", args=[partner.pk]),
        {"name": "Instituto Nacional de Tecnologia Agropecuaria", "type": partner.type},
    )
    assert edited.status_code == 302, edited.text
    reasons = partner.history.order_by("history_id").values_list("history_change_reason", flat=True)
    assert list(reasons) == [Through.FORM, Through.FORM]


def test_partner_merge_of_a_partner_with_itself_is_refused(focal_client: Client) -> None:
    partner = PartnerFactory()
    response = focal_client.post(
        reverse("activities:partner_merge"),
        {"keep": partner.pk, "remove": partner.pk, "confirm": "1"},
    )
    assert "Choose two different partners to merge." in response.text
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_partner_edit_refuses_a_duplicate_name(focal_client: Client) -> None:
    PartnerFactory(name="Embrapa")
    other = PartnerFactory(name="Embrapa Cerrados")
    response = focal_client.post(
        reverse("activities:partner_edit", args=[other.pk]),
        {"name": "EMBRAPA", "type": other.type, "country": other.country_id},
    )
    assert "Embrapa already exists in Brazil: use it, or merge the two." in response.text
    assert Partner.objects.get(pk=other.pk).name == "Embrapa Cerrados"


def test_home_gives_the_focal_point_the_portfolio_counts_in_one_pass(
    focal: User, focal_client: Client, django_assert_max_num_queries
) -> None:
    """By status, by lead division and the data to complete, merged activities left out: one
    query for the three (session, user, the counts, the recent activities with their countries
    and themes, the inbox count)."""
    ActivityFactory(status=Status.ONGOING, visibility=Visibility.PUBLIC)
    ActivityFactory(status=Status.ONGOING, activity_type="")
    ActivityFactory(
        status=Status.PIPELINE,
        lead_division=division("APR"),
        funding_nature=FundingNature.IN_PROJECT,
        project_id="",
    )
    kept = ActivityFactory(status=Status.APPROVED, lead_division=division("APR"))
    removed = ActivityFactory(status=Status.APPROVED, visibility=Visibility.PUBLIC)
    ActivityMerge.objects.create(removed=removed, kept=kept, merged_by=focal, via=MergedVia.FORM)
    focal_client.get(reverse("home"))
    with django_assert_max_num_queries(7):
        response = focal_client.get(reverse("home"))
    page = " ".join(response.text.split())
    assert "4 activities: the whole portfolio." in page
    statuses = re.findall(r'status=(\w+)"><span class="stat__value">(\d+)<', page)
    assert statuses == [("pipeline", "1"), ("approved", "1"), ("ongoing", "2")]
    divisions = re.findall(r'division=(\w+)">.*?<td class="num">(\d+)</td>', page)
    assert divisions == [("APR", "2"), ("LAC", "2")]
    assert 'in_project">1</a></dd> <dt>No activity type</dt><dd>1</dd>' in page
    assert 'visibility=public">1</a>' in page


def test_home_shows_a_cpm_their_own_activities(cpm_client: Client) -> None:
    ActivityFactory(title="Mine in LAC", status=Status.ONGOING)
    ActivityFactory(title="Someone else's in APR", lead_division=division("APR"))
    page = cpm_client.get(reverse("home")).text
    assert "Mine in LAC" in page
    assert "Someone else's in APR" not in page
