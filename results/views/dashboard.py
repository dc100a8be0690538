"""The focal point's results dashboard at /results/dashboard/: each active core indicator's
portfolio figure with its target, a chart by year, the activities behind each figure, and the
same figures as an xlsx workbook.

Agency staff only (they read the whole portfolio, so the figures need no scoping); partner
users are refused and anonymous visitors sent to sign in.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.roles import access_of
from finance.dashboard import Reference
from finance.reports import XLSX_TYPE, tables_xlsx

from ..dashboard import (
    Figure,
    ResultsFilters,
    chart_data,
    contributions,
    portfolio_figures,
    summary_table,
    years_table,
)
from ..forms.dashboard import ResultsFilterForm
from ..models import CoreIndicator

ACTIVITIES_PER_PAGE = 50
MAX_PAGE = 100_000  # a larger number would only read nothing, or overflow OFFSET


def _require_staff(user: User) -> None:
    if not access_of(user).is_staff:
        raise PermissionDenied(_("The results dashboard is for agency staff."))


def _filter_form(request: HttpRequest, reference: Reference) -> ResultsFilterForm:
    form = ResultsFilterForm(request.GET or None, reference=reference)
    if form.is_bound:
        form.is_valid()
    return form


def _activities_url(core_pk: int, request: HttpRequest, year: int | None = None) -> str:
    """The list of the activities behind a figure, under the same filters (one year's)."""
    query = request.GET.copy()
    query.pop("page", None)
    if year is not None:
        query["year_from"] = query["year_to"] = str(year)
    url = reverse("results:dashboard_activities", args=[core_pk])
    return f"{url}?{query.urlencode()}" if query else url


def _cards(request: HttpRequest, figures: list[Figure]) -> list[dict[str, object]]:
    return [
        {
            "figure": figure,
            "slug": f"core-{figure.core.pk}",
            "activities_url": _activities_url(figure.core.pk, request),
            "table": years_table(
                figure,
                [_activities_url(figure.core.pk, request, year.year) for year in figure.years],
            ),
        }
        for figure in figures
    ]


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _require_staff(user)
    reference = Reference.load()
    form = _filter_form(request, reference)
    figures = portfolio_figures(form.results_filters())
    return render(
        request,
        "results/dashboard.html",
        {
            "form": form,
            "errors": form.error_lines() if form.is_bound else [],
            "figures": figures,
            "reported": any(figure.actual is not None for figure in figures),
            "summary": summary_table(
                figures, [_activities_url(figure.core.pk, request) for figure in figures]
            ),
            "cards": _cards(request, figures),
            "chart_data": chart_data(figures),
            "query": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures under the same filters: the overview, then a sheet per core
    indicator by year."""
    user: User = request.user  # type: ignore[assignment]
    _require_staff(user)
    reference = Reference.load()
    form = _filter_form(request, reference)
    if form.errors:
        return HttpResponse(
            "\n".join(form.error_lines()), status=400, content_type="text/plain; charset=utf-8"
        )
    figures = portfolio_figures(form.results_filters())
    tables = [summary_table(figures), *(years_table(figure) for figure in figures)]
    preamble = [_("Results dashboard"), *_filter_lines(form.results_filters(), reference)]
    response = HttpResponse(tables_xlsx(tables, preamble=preamble), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ssc-results-dashboard.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _filter_lines(filters: ResultsFilters, reference: Reference) -> list[str]:
    lines = []
    if filters.year_from is not None or filters.year_to is not None:
        lines.append(
            _("Years %(first)s to %(last)s")
            % {"first": filters.year_from or "…", "last": filters.year_to or "…"}
        )
    named = [
        (_("Divisions"), [reference.divisions[pk].code for pk in filters.divisions]),
        (_("Countries"), [reference.country_label(pk) for pk in filters.countries]),
        (_("Themes"), [reference.theme_label(pk) for pk in filters.themes]),
        (_("Modalities"), list(filters.modalities)),
    ]
    lines += [f"{title}: {', '.join(values)}" for title, values in named if values]
    return lines or [_("No filter: the whole portfolio, every year")]


@never_cache
@login_required
@require_GET
def dashboard_activities(request: HttpRequest, pk: int) -> HttpResponse:
    """The activities behind one figure, with what each adds to its actual and target."""
    user: User = request.user  # type: ignore[assignment]
    _require_staff(user)
    core = CoreIndicator.objects.filter(pk=pk, is_active=True).first()
    if core is None:
        raise Http404(_("No such core indicator."))
    reference = Reference.load()
    form = _filter_form(request, reference)
    filters = form.results_filters()
    number = request.GET.get("page") or 1
    try:
        page = min(max(1, int(number)), MAX_PAGE)
    except ValueError:
        page = 1
    total, rows = contributions(
        core, filters, limit=ACTIVITIES_PER_PAGE, offset=(page - 1) * ACTIVITIES_PER_PAGE
    )
    # The rows' number comes with them: the paginator numbers the pages from it, and a page
    # past the last one (which reads no row, so no number) shows the first one.
    page_obj = Paginator(range(total), ACTIVITIES_PER_PAGE).get_page(page)
    if page_obj.number != page:
        total, rows = contributions(
            core,
            filters,
            limit=ACTIVITIES_PER_PAGE,
            offset=(page_obj.number - 1) * ACTIVITIES_PER_PAGE,
        )
    page_obj.elided_range = list(  # type: ignore[attr-defined]
        page_obj.paginator.get_elided_page_range(page_obj.number)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "results/dashboard_activities.html",
        {
            "core": core,
            "figure": Figure(core=core),
            "rows": rows,
            "page_obj": page_obj,
            "page_query": query.urlencode(),
            "filter_lines": _filter_lines(filters, reference),
            "errors": form.error_lines() if form.is_bound else [],
            "back_url": reverse("results:dashboard") + (f"?{query.urlencode()}" if query else ""),
        },
        status=400 if form.errors else 200,
    )
