"""The focal point manages people in the portal: invitations, role and scope, deactivation, the
change history and the plain-language summary of who can see and change what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.people.history import person_history
from accounts.people.scope import scope_summary
from accounts.services import PeopleError, PersonData, change_person, invite_person
from accounts.services import people as services
from activities.models import Partner
from tests.factories import PASSWORD, UserFactory, country, division

pytestmark = pytest.mark.django_db

SITE = "http://testserver/"


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "Ferreira",
        "email": "ana.ferreira@example.org",
        "role": Role.CPM,
        "divisions": [division("LAC").pk],
        "countries": [country("BR").pk],
        "partner": "",
        "counterpart_country": "",
    }
    data.update(changes)
    return data


def _edit_form(person: User, **changes: Any) -> dict[str, Any]:
    data = _form(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        role=person.role,
        divisions=[d.pk for d in person.divisions.all()],
        countries=[c.pk for c in person.countries.all()],
        partner=person.partner_id or "",
        counterpart_country=person.counterpart_country_id or "",
        version=person.version,
    )
    data.update(changes)
    return data


def _signs_in(username: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _link(message: Any) -> str:
    found = re.search(r"http://testserver(/accounts/reset/\S+)", message.body)
    assert found, message.body
    return found.group(1)


# --- invitations -----------------------------------------------------------------------------


def test_focal_point_invites_a_cpm_who_sets_a_password_and_signs_in(
    focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(reverse("accounts:person_invite"), _form())
    assert response.status_code == 302
    person = User.objects.get(email="ana.ferreira@example.org")
    assert response["Location"] == reverse("accounts:person_detail", args=[person.pk])
    assert (person.username, person.role, person.is_active) == (
        "ana.ferreira@example.org",
        Role.CPM,
        True,
    )
    assert not person.has_usable_password()
    assert [d.code for d in person.divisions.all()] == ["LAC"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.ferreira@example.org"]
    assert message.subject == "You are invited to the SSC Portal"
    assert "Hello Ana Ferreira" in message.body
    assert "as Country programme manager" in message.body
    link = _link(message)

    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200
    assert b"Choose a new password" in form_page.content
    password = "a long and new passphrase 91"
    done = visitor.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302
    assert _signs_in("ana.ferreira@example.org", password)


def test_a_refused_invitation_sends_nothing(
    focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(
            reverse("accounts:person_invite"),
            _form(role=Role.PARTNER),  # no organization
        )
    assert response.status_code == 400
    assert b"Choose the organization this partner user belongs to." in response.content
    assert not User.objects.filter(email="ana.ferreira@example.org").exists()
    assert mail.outbox == []


def test_a_rolled_back_invitation_sends_nothing(
    focal: User, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite_person(actor=focal, data=_data(), site_url=SITE)
        raise RuntimeError("something after the invitation failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not User.objects.filter(email="ana.ferreira@example.org").exists()


def _data(**changes: Any) -> PersonData:
    values: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "Ferreira",
        "email": "ana.ferreira@example.org",
        "role": Role.CPM,
        "divisions": [division("LAC")],
        "countries": [],
    }
    values.update(changes)
    return PersonData(**values)


@pytest.mark.parametrize("email", ["VIEWER@example.org", "viewer@example.org"])
def test_a_taken_email_address_is_a_field_error(
    focal_client: Client, viewer: User, email: str
) -> None:
    response = focal_client.post(reverse("accounts:person_invite"), _form(email=email))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {"email": ["Someone already has an account with this e-mail address."]}
    assert User.objects.filter(email__iexact=email).count() == 1


def test_a_counterpart_needs_the_country_it_speaks_for(focal_client: Client) -> None:
    response = focal_client.post(reverse("accounts:person_invite"), _form(role=Role.COUNTERPART))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "counterpart_country": ["Choose the country this counterpart speaks for."]
    }
    # The summary names it, with a link to the field.
    assert b'<a href="#id_counterpart_country">Counterpart for</a>: Choose the country' in (
        response.content
    )


def test_only_a_superuser_makes_an_administrator(focal_client: Client) -> None:
    response = focal_client.post(reverse("accounts:person_invite"), _form(role=Role.ADMIN))
    assert response.status_code == 400
    assert "role" in response.context["form"].errors


def test_resending_ends_the_earlier_link(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        person = invite_person(actor=focal, data=_data(), site_url=SITE)
    first_token = _link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert default_token_generator.check_token(person, first_token)
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(reverse("accounts:person_resend", args=[person.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    person.refresh_from_db()
    assert not default_token_generator.check_token(person, first_token)
    second_token = _link(mail.outbox[1]).rstrip("/").rsplit("/", 1)[1]
    assert default_token_generator.check_token(person, second_token)


def test_no_invitation_again_once_a_password_is_set(focal: User, viewer: User) -> None:
    with pytest.raises(PeopleError, match="already set a password"):
        services.resend_invitation(actor=focal, person=viewer, site_url=SITE)


# --- changes, versions, deactivation -----------------------------------------------------------


def test_focal_point_changes_a_role_and_scope(focal_client: Client, viewer: User) -> None:
    response = focal_client.post(
        reverse("accounts:person_edit", args=[viewer.pk]),
        _edit_form(viewer, role=Role.CPM, divisions=[division("ESA").pk]),
    )
    assert response.status_code == 302, response.content[:3000]
    viewer.refresh_from_db()
    assert viewer.role == Role.CPM
    assert [d.code for d in viewer.divisions.all()] == ["ESA"]
    assert viewer.version == 2


def test_a_stale_edit_is_refused_and_changes_nothing(focal_client: Client, viewer: User) -> None:
    stale = _edit_form(viewer, role=Role.CPM)
    first = focal_client.post(
        reverse("accounts:person_edit", args=[viewer.pk]), _edit_form(viewer, last_name="First")
    )
    assert first.status_code == 302
    second = focal_client.post(reverse("accounts:person_edit", args=[viewer.pk]), stale)
    assert second.status_code == 400
    assert b"Someone else changed this person while you were editing" in second.content
    viewer.refresh_from_db()
    assert (viewer.last_name, viewer.role, viewer.version) == ("First", Role.VIEWER, 2)


def test_focal_point_deactivates_after_confirming_and_reactivates(
    focal_client: Client, viewer: User
) -> None:
    url = reverse("accounts:person_deactivate", args=[viewer.pk])
    confirm = focal_client.get(url)
    assert confirm.status_code == 200
    assert b"Deactivate the account" in confirm.content
    viewer.refresh_from_db()
    assert viewer.is_active  # asking is not doing
    assert focal_client.post(url, {"version": viewer.version}).status_code == 302
    viewer.refresh_from_db()
    assert not viewer.is_active
    assert not _signs_in(viewer.username, PASSWORD)
    reactivate = reverse("accounts:person_reactivate", args=[viewer.pk])
    assert focal_client.post(reactivate, {"version": viewer.version}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.is_active


def test_a_focal_point_cannot_deactivate_themselves(focal_client: Client, focal: User) -> None:
    response = focal_client.post(
        reverse("accounts:person_deactivate", args=[focal.pk]), {"version": focal.version}
    )
    assert response.status_code == 400
    assert b"You cannot deactivate your own account." in response.content
    focal.refresh_from_db()
    assert focal.is_active


def test_the_last_active_focal_point_stays(focal: User) -> None:
    """Two focal points deactivating each other at once: the second finds no one else left.
    (The first's page still holds the second as active, as a concurrent request would.)"""
    other = UserFactory(role=Role.FOCAL_POINT)
    services.set_person_active(
        actor=other, person=focal, active=False, expected_version=focal.version
    )
    stale_focal = User.objects.get(pk=focal.pk)
    stale_focal.is_active = True
    with pytest.raises(PeopleError, match="last active focal point"):
        services.set_person_active(
            actor=stale_focal, person=other, active=False, expected_version=other.version
        )
    other.refresh_from_db()
    assert other.is_active


def test_the_last_focal_point_keeps_the_role(focal: User) -> None:
    other = UserFactory(role=Role.FOCAL_POINT)
    data = _data(email=focal.email, role=Role.VIEWER, divisions=[])
    with pytest.raises(PeopleError, match="from yourself") as refused:
        change_person(actor=focal, person=focal, data=data, expected_version=focal.version)
    assert refused.value.field == "role"
    services.set_person_active(
        actor=focal, person=other, active=False, expected_version=other.version
    )
    stale_other = User.objects.get(pk=other.pk)
    stale_other.is_active = True
    with pytest.raises(PeopleError, match="last active focal point"):
        change_person(actor=stale_other, person=focal, data=data, expected_version=focal.version)
    focal.refresh_from_db()
    assert focal.role == Role.FOCAL_POINT


def test_an_administrators_account_is_not_the_focal_points(focal: User) -> None:
    administrator = UserFactory(role=Role.ADMIN)
    data = _data(email=administrator.email, role=Role.VIEWER, divisions=[])
    with pytest.raises(PeopleError, match="Only an administrator"):
        change_person(
            actor=focal, person=administrator, data=data, expected_version=administrator.version
        )
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMIN


def test_a_superusers_account_is_not_the_focal_points(focal_client: Client, admin: User) -> None:
    assert focal_client.get(reverse("accounts:person_detail", args=[admin.pk])).status_code == 200
    edit = reverse("accounts:person_edit", args=[admin.pk])
    assert focal_client.get(edit).status_code == 403
    assert focal_client.post(edit, _edit_form(admin, first_name="Changed")).status_code == 403
    admin.refresh_from_db()
    assert admin.first_name != "Changed"


# --- history --------------------------------------------------------------------------------


def test_every_change_is_in_the_history_with_who_and_through_what(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        person = invite_person(actor=focal, data=_data(), site_url=SITE)
    change_person(
        actor=focal,
        person=person,
        data=_data(role=Role.VIEWER, divisions=[]),
        expected_version=person.version,
    )
    services.set_person_active(
        actor=focal, person=person, active=False, expected_version=person.version
    )
    # A sign-in writes no snapshot (accounts.signals.record_last_login).
    Client().force_login(person)
    entries = person_history(person)
    assert [e.through for e in entries] == [
        "deactivated on the People page",
        "changed on the People page",
        "invited on the People page",
    ]
    assert {e.who for e in entries} == {str(focal)}
    assert [(c.label, c.before, c.after) for c in entries[0].changes] == [("Active", "yes", "no")]
    assert [(c.label, c.before, c.after) for c in entries[1].changes] == [
        ("Role", "Country programme manager", "Viewer"),
        ("Divisions", "LAC", "—"),
    ]
    assert ("E-mail address", "—", "ana.ferreira@example.org") in [
        (c.label, c.before, c.after) for c in entries[2].changes
    ]
    assert person.history.count() == 3  # type: ignore[attr-defined]
    assert not any(e.history_began for e in entries)
    page = focal_client.get(reverse("accounts:person_detail", args=[person.pk]))
    assert b"changed on the People page" in page.content


def test_an_account_older_than_its_history_says_where_the_history_began(
    focal: User, viewer: User
) -> None:
    viewer.history.all().delete()  # type: ignore[attr-defined]  # as made before the history
    change_person(
        actor=focal,
        person=viewer,
        data=_data(email=viewer.email, role=Role.CPM),
        expected_version=viewer.version,
    )
    (entry,) = person_history(viewer)
    assert entry.history_began
    assert ("Role", "—", "Country programme manager") in [
        (c.label, c.before, c.after) for c in entry.changes
    ]


# --- who can see and change what --------------------------------------------------------------


def test_the_scope_summary_reads_the_roles(partner_org: Partner) -> None:
    cpm = UserFactory(role=Role.CPM, divisions=["LAC", "APR"], countries=["BR"])
    summary = scope_summary(cpm)
    assert summary.reads.startswith("all activities")
    assert summary.money == "all"
    assert summary.changes == (
        "the activities they are responsible for or recorded; those led by APR, LAC; "
        "those about Brazil"
    )
    partner = UserFactory(role=Role.PARTNER, partner=partner_org)
    summary = scope_summary(partner)
    assert summary.reads == f"public activities, and those {partner_org} takes part in"
    assert summary.money == "of public activities only"
    assert summary.changes.startswith("nothing of the agency's records")
    counterpart = UserFactory(role=Role.COUNTERPART, counterpart_country=country("MZ"))
    assert "Mozambique takes part in" in scope_summary(counterpart).reads
    assert scope_summary(UserFactory(role=Role.FOCAL_POINT)).changes.startswith("everything")
    assert scope_summary(UserFactory(role=Role.VIEWER)).changes == "nothing"
    gone = UserFactory(role=Role.FOCAL_POINT, is_active=False)
    assert (scope_summary(gone).reads, scope_summary(gone).changes) == ("nothing", "nothing")


# --- the list ---------------------------------------------------------------------------------


def test_the_list_searches_filters_and_sorts(focal_client: Client, partner_org: Partner) -> None:
    UserFactory(first_name="Zoe", last_name="Alves", role=Role.CPM, divisions=["LAC"])
    UserFactory(first_name="Ana", last_name="Zapata", role=Role.CPM, divisions=["APR"])
    UserFactory(first_name="Bea", last_name="Mendes", role=Role.PARTNER, partner=partner_org)
    UserFactory(first_name="Cid", last_name="Nunes", role=Role.VIEWER, is_active=False)
    people = reverse("accounts:people")

    def names(query: dict[str, str]) -> list[str]:
        response = focal_client.get(people, query)
        assert response.status_code == 200
        return [person.last_name for person, _status in response.context["rows"]]

    assert names({"q": "zoe alv"}) == ["Alves"]
    assert names({"role": Role.CPM}) == ["Alves", "Zapata"]
    assert names({"role": Role.CPM, "ordering": "-name"}) == ["Zapata", "Alves"]
    assert names({"division": "APR"}) == ["Zapata"]
    assert names({"status": "inactive"}) == ["Nunes"]
    assert "Nunes" not in names({"status": "active"})
    assert names({"q": "nobody at all"}) == []
    empty = focal_client.get(people, {"q": "nobody at all"})
    assert b"Nobody matches these filters" in empty.content


def test_an_unknown_filter_is_named(focal_client: Client) -> None:
    response = focal_client.get(reverse("accounts:people"), {"division": "XYZ"})
    assert response.status_code == 400
    assert "division" in response.context["form"].errors


def test_the_list_and_the_person_page_stay_o1_in_queries(
    focal_client: Client, django_assert_max_num_queries: Any, partner_org: Partner
) -> None:
    for _n in range(30):
        UserFactory(role=Role.CPM, divisions=["LAC", "APR"], countries=["BR", "PE"])
        UserFactory(role=Role.PARTNER, partner=partner_org)
    person = UserFactory(role=Role.CPM, divisions=["LAC"], countries=["BR"])
    for n in range(5):
        person.first_name = f"Name {n}"
        person.save()
    focal_client.get(reverse("accounts:people"))  # the session's first touch
    with django_assert_max_num_queries(10):
        response = focal_client.get(reverse("accounts:people"), {"ordering": "-last_login"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 25
    with django_assert_max_num_queries(12):
        response = focal_client.get(reverse("accounts:person_detail", args=[person.pk]))
    assert response.status_code == 200


# --- who reaches the pages --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "cpm", "partner_user", "counterpart_user"])
def test_only_the_focal_point_reaches_the_people_pages(
    request: pytest.FixtureRequest, client_for: Any, focal: User, role: str
) -> None:
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("accounts:people")).status_code == 403
    assert client.get(reverse("accounts:person_detail", args=[focal.pk])).status_code == 403
    invite = client.post(reverse("accounts:person_invite"), _form())
    assert invite.status_code == 403
    assert not User.objects.filter(email="ana.ferreira@example.org").exists()


def test_the_menu_shows_people_to_the_focal_point_and_admin_to_superusers(
    focal_client: Client, admin_client: Client
) -> None:
    focal_page = focal_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:people")}"' in focal_page
    assert 'href="/admin/"' not in focal_page
    admin_page = admin_client.get(reverse("home")).content.decode()
    assert 'href="/admin/"' in admin_page


def test_the_user_admin_is_for_superusers_only(focal_client: Client, admin_client: Client) -> None:
    assert focal_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
