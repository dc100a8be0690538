"""The People pages: the focal point lists, invites and changes people, deactivates and
reactivates them, and reads who can see and change what. Each view parses, authorizes through
accounts.access, calls accounts.services.people and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.forms import (
    PeopleFilterForm,
    PersonChangeForm,
    PersonForm,
    PersonInviteForm,
    PersonVersionForm,
)
from accounts.language import offered_language
from accounts.models import User
from accounts.people.directory import people_matching, status_of
from accounts.people.history import person_history
from accounts.people.scope import scope_summary
from accounts.services import people as services

PAGE_SIZE = 25
SORTABLE = ("name", "email", "role", "last_login")


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link (ascending first, then descending) and its aria-sort."""
    links = {}
    for key in SORTABLE:
        params = request.GET.copy()
        params.pop("page", None)
        params["ordering"] = f"-{key}" if current == key else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        links[key] = {"query": params.urlencode(), "aria_sort": state}
    return links


@login_required
@require_http_methods(["GET", "HEAD"])
def people_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access.require_people_manager(user)
    form = PeopleFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    filters: dict[str, Any] = form.cleaned_data if request.GET and valid else {}
    page = Paginator(people_matching(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    params = request.GET.copy()
    params.pop("page", None)
    rows = [(person, status_of(person)) for person in page.object_list]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "sort": _sort_links(request, filters.get("ordering") or "name"),
        "page_query": params.urlencode(),
        "has_filters": any(v for k, v in filters.items() if k != "ordering"),
    }
    return render(request, "accounts/people_list.html", context, status=200 if valid else 400)


@login_required
@require_http_methods(["GET", "HEAD"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access.get_person_for_user(user, pk)
    context = {
        "person": person,
        "status": status_of(person),
        "divisions": list(person.divisions.all()),
        "countries": list(person.countries.all()),
        "scope": scope_summary(person),
        "history": person_history(person),
        "may_change": services.may_manage(user, person),
        "version_form": PersonVersionForm(initial={"version": person.version}),
    }
    return render(request, "accounts/person_detail.html", context)


def _data(form: PersonForm) -> services.PersonData:
    values = form.cleaned_data
    return services.PersonData(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        role=values["role"],
        divisions=list(values["divisions"]),
        countries=list(values["countries"]),
        partner=values["partner"],
        counterpart_country=values["counterpart_country"],
        language=values.get("language", ""),
    )


def _refused(form: PersonForm, error: services.PeopleError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def person_invite(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access.require_people_manager(user)
    roles = services.assignable_roles(user)
    # The inviter's language is proposed: the one this page is in (their choice, when made).
    inviters = offered_language(translation.get_language() or "") or ""
    data = request.POST if request.method == "POST" else None
    form = PersonInviteForm(data, initial={"language": inviters}, roles=roles)
    if request.method == "POST" and form.is_valid():
        person_data = _data(form)
        person_data.language = person_data.language or inviters
        try:
            person = services.invite_person(
                actor=user, data=person_data, site_url=request.build_absolute_uri("/")
            )
        except services.PeopleError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was invited: a link to set a password went to %(email)s.")
                % {"name": person, "email": person.email},
            )
            return redirect("accounts:person_detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/person_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access.get_person_for_user(user, pk, write=True)
    roles = services.assignable_roles(user)
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "divisions": list(person.divisions.all()),
        "countries": list(person.countries.all()),
        "partner": person.partner,
        "counterpart_country": person.counterpart_country,
        "version": person.version,
    }
    data = request.POST if request.method == "POST" else None
    form = PersonChangeForm(data, initial=initial, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_person(
                actor=user,
                person=person,
                data=_data(form),
                expected_version=form.cleaned_data["version"],
            )
        except services.PeopleError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": person})
            return redirect("accounts:person_detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "accounts/person_form.html", context, status=status)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    """GET asks to confirm; POST, with the version the confirmation was shown at, does it."""
    user: User = request.user  # type: ignore[assignment]
    person = access.get_person_for_user(user, pk, write=True)
    form = PersonVersionForm(
        request.POST if request.method == "POST" else None, initial={"version": person.version}
    )
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            error = _("The confirmation was incomplete: open this page again and confirm.")
        else:
            try:
                services.set_person_active(
                    actor=user,
                    person=person,
                    active=active,
                    expected_version=form.cleaned_data["version"],
                )
            except services.PeopleError as refused:
                error = refused.message
            else:
                done = _("%(name)s was reactivated.") if active else _("%(name)s was deactivated.")
                messages.success(request, done % {"name": person})
                return redirect("accounts:person_detail", pk=person.pk)
    context = {"person": person, "form": form, "active": active, "error": error}
    status = 400 if error else 200
    return render(request, "accounts/person_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@login_required
@require_POST
def person_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access.get_person_for_user(user, pk, write=True)
    try:
        services.resend_invitation(
            actor=user, person=person, site_url=request.build_absolute_uri("/")
        )
    except services.PeopleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new link to set a password went to %(email)s; the earlier links no longer work.")
            % {"email": person.email},
        )
    return redirect(reverse("accounts:person_detail", args=[person.pk]))
