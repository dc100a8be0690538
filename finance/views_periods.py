"""The focal point's closed periods: close a fiscal year (or the days up to a date), list the
closings, reopen one, let one activity write in a closed period until a date.

Closing and reopening change what everyone may write, so each asks for a confirmation first.
The rule itself lives in finance.periods; these views parse, authorize, call a service, render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from activities.history import Through

from . import periods, services
from .forms import ClosePeriodForm, PeriodExceptionForm, ReopenPeriodForm
from .models import ClosedPeriod, FinancialEntry


def _require_focal_point(user: User) -> None:
    if not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point closes and reopens periods."))


def get_period_for_user(user: User, pk: int) -> ClosedPeriod:
    """The one way to a closed period: the focal point's only."""
    _require_focal_point(user)
    period = ClosedPeriod.objects.select_related("closed_by", "reopened_by").filter(pk=pk).first()
    if period is None:
        raise Http404(_("No such closed period."))
    return period


def _refused(form: forms.Form, error: services.FinanceError) -> None:
    for name, problems in error.errors.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest) -> HttpResponse:
    """GET: the closings, newest first, with their exceptions. POST: close a period, once the
    confirmation page (the same form, `confirm` set) has been submitted."""
    user: User = request.user  # type: ignore[assignment]
    _require_focal_point(user)
    form = ClosePeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm"]:
            return _confirm_closing(request, form)
        try:
            period = services.close_period(
                fiscal_year=data["fiscal_year"],
                up_to=data["up_to"],
                reason=data["reason"],
                user=user,
                through=Through.FORM,
            )
        except services.FinanceError as error:
            _refused(form, error)
        else:
            messages.success(request, periods.describe(period))
            return redirect("finance:periods")
    rows = ClosedPeriod.objects.select_related("closed_by", "reopened_by").prefetch_related(
        "exceptions__activity", "exceptions__granted_by"
    )
    return render(
        request,
        "finance/periods.html",
        {
            "form": form,
            "periods": rows,
            "exception_form": PeriodExceptionForm(),
            "closed_line": periods.closed_line(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _confirm_closing(request: HttpRequest, form: ClosePeriodForm) -> HttpResponse:
    data = form.cleaned_data
    probe = ClosedPeriod(fiscal_year=data["fiscal_year"], up_to=data["up_to"])
    entries = FinancialEntry.objects.filter(
        **(
            {"fiscal_year": data["fiscal_year"]}
            if data["fiscal_year"] is not None
            else {"value_date__lte": data["up_to"]}
        )
    ).count()
    confirmed: dict[str, Any] = {
        name: form.data.get(name, "") for name in ("fiscal_year", "up_to", "reason")
    }
    return render(
        request,
        "finance/period_confirm.html",
        {"period": probe, "reason": data["reason"], "entries": entries, "fields": confirmed},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what reopening means, and the reason to give. POST: reopen."""
    user: User = request.user  # type: ignore[assignment]
    period = get_period_for_user(user, pk)
    form = ReopenPeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_period(
                period=period, reason=form.cleaned_data["reason"], user=user, through=Through.FORM
            )
        except services.FinanceError as error:
            _refused(form, error)
        else:
            messages.success(request, _("%(period)s is open again.") % {"period": period.label})
            return redirect("finance:periods")
    return render(
        request,
        "finance/period_reopen.html",
        {"period": period, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def period_exception(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant one activity an exception to a closed period until a date."""
    user: User = request.user  # type: ignore[assignment]
    period = get_period_for_user(user, pk)
    form = PeriodExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.grant_period_exception(
                period=period, user=user, through=Through.FORM, **form.cleaned_data
            )
        except services.FinanceError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(activity)s may write in %(period)s until %(date)s.")
                % {
                    "activity": form.cleaned_data["activity"].ssc_id,
                    "period": period.label,
                    "date": f"{form.cleaned_data['expires_on']:%Y-%m-%d}",
                },
            )
            return redirect("finance:periods")
    for name, problems in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for problem in problems:
            messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect("finance:periods")
