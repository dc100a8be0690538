"""Saved views of the activity list: save the current filters under a name, list, open (by
link), rename, share and delete them. Each user keeps their own (activities.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, services
from ..forms_saved_views import SavedViewEditForm, SavedViewForm

if TYPE_CHECKING:
    from accounts.models import User


def _refused(form: Form, error: services.ActivityError) -> None:
    """The service's messages on the form, each next to its field."""
    for name, problems in error.errors.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_list(request: HttpRequest) -> HttpResponse:
    """The user's views; a POST saves the filters the list's "Save this view" form sends."""
    user: User = request.user  # type: ignore[assignment]
    form = SavedViewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            view = services.create_saved_view(
                owner=user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data["shared"],
            )
        except services.ActivityError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
            return redirect(view.list_url)
    views = list(user.saved_views.all())  # type: ignore[attr-defined]
    return render(
        request,
        "activities/saved_views.html",
        {"views": views, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def saved_view_open(request: HttpRequest, token: str) -> HttpResponse:
    """The view's link: the list with its filters, which shows the caller what they may read."""
    user: User = request.user  # type: ignore[assignment]
    view = access.open_saved_view_for_user(user, token)
    return redirect(view.list_url)


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    view = access.get_saved_view_for_user(user, pk)
    initial = {"name": view.name, "shared": view.shared, "version": view.version}
    form = SavedViewEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_saved_view(
                view=view,
                user=user,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ActivityError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
            return redirect("activities:saved_views")
    return render(
        request,
        "activities/saved_view_form.html",
        {"view": view, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A page asks to confirm; its POST deletes the view (never the activities it lists)."""
    user: User = request.user  # type: ignore[assignment]
    view = access.get_saved_view_for_user(user, pk)
    if request.method == "POST":
        services.delete_saved_view(view=view, user=user)
        messages.success(request, _("Deleted the view “%(name)s”.") % {"name": view.name})
        return redirect("activities:saved_views")
    return render(request, "activities/saved_view_delete.html", {"view": view})
