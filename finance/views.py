"""The finance pages: an activity's money, corrections, and the exchange-rate table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import formatting
from accounts.models import User
from accounts.roles import access_of
from activities.access import can_edit_activity, get_activity_for_user
from activities.filters import ActivityFilter
from activities.forms import labelled_errors, partner_options
from activities.history import Through, through_label
from activities.models import Activity, Country, Partner
from ssc_portal.db_router import reads_from_replica

from . import import_review, import_uploads, importer, periods, services
from .access import get_activity_money_for_user, require_agency_figures
from .export import build_workbook, ledger_csv
from .forms import (
    CorrectionForm,
    EntryLineForm,
    EntryLineFormSet,
    RateForm,
    RateUploadForm,
    WorkbookUploadForm,
    entry_data,
    provider_country_choices,
)
from .in_kind import unvalued_in_kind
from .models import CURRENCY_CODES, ExchangeRate, FinancialEntry, ImportRun, PendingImport
from .summary import activity_finance


def _field_label(name: str) -> str:
    """A refused field as people read it ("Value date"), not its name in the code."""
    try:
        field = FinancialEntry._meta.get_field(name)
    except FieldDoesNotExist:
        return ""  # the message alone: never the name in the code
    return capfirst(str(getattr(field, "verbose_name", "")))


def _add_errors(error: services.FinanceError, target: Any, form_class: type[forms.Form]) -> None:
    """The service's messages, each after the label of its field on the page's form."""
    for name, problems in error.errors.items():
        field = form_class.base_fields.get(name)
        label = field.label if field is not None else _field_label(name)
        for problem in problems:
            target.append(f"{label}: {problem}" if label and name != "__all__" else problem)


def _line_options() -> dict[str, Any]:
    """What every line of the entry form shares: the partners' and countries' options."""
    return {"partner_choices": partner_options(), "country_choices": provider_country_choices()}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activity_finance_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = get_activity_money_for_user(user, pk)
    can_edit = can_edit_activity(user, activity)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("You may read these figures but not change them."))
    lines = EntryLineFormSet(
        request.POST if request.method == "POST" else None,
        prefix="lines",
        form_kwargs=_line_options(),
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
        countries = Country.objects.in_bulk(
            [
                f.cleaned_data["provider_country"]
                for f in lines.forms
                if f.cleaned_data.get("provider_country")
            ]
        )
        rows = entry_data(lines, partners, countries)
        try:
            loaded = int(request.POST.get("version", ""))
        except ValueError:
            loaded = None
        if not rows:
            problems.append(_("Type an amount or a quantity on at least one line."))
        else:
            try:
                services.record_entries(
                    activity=activity,
                    entries=rows,
                    user=user,
                    expected_version=loaded,
                    through=Through.FORM,
                )
            except services.LedgerConflict as error:
                conflict = True
                _add_errors(error, problems, EntryLineForm)
            except services.FinanceError as error:
                _add_errors(error, problems, EntryLineForm)
            else:
                messages.success(
                    request,
                    _("%(count)d line(s) recorded.") % {"count": len(rows)},
                )
                return redirect("finance:activity", pk=activity.pk)
    status = 409 if conflict else 400 if request.method == "POST" else 200
    return _finance_page(
        request,
        activity,
        lines=lines,
        can_edit=can_edit,
        version=version,
        problems=problems,
        conflict=conflict,
        status=status,
    )


def _finance_page(
    request: HttpRequest,
    activity: Activity,
    *,
    lines: Any,
    can_edit: bool,
    version: int,
    problems: list[str],
    conflict: bool,
    status: int,
) -> HttpResponse:
    entries = (
        FinancialEntry.objects.filter(activity=activity)
        .select_related(
            "contributor", "contributor_group", "created_by", "corrects", "provider_country"
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/activity.html",
        {
            "activity": activity,
            "sheet": activity_finance(activity),
            # What leverage left out for having no value, in the words of every other surface.
            "unvalued": unvalued_in_kind(FinancialEntry.objects.filter(activity=activity)),
            "page": page,
            "lines": lines,
            "can_edit": can_edit,
            # A group's lines are split by the focal point (finance.views_groups).
            "can_split": can_edit and access_of(request.user).keeps_reference_data,
            "version": version,
            "problems": problems,
            "conflict": conflict,
            "currency_codes": sorted(CURRENCY_CODES),
            # Editors learn what is closed before typing lines that would be refused.
            "closed_line": periods.closed_line() if can_edit else "",
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
            value_date=form.cleaned_data["value_date"],
            new_quantity=form.cleaned_data["new_quantity"],
            through=Through.FORM,
        )
    except services.LedgerConflict as error:
        # The page again, as it stands now, with the conflict: a redirect would answer 302.
        conflict: list[str] = []
        _add_errors(error, conflict, CorrectionForm)
        return _finance_page(
            request,
            activity,
            lines=EntryLineFormSet(prefix="lines", form_kwargs=_line_options()),
            can_edit=True,
            version=services.ledger_version(activity),
            problems=conflict,
            conflict=True,
            status=409,
        )
    except services.FinanceError as error:
        problems: list[str] = []
        _add_errors(error, problems, CorrectionForm)
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
    require_agency_figures(user, _("Exchange rates are for agency staff."))
    form = RateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require_focal_point(user)
        if form.is_valid():
            try:
                services.set_rate(
                    user=user,
                    currency=form.cleaned_data["currency"],
                    month=form.cleaned_data["month"],
                    units_per_usd=form.cleaned_data["units_per_usd"],
                    source=form.cleaned_data["source"],
                    confirmed=form.cleaned_data.get("confirm", False),
                )
            except services.FinanceError as error:
                if isinstance(error, services.RateOutlier):
                    form.add_confirmation()
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
                confirm_outliers=upload.cleaned_data["confirm_outliers"],
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


# --- Workbook import and export --------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _require_focal_point_for_imports(user)
    form = WorkbookUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            pending = PendingImport.objects.create(
                user=user,
                filename=upload.name[:255],
                sha256=importer.checksum(upload),
            )
            pending.file.save(f"{pending.pk}.xlsx", upload, save=True)
            import_uploads.start_pending_import(pending=pending, commit=False)
        return redirect("finance:import_detail", pk=pending.pk)
    runs = Paginator(ImportRun.objects.select_related("user"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/imports.html",
        {"form": form, "page": runs},
        status=400 if request.method == "POST" else 200,
    )


def _require_focal_point_for_imports(user: User) -> None:
    if not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point imports the corporate workbook."))


def _get_pending(user: User, pk: int) -> PendingImport:
    _require_focal_point_for_imports(user)
    pending = PendingImport.objects.select_related("user", "run").filter(pk=pk).first()
    if pending is None:
        raise Http404(_("No such import."))
    return pending


@never_cache
@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pending = _get_pending(request.user, pk)  # type: ignore[arg-type]
    progress = import_uploads.import_progress(pending.pk) if pending.is_running else None
    reviews = pending.reviews()
    checked = 0
    if pending.state == PendingImport.State.CHECKED:
        checked = import_review.likely_duplicates(reviews, request.user)
    return render(
        request,
        "finance/import_detail.html",
        {
            "pending": pending,
            "progress": progress,
            "earlier": pending.earlier_import(),
            "reviews": reviews,
            "made_at": pending.made_at(),
            "duplicates_checked": checked,
        },
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    pending = _get_pending(request.user, pk)  # type: ignore[arg-type]
    overwrite = sorted(set(request.POST.getlist("overwrite")))
    unknown = [ssc_id for ssc_id in overwrite if ssc_id not in pending.conflict_ids()]
    if unknown:
        messages.error(
            request,
            _(
                "Overwrite: %(ids)s is not an activity in conflict in this check. "
                "Nothing was imported."
            )
            % {"ids": ", ".join(unknown)},
        )
        return redirect("finance:import_detail", pk=pending.pk)
    with transaction.atomic():
        # Only a checked file moves on, once: a double click does not import twice.
        moved = PendingImport.objects.filter(
            pk=pending.pk, state=PendingImport.State.CHECKED
        ).update(state=PendingImport.State.IMPORTING, overwrite=overwrite)
        if moved:
            pending.state = PendingImport.State.IMPORTING
            import_uploads.start_pending_import(pending=pending, commit=True)
    if not moved:
        messages.error(request, _("This file is not ready to import."))
    return redirect("finance:import_detail", pk=pending.pk)


def _filtered_activities(request: HttpRequest) -> Any:
    """The activities the list page shows for the same query string, for downloads."""
    user: User = request.user  # type: ignore[assignment]
    activity_filter = ActivityFilter(
        request.GET or None, queryset=Activity.objects.visible_to(user), request=request
    )
    if activity_filter.is_bound and not activity_filter.is_valid():
        return None, labelled_errors(activity_filter.form)
    return activity_filter.qs, None


@login_required
@reads_from_replica
def export_workbook(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_agency_figures(user, _("The corporate workbook is for agency staff."))
    activities, errors = _filtered_activities(request)
    if errors:
        return HttpResponse(
            "\n".join(errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        build_workbook(activities),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="ssc-activities.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reads_from_replica
def export_ledger(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_agency_figures(user, _("The ledger is for agency staff."))
    activities, errors = _filtered_activities(request)
    if errors:
        return HttpResponse(
            "\n".join(errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(ledger_csv(activities), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ssc-ledger.csv"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def money_history(request: HttpRequest) -> HttpResponse:
    """Every change to money and rates across the portfolio, newest first (the focal point's).

    Ledger entries are never edited, so the entries themselves are the history of the figures;
    rates are edited in place, so their history comes from the audit table, before and after.
    """
    user: User = request.user  # type: ignore[assignment]
    if not user.is_focal_point:
        raise PermissionDenied(_("The portfolio's money history is for the focal point."))
    entries = FinancialEntry.objects.select_related(
        "activity", "contributor", "contributor_group", "created_by"
    )
    ssc_id = request.GET.get("activity", "").strip().upper()
    if ssc_id:
        entries = entries.filter(activity__ssc_id=ssc_id)
    entries_page = Paginator(entries.order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    # What each entry came through (an import run names itself in the entry's history).
    reasons = dict(
        FinancialEntry.history.filter(  # type: ignore[attr-defined]
            id__in=[entry.pk for entry in entries_page], history_type="+"
        ).values_list("id", "history_change_reason")
    )
    for entry in entries_page:
        entry.through = through_label(reasons.get(entry.pk))  # type: ignore[attr-defined]
    rate_changes = Paginator(
        ExchangeRate.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        ),
        25,
    ).get_page(request.GET.get("rates_page"))
    rows = []
    for record in rate_changes:
        previous = record.prev_record
        rows.append(
            {
                "record": record,
                "before": formatting.rate(previous.units_per_usd) if previous is not None else "",
                "after": formatting.rate(record.units_per_usd),
            }
        )
    return render(
        request,
        "finance/history.html",
        {
            "entries": entries_page,
            "rate_rows": rows,
            "rates_page": rate_changes,
            "activity": ssc_id,
        },
    )
