"""Saved views: a user's named filter sets of the activity list, validated, kept per user, and
opened by link (each reader then sees only what they may read)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities import services
from activities.models import Visibility
from activities.saved_views import SavedView
from tests.factories import ActivityFactory, division

pytestmark = pytest.mark.django_db

LIST = reverse("activities:list")
VIEWS = reverse("activities:saved_views")


def _save(client: Client, name: str, query: str, **extra: str) -> object:
    return client.post(VIEWS, {"name": name, "query": query, **extra})


def test_the_list_saves_its_filters_and_opens_them_again(focal: User, focal_client: Client) -> None:
    page = focal_client.get(f"{LIST}?division=LAC&status=ongoing&page=2&columns=title")
    assert page.context["save_query"] == "division=LAC&status=ongoing&columns=title"
    response = _save(focal_client, "  LAC,   ongoing ", page.context["save_query"])
    assert response.status_code == 302
    view = SavedView.objects.get(owner=focal)
    assert (view.name, view.query, view.shared) == (
        "LAC, ongoing",
        "division=LAC&status=ongoing&columns=title",
        False,
    )
    assert response["Location"] == f"{LIST}?division=LAC&status=ongoing&columns=title"
    listed = focal_client.get(VIEWS)
    assert "LAC, ongoing" in listed.content.decode()
    opened = focal_client.get(view.get_absolute_url())
    assert opened.status_code == 302 and opened["Location"] == view.list_url


@pytest.mark.parametrize(
    ("name", "query", "field", "message"),
    [
        ("", "division=LAC", "name", "This field is required."),
        ("   ", "division=LAC", "name", "This field is required."),
        ("Tabs\there", "", "name", "Write this on one line"),
        ("Mine", "password=x&division=LAC", "query", "Unknown filter: password."),
        ("Mine", "columns=salary", "query", "Unknown column: salary."),
        ("Mine", "country=ZZ", "query", "Country: Select a valid choice."),
        ("Mine", "reporting_year=1200", "query", "Reporting year: Ensure this value is greater"),
    ],
)
def test_a_bad_view_is_refused_next_to_its_field_and_nothing_saved(
    focal_client: Client, name: str, query: str, field: str, message: str
) -> None:
    response = _save(focal_client, name, query)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert not SavedView.objects.exists()


def test_a_name_is_unique_per_user_whatever_its_case(
    focal: User, cpm: User, focal_client: Client
) -> None:
    services.create_saved_view(owner=focal, name="Ongoing", query="status=ongoing")
    response = _save(focal_client, "ONGOING", "")
    assert "You already have a view called “ONGOING”." in response.context["form"].errors["name"]
    # Another user keeps their own names.
    services.create_saved_view(owner=cpm, name="Ongoing", query="")
    assert SavedView.objects.count() == 2


def test_another_users_view_does_not_exist_for_them_until_shared(
    focal: User, viewer_client: Client
) -> None:
    view = services.create_saved_view(owner=focal, name="Mine", query="division=LAC")
    for url in (
        view.get_absolute_url(),
        reverse("activities:saved_view_edit", args=[view.pk]),
        reverse("activities:saved_view_delete", args=[view.pk]),
    ):
        assert viewer_client.get(url).status_code == 404, url
    assert (
        viewer_client.post(reverse("activities:saved_view_delete", args=[view.pk])).status_code
        == 404
    )
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert "Mine" not in viewer_client.get(VIEWS).content.decode()
    SavedView.objects.filter(pk=view.pk).update(shared=True)
    opened = viewer_client.get(view.get_absolute_url())
    assert opened["Location"] == f"{LIST}?division=LAC"
    # Shared is opened, not handed over: still not theirs to rename or delete.
    assert (
        viewer_client.get(reverse("activities:saved_view_edit", args=[view.pk])).status_code == 404
    )


def test_a_shared_link_shows_each_reader_only_what_they_may_see(
    focal: User, partner_user: User, client_for: Callable[[User | None], Client]
) -> None:
    public = ActivityFactory(title="Public exchange", visibility=Visibility.PUBLIC)
    ActivityFactory(title="Internal exchange")
    view = services.create_saved_view(owner=focal, name="LAC", query="division=LAC", shared=True)
    client = client_for(partner_user)
    page = client.get(client.get(view.get_absolute_url())["Location"])
    assert [a.pk for a in page.context["activities"]] == [public.pk]
    assert len(client_for(focal).get(view.list_url).context["activities"]) == 2


def test_rename_and_share_with_a_stale_form_refused(focal: User, focal_client: Client) -> None:
    view = services.create_saved_view(owner=focal, name="Old", query="")
    url = reverse("activities:saved_view_edit", args=[view.pk])
    response = focal_client.post(url, {"name": "New", "shared": "on", "version": 1})
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared, view.version) == ("New", True, 2)
    stale = focal_client.post(url, {"name": "Newer", "version": 1})
    assert stale.status_code == 400
    assert "changed in another window" in stale.content.decode()
    view.refresh_from_db()
    assert view.name == "New"


def test_delete_asks_first_then_deletes_only_the_view(focal: User, focal_client: Client) -> None:
    activity = ActivityFactory(lead_division=division("LAC"))
    view = services.create_saved_view(owner=focal, name="LAC", query="division=LAC")
    url = reverse("activities:saved_view_delete", args=[view.pk])
    page = focal_client.get(url)
    assert "Delete the view “LAC”?" in page.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert focal_client.post(url)["Location"] == VIEWS
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert activity.__class__.objects.filter(pk=activity.pk).exists()
    assert focal_client.get(view.get_absolute_url()).status_code == 404


def test_a_user_keeps_at_most_fifty_views(focal: User) -> None:
    for n in range(services.saved_views.MAX_SAVED_VIEWS):
        services.create_saved_view(owner=focal, name=f"View {n}", query="")
    with pytest.raises(services.ActivityError, match="50 saved views"):
        services.create_saved_view(owner=focal, name="One more", query="")


def test_the_list_of_views_says_what_to_do_when_empty(focal_client: Client) -> None:
    page = focal_client.get(VIEWS).content.decode()
    assert "No saved views yet" in page
