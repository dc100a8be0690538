"""The finance pages: an activity's money, corrections, and the exchange-rate table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from activities.access import can_edit_activity, get_activity_for_user
from activities.forms import partner_choices
from activities.models import Partner

from . import services
from .forms import CorrectionForm, EntryLineFormSet, RateForm, RateUploadForm, entry_data
from .models import CURRENCY_CODES, ExchangeRate, FinancialEntry
from .summary import activity_finance


def _add_errors(error: services.FinanceError, target: Any) -> None:
    for name, problems in error.errors.items():
        for problem in problems:
            target.append(problem if name == "__all__" else f"{name}: {problem}")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activity_finance_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = get_activity_for_user(user, pk)
    can_edit = can_edit_activity(user, activity)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("You may read these figures but not change them."))
    choices = partner_choices()
    lines = EntryLineFormSet(
        request.POST if request.method == "POST" else None,
        prefix="lines",
        form_kwargs={"partner_choices": choices},
    )
    version = services.ledger_version(activity)
    problems: list[str] = []
    conflict = False
    if request.method == "POST" and lines.is_valid():
        partners = Partner.objects.in_bulk(
            [
                f.cleaned_data.get("contributor")
                for f in lines.forms
                if f.cleaned_data.get("contributor")
            ]
        )
        rows = entry_data(lines, partners)
        try:
            loaded = int(request.POST.get("version", ""))
        except ValueError:
            loaded = None
        if not rows:
            problems.append(_("Type an amount on at least one line."))
        else:
            try:
                services.record_entries(
                    activity=activity, entries=rows, user=user, expected_version=loaded
                )
            except services.LedgerConflict as error:
                conflict = True
                _add_errors(error, problems)
            except services.FinanceError as error:
                _add_errors(error, problems)
            else:
                messages.success(
                    request,
                    _("%(count)d line(s) recorded.") % {"count": len(rows)},
                )
                return redirect("finance:activity", pk=activity.pk)
    entries = (
        FinancialEntry.objects.filter(activity=activity)
        .select_related("contributor", "created_by", "corrects")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    status = 409 if conflict else 400 if request.method == "POST" else 200
    return render(
        request,
        "finance/activity.html",
        {
            "activity": activity,
            "sheet": activity_finance(activity),
            "page": page,
            "lines": lines,
            "can_edit": can_edit,
            "version": version,
            "problems": problems,
            "conflict": conflict,
            "currency_codes": sorted(CURRENCY_CODES),
        },
        status=status,
    )


@login_required
@require_POST
def correct_entry(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = get_activity_for_user(user, pk, write=True)
    entry = FinancialEntry.objects.filter(activity=activity, pk=entry_id).first()
    if entry is None:
        messages.error(request, _("No such entry on this activity."))
        return redirect("finance:activity", pk=activity.pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("finance:activity", pk=activity.pk)
    try:
        services.correct_entry(
            entry=entry,
            new_amount=form.cleaned_data["new_amount"],
            reason=form.cleaned_data["reason"],
            user=user,
            expected_version=form.cleaned_data["version"],
        )
    except services.FinanceError as error:
        problems: list[str] = []
        _add_errors(error, problems)
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("The correction was recorded."))
    return redirect("finance:activity", pk=activity.pk)


def _require_focal_point(user: User) -> None:
    if not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point keeps the exchange rates."))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_staff_reader:
        raise PermissionDenied(_("Exchange rates are for agency staff."))
    form = RateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require_focal_point(user)
        if form.is_valid():
            try:
                services.set_rate(user=user, **form.cleaned_data)
            except services.FinanceError as error:
                for name, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, _("The rate was saved."))
                return redirect("finance:rates")
    currency = request.GET.get("currency", "").strip().upper()
    rows = ExchangeRate.objects.select_related("updated_by")
    if currency:
        rows = rows.filter(currency=currency)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/rates.html",
        {
            "form": form,
            "upload": RateUploadForm(),
            "page": page,
            "currency": currency,
            "can_edit": user.is_focal_point,
            "currency_codes": sorted(CURRENCY_CODES),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def upload_rates(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _require_focal_point(user)
    upload = RateUploadForm(request.POST, request.FILES)
    if upload.is_valid():
        # A valid form has the file; its name is recorded as the rates' source.
        uploaded = request.FILES.get("file")
        try:
            result = services.import_rates_csv(
                text=upload.cleaned_data["file"],
                user=user,
                source=(uploaded.name or "")[:200] if uploaded else "",
            )
        except services.FinanceError as error:
            for problems in error.errors.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(
                request,
                _("Rates imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    else:
        for field_errors in upload.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
    return redirect("finance:rates")
