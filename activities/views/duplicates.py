"""The focal point's report of likely duplicates: the pairs found when activities were created,
to check and tell apart (activities.duplicates finds them; services.duplicates decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..duplicate_pairs import MergedVia
from ..duplicates import compare
from ..forms_merge import ActivityMergeForm
from ..history import Through
from ..merge_facts import merge_facts
from ..models import ActivityCountry, ActivityPartner, DuplicatePair, PairState

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25
# Public sort names -> database ordering; the likeliest first unless asked otherwise.
ORDERING = {
    "likeness": ("score", "pk"),
    "-likeness": ("-score", "-pk"),
    "found": ("found_at", "pk"),
    "-found": ("-found_at", "-pk"),
}
STATES = {
    "open": PairState.OPEN,
    "different": PairState.DIFFERENT,
    "merged": PairState.MERGED,
    "all": None,
}


def _links(prefix: str) -> list[Prefetch[Any]]:
    return [
        Prefetch(
            f"{prefix}__country_links", queryset=ActivityCountry.objects.select_related("country")
        ),
        Prefetch(
            f"{prefix}__partner_links", queryset=ActivityPartner.objects.select_related("partner")
        ),
    ]


def _sort_headers(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("ordering", None)
    base = params.urlencode()
    headers = {}
    for name in ("likeness", "found"):
        if current == name:
            state, next_value = "ascending", f"-{name}"
        elif current == f"-{name}":
            state, next_value = "descending", name
        else:
            state, next_value = "none", f"-{name}"
        query = f"ordering={next_value}"
        headers[name] = {"query": f"{base}&{query}" if base else query, "aria_sort": state}
    return headers


def _counts(pairs: QuerySet[DuplicatePair]) -> dict[str, int]:
    by_state = dict(pairs.values_list("state").annotate(n=Count("pk")).order_by())
    return {
        "open": by_state.get(PairState.OPEN, 0),
        "different": by_state.get(PairState.DIFFERENT, 0),
        "merged": by_state.get(PairState.MERGED, 0),
        "all": sum(by_state.values()),
    }


@login_required
def duplicate_report(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pairs = access.duplicate_pairs_for_user(user)
    problems: list[str] = []
    state = request.GET.get("state", "open")
    if state not in STATES:
        problems.append(_("Unknown state %(value)r was ignored.") % {"value": state})
        state = "open"
    ordering = request.GET.get("ordering", "-likeness")
    if ordering not in ORDERING:
        problems.append(_("Unknown sort order %(value)r was ignored.") % {"value": ordering})
        ordering = "-likeness"
    counts = _counts(pairs)
    wanted = STATES[state]
    if wanted is not None:
        pairs = pairs.filter(state=wanted)
    pairs = (
        pairs.select_related("first", "second", "decided_by")
        .prefetch_related(*_links("first"), *_links("second"))
        .order_by(*ORDERING[ordering])
    )
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    params = request.GET.copy()
    params.pop("page", None)
    rows = [(pair, compare(pair.second, pair.first)) for pair in page.object_list]
    return render(
        request,
        "activities/duplicate_report.html",
        {
            "page_obj": page,
            "rows": rows,
            "state": state,
            "counts": counts,
            "problems": problems,
            "sort": _sort_headers(request, request.GET.get("ordering", "")),
            "page_query": params.urlencode(),
        },
        status=400 if problems else 200,
    )


@login_required
@require_POST
def duplicate_tell_apart(request: HttpRequest, pk: int) -> HttpResponse:
    """The focal point's one click on an open pair: these are two different activities."""
    user: User = request.user  # type: ignore[assignment]
    pair = access.get_duplicate_pair_for_user(user, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.tell_apart(pair=pair, user=user, expected_version=version, through=Through.FORM)
    except services.ActivityError as error:
        messages.error(request, " ".join(error.errors["__all__"]))
    else:
        messages.success(
            request,
            _("%(first)s and %(second)s are recorded as different activities.")
            % {"first": pair.first.ssc_id, "second": pair.second.ssc_id},
        )
    # Back to the same page of the report: its query only, on this page's own address.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(
        f"{reverse('activities:duplicates')}?{query}" if query else "activities:duplicates"
    )


def _sides(pair: DuplicatePair) -> list[dict[str, Any]]:
    """Both activities as the merge page compares them: their own facts, then what the apps
    above hold of them (activities.merge_facts)."""
    first, second = pair.first, pair.second
    prefetch_related_objects(
        [first, second],
        Prefetch("country_links", queryset=ActivityCountry.objects.select_related("country")),
        Prefetch("partner_links", queryset=ActivityPartner.objects.select_related("partner")),
        "themes",
    )
    extra = merge_facts([first.pk, second.pk])
    return [
        {
            "activity": activity,
            "countries": [
                f"{link.country.name} ({link.get_role_display()})"
                for link in activity.country_links.all()
            ],
            "partners": [
                f"{link.partner.name} ({link.get_role_display()})"
                for link in activity.partner_links.all()
            ],
            "themes": [theme.name for theme in activity.themes.all()],
            "facts": extra[activity.pk],
        }
        for activity in (first, second)
    ]


@login_required
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The focal point's merge of a pair: both side by side, which to keep, then one POST."""
    user: User = request.user  # type: ignore[assignment]
    pair = access.get_duplicate_pair_for_user(user, pk)
    first, second = pair.first, pair.second
    form = ActivityMergeForm(request.POST or None, first=first, second=second)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            keep_first = form.cleaned_data["keep"] == first.pk
            keep, remove = (first, second) if keep_first else (second, first)
            versions = (form.cleaned_data["first_version"], form.cleaned_data["second_version"])
            try:
                services.merge_activities(
                    keep=keep,
                    remove=remove,
                    user=user,
                    keep_version=versions[0] if keep_first else versions[1],
                    remove_version=versions[1] if keep_first else versions[0],
                    via=MergedVia.FORM,
                )
            except services.ActivityError as error:
                status = 409 if isinstance(error, services.ConflictError) else 400
                for field_messages in error.errors.values():
                    for message in field_messages:
                        form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(removed)s was merged into %(kept)s: its history stays readable.")
                    % {"removed": remove.ssc_id, "kept": keep.ssc_id},
                )
                return redirect(keep)
        else:
            status = 400
    return render(
        request,
        "activities/duplicate_merge.html",
        {
            "pair": pair,
            "form": form,
            "sides": _sides(pair),
            "merged": pair.state == PairState.MERGED,
        },
        status=status,
    )
