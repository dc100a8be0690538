"""Creating and editing an activity: one page with the activity, its countries and partners."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import duplicates, services
from ..access import get_activity_for_user
from ..forms import (
    ActivityForm,
    CountryFormSet,
    PartnerFormSet,
    build_activity_data,
    country_choices,
    initial_country_rows,
    initial_partner_rows,
    partner_options,
)
from ..history import Through
from ..models import Activity, FoundVia


def _forms(request: HttpRequest, activity: Activity | None) -> tuple[ActivityForm, Any, Any]:
    data = request.POST if request.method == "POST" else None
    countries_initial = initial_country_rows(activity) if activity else None
    partners_initial = initial_partner_rows(activity) if activity else None
    form = ActivityForm(data, instance=activity, user=request.user)  # type: ignore[arg-type]
    countries = CountryFormSet(
        data,
        prefix="countries",
        initial=countries_initial,
        form_kwargs={"country_choices": country_choices()},
    )
    partners = PartnerFormSet(
        data,
        prefix="partners",
        initial=partners_initial,
        form_kwargs={"partner_choices": partner_options()},
    )
    return form, countries, partners


def _apply_service_errors(
    error: services.ActivityError, form: ActivityForm, countries: Any, partners: Any
) -> None:
    """Show each refusal next to the part of the page it is about."""
    for name, messages_ in error.errors.items():
        for message in messages_:
            if name == "countries":
                countries._non_form_errors.append(message)
            elif name == "partners":
                partners._non_form_errors.append(message)
            elif name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


def _render(
    request: HttpRequest,
    form: ActivityForm,
    countries: Any,
    partners: Any,
    activity: Activity | None,
    conflict: list[dict[str, Any]] | None = None,
    status: int = 200,
    suggestions: list[duplicates.Match] | None = None,
) -> HttpResponse:
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "countries": countries,
            "partners": partners,
            "activity": activity,
            "conflict": conflict,
            "suggestions": suggestions,
            "suggestion_ids": ",".join(str(m.activity.pk) for m in suggestions or ()),
        },
        status=status,
    )


def checked_ids(posted: str) -> set[int]:
    """The suggestions the creator told apart ("12,34", the button's value); junk counts as
    none, so that the suggestions show again rather than an error."""
    return {int(part) for part in posted.split(",") if part.strip().isdigit()}


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    """The form; on a POST with likely duplicates not yet told apart, the same form again with
    them listed above it, and a button that creates the activity past them."""
    user = request.user
    if not user.can_create_activities:  # type: ignore[union-attr]
        raise PermissionDenied(_("Only CPMs and the focal point log activities."))
    form, countries, partners = _forms(request, None)
    if request.method == "POST" and _all_valid(form, countries, partners):
        data = build_activity_data(form, countries, partners)
        if data is not None:
            try:
                # Two buttons under the suggestions: "different" (told apart) or "not sure"
                # (created, the pairs left open for the focal point).
                unsure = "unsure_of" in request.POST
                seen = request.POST.get("unsure_of" if unsure else "not_duplicate_of", "")
                activity = services.create_activity_past_duplicates(
                    data=data,
                    user=user,  # type: ignore[arg-type]
                    seen=checked_ids(seen),
                    via=FoundVia.FORM,
                    sure=not unsure,
                    through=Through.FORM,
                )
            except services.LikelyDuplicates as found:
                return _render(request, form, countries, partners, None, suggestions=found.matches)
            except services.ActivityError as error:
                _apply_service_errors(error, form, countries, partners)
            else:
                messages.success(
                    request, _("Activity %(id)s was created.") % {"id": activity.ssc_id}
                )
                return redirect(activity)
    return _render(
        request, form, countries, partners, None, status=400 if request.method == "POST" else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)  # type: ignore[arg-type]
    form, countries, partners = _forms(request, activity)
    conflict = None
    if request.method == "POST" and _all_valid(form, countries, partners):
        data = build_activity_data(form, countries, partners)
        if data is not None:
            loaded_version = form.cleaned_data.get("version")
            try:
                services.update_activity(
                    activity=activity,
                    data=data,
                    user=request.user,  # type: ignore[arg-type]
                    expected_version=loaded_version,
                    through=Through.FORM,
                )
            except services.ConflictError as error:
                conflict = changes_since(error.activity, loaded_version or 0)
                # Keep what this user typed, but carry the current version, so that saving
                # again (after reading what changed) is a deliberate choice. The form is bound
                # to request.POST, which is immutable: rebind it to a copy.
                posted = request.POST.copy()
                posted["version"] = str(error.activity.version)
                form.data = posted
                form.add_error(None, str(error))
            except services.ActivityError as error:
                _apply_service_errors(error, form, countries, partners)
            else:
                messages.success(request, _("Activity %(id)s was saved.") % {"id": activity.ssc_id})
                return redirect(activity)
    return _render(
        request,
        form,
        countries,
        partners,
        activity,
        conflict,
        # A conflict is a 409 even when no change can be listed (an activity loaded or
        # imported without history rows before the other save).
        status=409 if conflict is not None else 400 if request.method == "POST" else 200,
    )


def _all_valid(*forms: Any) -> bool:
    # Validate every part, so that all errors show at once.
    return all([f.is_valid() for f in forms])


def _field_label(name: str) -> str:
    field = Activity._meta.get_field(name)
    # History tracks the activity's own fields; a reverse relation has no label of its own.
    return str(field.verbose_name) if isinstance(field, Field) else name


def changes_since(activity: Activity, version: int) -> list[dict[str, Any]]:
    """Who changed which fields of the activity after the given version, oldest first."""
    records = list(
        activity.history.filter(version__gte=version)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes = []
    previous = None
    for record in records:
        if previous is not None and record.version > version:
            delta = record.diff_against(previous)
            changes.append(
                {
                    "user": record.history_user,
                    "date": record.history_date,
                    "fields": [
                        _field_label(change.field)
                        for change in delta.changes
                        if change.field not in ("version",)
                    ],
                }
            )
        previous = record
    return changes
