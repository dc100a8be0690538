"""The activity list as a file (activities.export): the list's filters and the caller's
visibility, the columns and the format the list's Export form chose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..export import COLUMNS_BY_KEY, DEFAULT_COLUMNS, FORMATS, activities_csv, activities_xlsx
from .pages import list_filter

if TYPE_CHECKING:
    from accounts.models import User

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refusal(lines: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def _problems(request: HttpRequest) -> list[str]:
    """What is wrong with the export's own parameters, named as the form labels them."""
    problems = []
    if request.GET.get("format", "csv") not in FORMATS:
        problems.append(_("Format: choose CSV or Excel (xlsx)."))
    unknown = [c for c in request.GET.getlist("columns") if c not in COLUMNS_BY_KEY]
    if unknown:
        problems.append(_("Columns: unknown column %(names)s.") % {"names": ", ".join(unknown)})
    return problems


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponseBase:
    user: User = request.user  # type: ignore[assignment]
    problems = _problems(request)
    activity_filter = list_filter(request, user)
    if activity_filter.is_bound and not activity_filter.is_valid():
        labels = {name: field.label for name, field in activity_filter.form.fields.items()}
        problems += [
            f"{labels.get(name, name)}: {message}"
            for name, messages in activity_filter.errors.items()
            for message in messages
        ]
    if problems:
        return _refusal(problems)
    keys = request.GET.getlist("columns") or list(DEFAULT_COLUMNS)
    columns = [COLUMNS_BY_KEY[key] for key in dict.fromkeys(keys)]
    stamp = timezone.now().strftime("%Y-%m-%d")
    response: HttpResponseBase
    if request.GET.get("format", "csv") == "xlsx":
        response = FileResponse(
            activities_xlsx(activity_filter.qs, columns),
            content_type=XLSX_TYPE,
            as_attachment=True,
            filename=f"ssc-activities-{stamp}.xlsx",
        )
    else:
        response = StreamingHttpResponse(
            activities_csv(activity_filter.qs, columns), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ssc-activities-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
