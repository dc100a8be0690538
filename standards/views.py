"""The "Standards reporting" page: choose an export and its selection, follow its progress,
download it, or read the problems its checks found by activity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User

from . import access, sdg1731
from .errors import StandardsError
from .forms import ExportForm
from .models import ExportFormat, StandardsExport
from .services import start_export

CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def _form(user: User, data: Any = None) -> ExportForm:
    return ExportForm(data, kinds=access.kinds_for(user), whole=access.exports_all(user))


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """GET: the form and the exports asked for. POST: ask for one."""
    user: User = request.user  # type: ignore[assignment]
    access.require_standards(user)
    form = _form(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            start_export(
                user=user,
                kind=form.cleaned_data["kind"],
                file_format=form.cleaned_data["format"],
                selection=form.selection(),
                language=get_language() or "",
            )
        except StandardsError as error:
            for name, problems in error.errors.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("Your export is being built; it is listed below."))
            return redirect("standards:index")
    page = Paginator(access.readable_exports(user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/index.html",
        {
            "form": form,
            "page": page,
            "running": any(export.is_running for export in page),
            "show_requester": user.is_focal_point,
            "slice_country": user.counterpart_country if access.slice_country_of(user) else None,
            "method_notes": sdg1731.METHOD_NOTES,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export: its state and, when the checks refused it, the problems by activity."""
    export = access.get_export_for_user(request.user, pk)
    return render(request, "standards/detail.html", {"export": export})


@login_required
@require_GET
def status(request: HttpRequest, pk: int) -> JsonResponse:
    """The export's state and progress, for a page that polls."""
    export = access.get_export_for_user(request.user, pk)
    return JsonResponse(
        {
            "state": export.state,
            "progress": export.progress,
            "rows": export.rows,
            "problems": len(export.problems),
        }
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = access.get_export_for_user(request.user, pk)
    if export.state != StandardsExport.State.DONE or not export.file:
        messages.error(request, _("This export is not ready."))
        return redirect("standards:detail", pk=export.pk)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[ExportFormat(export.format)],
    )
    response["Cache-Control"] = "no-store"
    return response
