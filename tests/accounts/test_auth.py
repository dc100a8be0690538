"""Logging in and out, and who may manage users in the Django admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory, division

pytestmark = pytest.mark.django_db


# --- logging in and out ------------------------------------------------------------------------


def test_login_with_the_right_password_goes_to_the_portfolio(cpm: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "cpm", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_keeps_the_page_asked_for(cpm: User) -> None:
    client = Client()
    target = reverse("activities:list")
    response = client.post(
        reverse("login") + f"?next={target}",
        {"username": "cpm", "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_login_refuses_an_outside_next_url(cpm: User) -> None:
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "cpm", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("home")


def test_login_with_a_wrong_password_says_so(cpm: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "cpm", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.text
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_log_in() -> None:
    UserFactory(username="gone", role=Role.CPM, is_active=False)
    client = Client()
    response = client.post(reverse("login"), {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_deactivated_user_loses_an_open_session(cpm: User, cpm_client: Client) -> None:
    cpm.is_active = False
    cpm.save()
    response = cpm_client.get(reverse("activities:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_ends_the_session(cpm_client: Client) -> None:
    response = cpm_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert cpm_client.get(reverse("home")).status_code == 302


def test_login_page_has_labelled_fields() -> None:
    page = Client().get(reverse("login")).text
    assert '<label for="id_username"' in page
    assert '<label for="id_password"' in page


def test_anonymous_user_is_sent_to_log_in_with_the_page_to_return_to() -> None:
    url = reverse("activities:list")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- user accounts in the admin: administrators only -------------------------------------------


def _change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def _admin_form(user: User, **changes: Any) -> dict[str, Any]:
    """The admin change form for `user` as posted back, with changes."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role": user.role,
        "divisions": [d.pk for d in user.divisions.all()],
        "countries": [c.pk for c in user.countries.all()],
        "partner": user.partner_id or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_administrator_changes_a_users_role_and_divisions(
    admin_client: Client, viewer: User
) -> None:
    response = admin_client.post(
        _change_url(viewer),
        _admin_form(viewer, role=Role.CPM, divisions=[division("ESA").pk]),
    )
    assert response.status_code == 302, response.content[:2000]
    viewer.refresh_from_db()
    assert viewer.role == Role.CPM
    assert [d.code for d in viewer.divisions.all()] == ["ESA"]


def test_focal_point_manages_people_in_the_portal_not_the_admin(
    focal_client: Client, viewer: User
) -> None:
    """The People pages (tests/accounts/test_people.py) replace the admin's user pages for the
    focal point, so superuser powers cannot be granted from there either."""
    assert focal_client.get(_change_url(viewer)).status_code == 403
    response = focal_client.post(_change_url(viewer), _admin_form(viewer, is_superuser="on"))
    assert response.status_code == 403
    viewer.refresh_from_db()
    assert not viewer.is_superuser


def test_focal_point_cannot_change_a_superusers_account(focal_client: Client, admin: User) -> None:
    response = focal_client.post(_change_url(admin), _admin_form(admin, first_name="Changed"))
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.first_name != "Changed"


def test_administrator_grants_superuser_powers(admin_client: Client, focal: User) -> None:
    response = admin_client.post(_change_url(focal), _admin_form(focal, is_superuser="on"))
    assert response.status_code == 302
    focal.refresh_from_db()
    assert focal.is_superuser


@pytest.mark.parametrize("role", ["focal", "admin"])
def test_nobody_deletes_user_accounts(
    request: pytest.FixtureRequest, client_for, viewer: User, role: str
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(role))
    response = client.post(reverse("admin:accounts_user_delete", args=[viewer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=viewer.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "cpm", "partner_user"])
def test_other_roles_cannot_open_the_user_admin(
    request: pytest.FixtureRequest, client_for, role: str
) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(role)
    user.is_staff = True  # even if someone ticked "staff" for them
    user.save()
    response = client_for(user).get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 403


def test_focal_point_adds_reference_data_but_not_activities_in_the_admin(
    focal_client: Client,
) -> None:
    assert focal_client.get(reverse("admin:activities_theme_add")).status_code == 200
    assert focal_client.get(reverse("admin:activities_activity_add")).status_code == 403
    assert focal_client.get(reverse("admin:activities_partner_add")).status_code == 403
