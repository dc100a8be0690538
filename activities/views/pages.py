"""Browsing pages: the portfolio home, the activity list, one activity, its history."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..export import COLUMNS, COLUMNS_BY_KEY, DEFAULT_COLUMNS
from ..filters import ActivityFilter, reporting_years
from ..history import Through, activity_history_entries
from ..models import (
    Activity,
    ActivityCountry,
    ActivityMerge,
    ActivityPartner,
    ActivityQuerySet,
    Partner,
    Scope,
    Status,
)
from ..texts import local_title, versions_for_reader

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25
RECENT_COUNT = 8
# Columns that sort when their header is clicked: (ordering name, header label).
SORTABLE_COLUMNS = ("ssc_id", "title", "status", "year", "updated")
# What the list's address may carry besides its filters: the export's columns and format.
NOT_FILTERS = ("columns", "format")


def _status_counts(activities: QuerySet[Activity]) -> list[dict[str, Any]]:
    """Counts per status in lifecycle order, in one query; statuses with none are left out."""
    rows = dict(
        activities.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return _in_status_order(rows)


def _portfolio(user: User) -> tuple[ActivityQuerySet, str]:
    """The activities the home page is about for this user, and what to call them."""
    if user.is_focal_point:
        # Counted whole and listed: see without_merged on inline_ids.
        return (
            access.without_merged(Activity.objects.all(), inline_ids=True),
            _("the whole portfolio"),
        )
    if user.is_cpm:
        # Counted by status and listed: see editable_by on inline_ids.
        return Activity.objects.editable_by(user, inline_ids=True), _("activities you manage")
    if user.partner_id:
        links = ActivityPartner.objects.filter(partner_id=user.partner_id)
        visible = Activity.objects.visible_to(user)
        return visible.filter(pk__in=links.values("activity_id")), _(
            "activities your organization takes part in"
        )
    return Activity.objects.visible_to(user), _("activities you can see")


def _portfolio_overview(
    portfolio: QuerySet[Activity],
) -> tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]]]:
    """The focal point's home figures (counts by status, the data to complete, counts by lead
    division) from one pass over the portfolio grouped by status and division, instead of a
    pass for each: the portfolio is every activity."""
    rows = (
        portfolio.order_by()
        .values_list("status", "lead_division__code", "lead_division__name")
        .annotate(
            n=Count("pk"),
            in_project_without_id=Count("pk", filter=Q(funding_nature="in_project", project_id="")),
            public=Count("pk", filter=Q(visibility="public")),
            without_type=Count("pk", filter=Q(activity_type="")),
        )
    )
    by_status: dict[str, int] = defaultdict(int)
    by_division: dict[tuple[str, str], int] = defaultdict(int)
    summary = {"missing_project_id": 0, "public": 0, "without_type": 0}
    for status, code, name, n, without_id, public, without_type in rows:
        by_status[status] += n
        by_division[(code, name)] += n
        summary["missing_project_id"] += without_id
        summary["public"] += public
        summary["without_type"] += without_type
    divisions = [
        # The division's name in the reader's language (activities.reference_names).
        {"lead_division__code": code, "lead_division__name": _(name), "n": n}
        for (code, name), n in sorted(by_division.items())
    ]
    return _in_status_order(by_status), summary, divisions


def _in_status_order(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Counts per status in lifecycle order; statuses with none are left out."""
    return [
        {"status": status, "label": label, "count": counts[status]}
        for status, label in Status.choices
        if counts.get(status)
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activities, scope_label = _portfolio(user)
    context: dict[str, Any] = {
        "scope_label": scope_label,
        # Viewers see the agency's list, not a personal one: their cards link to the full list.
        "mine_query": "mine=1&" if (user.is_cpm or user.partner_id) else "",
    }
    if user.is_focal_point:
        status_counts, context["summary"], context["by_division"] = _portfolio_overview(activities)
    else:
        status_counts = _status_counts(activities)
    context["status_counts"] = status_counts
    context["total"] = sum(row["count"] for row in status_counts)
    context["recent"] = list(activities.for_list()[:RECENT_COUNT])
    if user.partner_id:
        context["organization"] = Partner.objects.filter(pk=user.partner_id).first()
    return render(request, "activities/home.html", context)


def _query_without(params: QueryDict, *names: str) -> str:
    """The current query string without some parameters (for sort links and pagination)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


def _sort_headers(params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it and its aria-sort state."""
    base = _query_without(params, "ordering", "page")
    headers = {}
    for name in SORTABLE_COLUMNS:
        if current == name:
            state, next_value = "ascending", f"-{name}"
        elif current == f"-{name}":
            state, next_value = "descending", name
        else:
            # Dates read best newest first; names and codes A to Z.
            state, next_value = "none", f"-{name}" if name in ("updated", "year") else name
        query = f"{base}&ordering={next_value}" if base else f"ordering={next_value}"
        headers[name] = {"query": query, "aria_sort": state}
    return headers


def _page(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    # get_page never raises: a bad or out-of-range ?page= shows the first or last page.
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def list_filter(
    request: HttpRequest, user: User, *, activities: ActivityQuerySet | None = None
) -> ActivityFilter:
    """The list's filter over what the user reads (`activities`, when given, is that with what
    a page shows prefetched); the export and the saved views apply the same one."""
    # The list sorts and pages what it filters: see visible_to on inline_ids.
    visible = (
        activities if activities is not None else Activity.objects.visible_to(user, inline_ids=True)
    )
    data = request.GET.copy()
    for name in NOT_FILTERS:
        data.pop(name, None)
    return ActivityFilter(data or None, queryset=visible, request=request)


def _export_context(request: HttpRequest, errors: dict[str, Any]) -> dict[str, Any]:
    """The Export and Save forms: the list's valid filters as hidden fields, and the columns
    (those in the address, else the default set)."""
    chosen = [c for c in request.GET.getlist("columns") if c in COLUMNS_BY_KEY]
    checked = set(chosen or DEFAULT_COLUMNS)
    filters = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in (*NOT_FILTERS, "page") and name not in errors
        for value in values
        if value.strip()
    ]
    saved = QueryDict(mutable=True)
    for name, value in filters:
        saved.appendlist(name, value)
    export_query = saved.urlencode()
    if chosen:
        saved.setlist("columns", chosen)
    return {
        "export_filters": filters,
        "export_query": export_query,
        "chosen_columns": chosen,
        "export_columns": [(column, column.key in checked) for column in COLUMNS],
        "save_query": saved.urlencode(),
    }


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = Activity.objects.visible_to(user, inline_ids=True)
    # Each title in the reader's language where the activity has a version in it.
    shown = visible.for_list().with_flags().annotate(local_title=local_title())
    activity_filter = list_filter(request, user, activities=shown)
    # Invalid parameters are reported on the page and ignored; the others still apply.
    filter_errors = activity_filter.errors if activity_filter.is_bound else {}
    page = _page(request, activity_filter.qs)
    active = {
        name: value
        for name, value in request.GET.dict().items()
        if name not in ("page", "ordering", *NOT_FILTERS) and value.strip()
    }
    partner = None
    if activity_filter.is_bound and not filter_errors.get("partner"):
        partner = activity_filter.form.cleaned_data.get("partner")
    ordering = request.GET.get("ordering", "")
    context = {
        "filter": activity_filter,
        "form": activity_filter.form,
        "filter_errors": filter_errors,
        "page_obj": page,
        "activities": page.object_list,
        "has_filters": bool(active),
        "selected_partner": partner,
        # Over the activities merged away too: leaving them out takes a join, which keeps the
        # span's MIN/MAX from its expression index and read every activity on each request. A
        # year only they had at an end of the span just lists nothing.
        "years": reporting_years(
            access.readable_activities(Activity.objects.all(), user, merged=True)
        ),
        "selected_year": request.GET.get("reporting_year", ""),
        "sort": _sort_headers(request.GET, ordering),
        "page_query": _query_without(request.GET, "page"),
        # Only worth a query when the page is empty: does the user have anything at all?
        "has_any": bool(page.object_list) or visible.exists(),
        # The money filters other apps add (activities.filters.list_filter_extensions).
        "extension_fields": [
            activity_filter.form[name]
            for extension in activity_filter.extensions
            for name in extension.filters
            if name in activity_filter.form.fields
        ],
        **_export_context(request, filter_errors),
    }
    return render(request, "activities/list.html", context)


def _partners_with_roles(activity: Activity) -> list[dict[str, Any]]:
    """Each partner once, with the roles it plays in the activity (one row per role in the
    database)."""
    grouped: OrderedDict[int, dict[str, Any]] = OrderedDict()
    links = activity.partner_links.select_related("partner__country").order_by(
        "partner__name", "role"
    )
    for link in links:
        entry = grouped.setdefault(link.partner_id, {"partner": link.partner, "roles": []})
        entry["roles"].append(link.get_role_display())
    return list(grouped.values())


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    kept = access.merged_into_for_user(user, pk)
    if kept is not None:
        # A link to a merged activity (a bookmark, a mail, an inbox line) leads to its record now.
        messages.info(
            request,
            _("The activity you asked for was merged into %(kept)s: this is its record now.")
            % {"kept": kept.ssc_id},
        )
        return redirect(kept)
    activity = access.get_activity_for_user(user, pk)
    # Activity.providers/receivers/scope read the prefetched links: one query fills them all.
    prefetch_related_objects(
        [activity],
        Prefetch(
            "country_links",
            queryset=ActivityCountry.objects.select_related("country__division").order_by(
                "country__name"
            ),
        ),
    )
    links = list(activity.country_links.all())
    can_edit = access.can_edit_activity(user, activity)
    themes = list(activity.themes.all())
    shown, *other_versions = versions_for_reader(activity)
    context = {
        "activity": activity,
        "text": shown,
        "other_versions": other_versions,
        "country_links": links,
        "providers": [link for link in links if link.is_provider],
        "receivers": [link for link in links if link.is_receiver],
        "partners": _partners_with_roles(activity),
        "themes": themes,
        "sdgs": list(activity.sdgs.all()),
        "can_edit": can_edit,
        # What its status needs and the record lacks (an import keeps it): said, not refused.
        "missing_facts": list(activity.missing_status_facts().values()),
        "scope_label": Scope(activity.scope).label,
        "next_statuses": [
            (status, Status(status).label) for status in activity.allowed_next_statuses
        ]
        if can_edit
        else [],
        "last_status_change": activity.status_changes.select_related("changed_by").first(),
    }
    return render(request, "activities/detail.html", context)


@login_required
@require_POST
def activity_status(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = access.get_activity_for_user(user, pk, write=True)
    status = request.POST.get("status", "")
    note = request.POST.get("note", "").strip()
    try:
        expected_version: int | None = int(request.POST["version"])
    except (KeyError, ValueError):
        expected_version = None
    if expected_version is None:
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return redirect(activity)
    if len(note) > 2000:
        messages.error(request, _("Keep the note under 2,000 characters."))
        return redirect(activity)
    try:
        services.change_status(
            activity=activity,
            status=status,
            note=note,
            user=user,
            expected_version=expected_version,
            through=Through.FORM,
        )
    except services.ActivityError as error:
        for field_messages in error.errors.values():
            for message in field_messages:
                messages.error(request, message)
        return redirect(activity)
    messages.success(
        request,
        _("Status changed to %(status)s.") % {"status": activity.get_status_display()},
    )
    return redirect(activity)


@login_required
def activity_history(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # A merged activity's history stays readable: the kept one's history links to it.
    activity = access.get_activity_for_user(user, pk, merged=True)
    entries = activity_history_entries(activity)
    page = _page(request, entries, per_page=20)
    return render(
        request,
        "activities/history.html",
        {
            "activity": activity,
            "page_obj": page,
            "entries": page.object_list,
            "merge": ActivityMerge.objects.filter(removed=activity).select_related("kept").first(),
            "merged_from": list(
                ActivityMerge.objects.filter(kept=activity).select_related("removed")
            ),
        },
    )
