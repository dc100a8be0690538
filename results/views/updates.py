"""A reporting period's page: its target against its actual, its updates and their workflow
(draft, submit, return, approve, revise, delete), the update form and the evidence download.

Who may do what is results.access's (ActivityResultsAccess); what is allowed in which state
is results.services'. Every action is a POST carrying the version of the update the page
showed, so an action on a stale page is refused with a conflict (409) instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.history import Through
from knowledge.models import FileKind
from knowledge.uploads import CONTENT_TYPES, EXTENSIONS

from .. import access, services
from ..forms.updates import ReasonForm, UpdateForm, VersionForm
from ..models import DimensionValue, Period, Update, UpdateDisaggregation
from ..progress import actuals, progress_percent

if TYPE_CHECKING:
    from accounts.models import User

INLINE_KINDS = (FileKind.PDF, FileKind.PNG, FileKind.JPEG, FileKind.GIF, FileKind.WEBP)
# How the service's field names read in a message above the page.
ACTION_LABELS = {
    "return_reason": gettext_lazy("Reason for returning"),
    "revision_reason": gettext_lazy("Reason for the revision"),
    "reason": gettext_lazy("Reason"),
    "version": gettext_lazy("Version"),
    "status": gettext_lazy("Status"),
    "value": gettext_lazy("Value"),
    "narrative": gettext_lazy("Narrative"),
    "achieved": gettext_lazy("Achieved"),
    "parts": gettext_lazy("Disaggregated values"),
    "period": gettext_lazy("Period"),
}


def period_url(period: Period | int, update: Update | None = None) -> str:
    pk = period if isinstance(period, int) else period.pk
    anchor = f"#update-{update.pk}" if update is not None else ""
    return reverse("results:period", args=[pk]) + anchor


def dimension_values(period: Period) -> list[DimensionValue]:
    """The values of the indicator's dimensions, in the focal point's order (one query)."""
    return list(
        DimensionValue.objects.filter(dimension__in=period.indicator.dimensions.values("pk"))
        .select_related("dimension")
        .order_by("dimension__position", "dimension__name", "position", "value")
    )


def _updates(period: Period, user: User) -> list[Update]:
    return list(
        Update.objects.visible_to(user)
        .filter(period=period)
        .select_related("created_by", "submitted_by", "reviewed_by", "evidence_asset", "revises")
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=UpdateDisaggregation.objects.select_related("dimension_value__dimension"),
            )
        )
        .order_by("created_at", "pk")
    )


def _rows(period: Period, values: list[DimensionValue], actual: Any) -> list[dict[str, Any]]:
    targets = {p.dimension_value_id: p.value for p in period.target_parts.all()}
    return [
        {"value": v, "target": targets.get(v.pk), "actual": actual.parts.get(v.pk)} for v in values
    ]


def _actions(update: Update, rights: access.ActivityResultsAccess, revised: set[int]) -> Any:
    """What the viewer may do with this update now (the services refuse the rest anyway)."""
    return {
        "edit": rights.reports and update.is_editable,
        "submit": rights.reports and update.is_editable,
        "delete": rights.reports and update.is_editable,
        "review": rights.approves and update.status == "submitted",
        "revise": rights.reports and update.counts and update.pk not in revised,
    }


def period_page(
    request: HttpRequest,
    period: Period,
    rights: access.ActivityResultsAccess,
    *,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    actual = actuals([period])[period.pk]
    values = dimension_values(period)
    updates = _updates(period, user)
    revised = {u.revises_id for u in updates if u.revises_id}
    for update in updates:
        update.can = _actions(update, rights, revised)  # type: ignore[attr-defined]
    context = {
        "period": period,
        "indicator": period.indicator,
        "activity": period.indicator.result.activity,
        "result": period.indicator.result,
        "rights": rights,
        "actual": actual,
        "progress": progress_percent(period, actual),
        "rows": _rows(period, values, actual),
        "updates": updates,
    }
    return render(request, "results/period.html", context, status=status)


@login_required
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period, rights = access.get_period_for_user(request.user, pk)
    return period_page(request, period, rights)


def _update_form_page(
    request: HttpRequest,
    period: Period,
    rights: access.ActivityResultsAccess,
    update: Update | None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    posted = request.method == "POST"
    form = UpdateForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        indicator=period.indicator,
        dimension_values=dimension_values(period),
        user=user,
        update=update,
    )
    status = 400 if posted else 200
    if posted and form.is_valid():
        try:
            saved = services.save_update(
                period=period,
                data=form.update_data(),
                user=user,
                update=update,
                expected_version=form.cleaned_data.get("version"),
                through=Through.FORM,
            )
        except services.UpdateConflict as conflict:
            form.add_service_errors(conflict)
            status = 409
        except services.ResultsError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The update was saved as a draft. Submit it when ready."))
            return redirect(period_url(period, saved))
    context = {
        "form": form,
        "period": period,
        "indicator": period.indicator,
        "activity": period.indicator.result.activity,
        "update": update,
    }
    return render(request, "results/update_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    period, rights = access.get_period_for_user(request.user, pk)
    rights.require_reporting()
    return _update_form_page(request, period, rights, None)


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update, rights = access.get_update_for_user(request.user, pk)
    rights.require_reporting()
    if request.method == "GET" and not update.is_editable:
        messages.info(
            request,
            _("This update is approved and locked: revise it with a reason instead.")
            if update.is_locked
            else _("This update waits for approval: it cannot be changed now."),
        )
        return redirect(period_url(update.period, update))
    return _update_form_page(request, update.period, rights, update)


def _refused(
    request: HttpRequest,
    update: Update,
    rights: access.ActivityResultsAccess,
    errors: dict[str, Any],
    status: int,
) -> HttpResponse:
    for name, found in errors.items():
        label = ACTION_LABELS.get(name)
        for message in found:
            messages.error(request, f"{label}: {message}" if label else str(message))
    return period_page(request, update.period, rights, status=status)


Perform = Callable[[Update, "User", dict[str, Any]], Update | None]


def _workflow(
    request: HttpRequest,
    pk: int,
    *,
    approving: bool,
    form_class: type[VersionForm],
    perform: Perform,
    done: str,
) -> HttpResponse:
    """Run one action on an update as the page showed it, or show the page saying why not."""
    user: User = request.user  # type: ignore[assignment]
    update, rights = access.get_update_for_user(user, pk)
    if approving:
        rights.require_approving()
    else:
        rights.require_reporting()
    form = form_class(request.POST)
    if not form.is_valid():
        return _refused(request, update, rights, form.errors, 400)
    try:
        changed = perform(update, user, form.cleaned_data)
    except services.UpdateConflict as conflict:
        return _refused(request, update, rights, conflict.errors, 409)
    except services.ResultsError as error:
        return _refused(request, update, rights, error.errors, 400)
    messages.success(request, done)
    if changed is not None and changed.pk != update.pk:  # a revision: straight to its draft
        return redirect("results:update_edit", changed.pk)
    return redirect(period_url(update.period, changed))


def _check_version(update: Update, version: int) -> None:
    if version != update.version:
        raise services.UpdateConflict(update)


@login_required
@require_POST
def update_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        approving=False,
        form_class=VersionForm,
        perform=lambda u, user, data: services.submit_update(
            update=u, user=user, expected_version=data["version"], through=Through.FORM
        ),
        done=_("The update was submitted for approval."),
    )


@login_required
@require_POST
def update_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        approving=True,
        form_class=ReasonForm,
        perform=lambda u, user, data: services.return_update(
            update=u,
            user=user,
            reason=data["reason"],
            expected_version=data["version"],
            through=Through.FORM,
        ),
        done=_("The update was returned for revision, with your reason."),
    )


@login_required
@require_POST
def update_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        approving=True,
        form_class=VersionForm,
        perform=lambda u, user, data: services.approve_update(
            update=u, user=user, expected_version=data["version"], through=Through.FORM
        ),
        done=_("The update was approved: its value now counts."),
    )


def _revise(update: Update, user: User, data: dict[str, Any]) -> Update:
    _check_version(update, data["version"])
    return services.revise_update(
        update=update, user=user, reason=data["reason"], through=Through.FORM
    )


@login_required
@require_POST
def update_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        approving=False,
        form_class=ReasonForm,
        perform=_revise,
        done=_("A revision was started. The approved value counts until the revision is approved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    update, rights = access.get_update_for_user(user, pk)
    rights.require_reporting()
    if request.method == "POST":
        form = VersionForm(request.POST)
        if not form.is_valid():
            return _refused(request, update, rights, form.errors, 400)
        try:
            services.delete_update(
                update=update, expected_version=form.cleaned_data["version"], through=Through.FORM
            )
        except services.UpdateConflict as conflict:
            return _refused(request, update, rights, conflict.errors, 409)
        except services.ResultsError as error:
            return _refused(request, update, rights, error.errors, 400)
        messages.success(request, _("The update was deleted."))
        return redirect(period_url(update.period))
    return render(
        request,
        "results/update_confirm_delete.html",
        {"update": update, "period": update.period, "indicator": update.period.indicator},
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An update's evidence file, to those who read the update, as the type it was checked to
    be when it was uploaded (its name's extension matched its content then)."""
    update, _rights = access.get_update_for_user(request.user, pk)
    if not update.evidence_file:
        raise Http404(_("This update has no evidence file."))
    name = update.evidence_file_name or update.evidence_file.name or ""
    kind = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower() if "." in name else "")
    if kind is None:
        raise Http404(_("This update has no evidence file."))
    response = FileResponse(
        update.evidence_file.open("rb"),
        content_type=CONTENT_TYPES[kind],
        as_attachment=kind not in INLINE_KINDS,
        filename=name,
    )
    # Whatever a file contains, it never runs as part of the portal's pages.
    response["Content-Security-Policy"] = "sandbox"
    return response
