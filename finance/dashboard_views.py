"""The dashboard at /dashboard/: charts of the roll-ups, their tables as files, and reports.

Agency staff only, and each of them sees the whole portfolio (finance.access); partner users
are refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from ssc_portal.db_router import reads_from_replica

from . import periods
from .access import require_agency_figures
from .dashboard import (
    MAP_FILE,
    TABLE_SLUGS,
    Reference,
    Selection,
    build_table,
    render_board,
    selection_version,
)
from .dashboard import describe_filters as filter_lines
from .forms import DashboardFilterForm
from .models import ReportExport
from .reports import XLSX_TYPE, filters_from_json, start_report_export, table_csv, tables_xlsx
from .rollups import rollup_state

FILE_FORMATS = ("csv", "xlsx")


def _require_staff_reader(user: User) -> None:
    require_agency_figures(user, _("The portfolio dashboard is for agency staff."))


def _filter_form(request: HttpRequest, reference: Reference) -> DashboardFilterForm:
    form = DashboardFilterForm(request.GET or None, reference=reference)
    if form.is_bound:
        form.is_valid()
    return form


def _rebuild_url(user: User) -> str:
    """The focal point's roll-up rebuild page, when the portfolio has one."""
    if not user.is_focal_point:
        return ""
    try:
        return reverse("finance:rollup_rebuild")
    except NoReverseMatch:
        return ""


@never_cache
@login_required
@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _require_staff_reader(user)
    reference = Reference.load()
    form = _filter_form(request, reference)
    state = rollup_state()
    filters = form.rollup_filters()
    selection = Selection(user, filters, reference, version=selection_version(filters))
    query = request.GET.urlencode()
    board = render_board(selection, state, map_url=static(MAP_FILE), query=query)
    return render(
        request,
        "finance/dashboard.html",
        {
            "form": form,
            "errors": form.error_lines() if form.is_bound else [],
            "board": board,
            "state": state,
            "query": query,
            # The valid filters again, as hidden fields of the report request.
            "hidden_filters": [
                (name, value)
                for name in form.fields
                if name not in form.errors
                for value in request.GET.getlist(name)
            ],
            "filter_lines": filter_lines(selection.filters, reference),
            "rebuild_url": _rebuild_url(user),
            "report_formats": ReportExport.Format.choices,
            "closed_line": periods.closed_line(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@reads_from_replica
def dashboard_table(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    """One chart's table with the dashboard's filters (same query string), as CSV or xlsx."""
    user: User = request.user  # type: ignore[assignment]
    _require_staff_reader(user)
    if table not in TABLE_SLUGS or file_format not in FILE_FORMATS:
        raise Http404(_("No such table."))
    reference = Reference.load()
    form = _filter_form(request, reference)
    if form.errors:
        return HttpResponse(
            "\n".join(form.error_lines()), status=400, content_type="text/plain; charset=utf-8"
        )
    filters = form.rollup_filters()
    data = build_table(
        Selection(user, filters, reference, version=selection_version(filters)), table
    )
    if file_format == "csv":
        response = HttpResponse(table_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tables_xlsx([data]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ssc-dashboard-{table}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """GET: the reports asked for (the focal point sees everyone's). POST: ask for one with the
    dashboard's filters (the form's hidden fields) in the chosen format."""
    user: User = request.user  # type: ignore[assignment]
    _require_staff_reader(user)
    reference = Reference.load()
    if request.method == "POST":
        form = DashboardFilterForm(request.POST, reference=reference)
        file_format = request.POST.get("format", "")
        if file_format not in ReportExport.Format.values:
            messages.error(request, _("format: choose xlsx or pdf."))
        elif not form.is_valid():
            for line in form.error_lines():
                messages.error(request, line)
        else:
            start_report_export(
                user=user,
                filters=form.rollup_filters(),
                file_format=file_format,
                language=get_language() or "",
            )
            messages.success(
                request, _("Your report is being built; it will be listed here when ready.")
            )
        return redirect("finance:reports")
    exports = ReportExport.objects.select_related("requested_by")
    if not user.is_focal_point:
        exports = exports.filter(requested_by=user)
    page = Paginator(exports, 25).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number)
    )
    rows: list[dict[str, Any]] = [
        {
            "export": export,
            "filters": filter_lines(filters_from_json(export.filters), reference),
        }
        for export in page
    ]
    return render(
        request,
        "finance/reports.html",
        {
            "page": page,
            "rows": rows,
            "running": any(row["export"].is_running for row in rows),
            "show_requester": user.is_focal_point,
        },
    )


def get_report_for_user(user: User, pk: int) -> ReportExport:
    """A report its requester or the focal point may download; 404 when there is none."""
    _require_staff_reader(user)
    export = ReportExport.objects.select_related("requested_by").filter(pk=pk).first()
    if export is None:
        raise Http404(_("No such report."))
    if export.requested_by_id != user.pk and not user.is_focal_point:
        raise PermissionDenied(_("Only the person who asked for this report may download it."))
    return export


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = get_report_for_user(request.user, pk)  # type: ignore[arg-type]
    if export.state != ReportExport.State.DONE or not export.file:
        messages.error(request, _("This report is not ready yet."))
        return redirect("finance:reports")
    content_type = XLSX_TYPE if export.format == ReportExport.Format.XLSX else "application/pdf"
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "no-store"
    return response
