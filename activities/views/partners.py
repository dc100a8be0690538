"""Partner organizations: list, detail, create, edit and merge duplicates."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Field, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, services
from ..forms_partners import PartnerForm, PartnerMergeForm
from ..history import Through
from ..models import Activity, ActivityPartner, Country, Partner, PartnerType

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25
# Public sort names -> database ordering.
PARTNER_ORDERING = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "country": ("country__name", "name"),
    "-country": ("-country__name", "name"),
    "activities": ("n_activities", "name"),
    "-activities": ("-n_activities", "name"),
}


def _sort_headers(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("ordering", None)
    base = params.urlencode()
    headers = {}
    for name in ("name", "country", "activities"):
        if current == name:
            state, next_value = "ascending", f"-{name}"
        elif current == f"-{name}":
            state, next_value = "descending", name
        else:
            state, next_value = "none", "-activities" if name == "activities" else name
        headers[name] = {
            "query": f"{base}&ordering={next_value}" if base else f"ordering={next_value}",
            "aria_sort": state,
        }
    return headers


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible_activities = Activity.objects.visible_to(user).values("pk")
    # Re-select by id: visible_partners may be a union, which cannot be annotated safely.
    partners = (
        Partner.objects.filter(pk__in=access.visible_partners(user).values("pk"))
        .select_related("country")
        .annotate(
            n_activities=Count(
                "activity_links__activity",
                filter=Q(activity_links__activity__in=visible_activities),
                distinct=True,
            )
        )
    )
    q = request.GET.get("q", "").strip()[:200]
    partner_type = request.GET.get("type", "")
    country_code = request.GET.get("country", "")
    problems: list[str] = []
    if q:
        partners = partners.search(q)
    if partner_type:
        if partner_type in PartnerType.values:
            partners = partners.filter(type=partner_type)
        else:
            problems.append(
                _("Unknown partner type %(value)r was ignored.") % {"value": partner_type}
            )
    if country_code == "none":
        partners = partners.filter(country__isnull=True)
    elif country_code:
        country = Country.objects.filter(iso2=country_code).first()
        if country:
            partners = partners.filter(country=country)
        else:
            problems.append(_("Unknown country %(value)r was ignored.") % {"value": country_code})
    ordering = request.GET.get("ordering", "name")
    if ordering not in PARTNER_ORDERING:
        problems.append(_("Unknown sort order %(value)r was ignored.") % {"value": ordering})
        ordering = "name"
    partners = partners.order_by(*PARTNER_ORDERING[ordering])
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page_obj": page,
        "partners": page.object_list,
        "q": q,
        "selected_type": partner_type,
        "selected_country": country_code,
        "types": PartnerType.choices,
        # Only countries that have a partner: a short, useful list (one query).
        "countries": Country.objects.filter(partners__isnull=False).distinct().order_by("name"),
        "problems": problems,
        "sort": _sort_headers(request, request.GET.get("ordering", "")),
        "page_query": params.urlencode(),
        "has_filters": bool(q or partner_type or country_code),
    }
    return render(request, "activities/partner_list.html", context)


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    partner = access.get_partner_for_user(user, pk)
    links = (
        ActivityPartner.objects.filter(
            partner=partner, activity__in=Activity.objects.visible_to(user)
        )
        .select_related("activity__lead_division")
        .order_by("-activity__updated_at", "activity_id", "role")
    )
    grouped: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for link in links:
        entry = grouped.setdefault(link.activity_id, {"activity": link.activity, "roles": []})
        entry["roles"].append(link.get_role_display())
    page = Paginator(list(grouped.values()), PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    context = {
        "partner": partner,
        "page_obj": page,
        "rows": page.object_list,
        "can_manage": user.can_manage_partners,
        "user_count": partner.users.count() if user.can_manage_partners else None,
    }
    return render(request, "activities/partner_detail.html", context)


@login_required
def partner_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.can_add_partners:
        raise PermissionDenied(_("Only CPMs and the focal point add partner organizations."))
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.create_partner(user=user, through=Through.FORM, **form.cleaned_data)
        except services.PartnerError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": partner})
            return redirect(partner)
    return render(request, "activities/partner_form.html", {"form": form, "partner": None})


@login_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    partner = access.get_partner_for_user(user, pk, write=True)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.update_partner(
                partner=partner, user=user, through=Through.FORM, **form.cleaned_data
            )
        except services.PartnerError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": partner})
            return redirect(partner)
    return render(request, "activities/partner_form.html", {"form": form, "partner": partner})


def _field_label(name: str) -> str:
    field = Partner._meta.get_field(name)
    # Only the partner's own fields are named; a reverse relation has no label of its own.
    return str(field.verbose_name) if isinstance(field, Field) else name


@login_required
def partner_merge(request: HttpRequest) -> HttpResponse:
    """Two steps: choose the pair (GET), then confirm what will move (POST with confirm=1)."""
    user: User = request.user  # type: ignore[assignment]
    if not user.can_manage_partners:
        raise PermissionDenied(_("Only the focal point merges partner organizations."))
    if request.method == "POST":
        form = PartnerMergeForm(request.POST)
    elif "review" in request.GET:
        form = PartnerMergeForm(request.GET)
    else:
        # Prefilled from a link such as "Merge with another" on a partner's page.
        initial = {k: v for k, v in request.GET.items() if k in ("keep", "remove")}
        form = PartnerMergeForm(initial=initial)
    if not form.is_bound or not form.is_valid():
        return render(request, "activities/partner_merge.html", {"form": form})
    keep: Partner = form.cleaned_data["keep"]
    remove: Partner = form.cleaned_data["remove"]
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            services.merge_partners(keep=keep, remove=remove, user=user, through=Through.FORM)
        except services.PartnerError as error:
            for field_messages in error.errors.values():
                for message in field_messages:
                    form.add_error(None, message)
            return render(request, "activities/partner_merge.html", {"form": form})
        messages.success(
            request,
            _("%(removed)s was merged into %(kept)s.") % {"removed": remove, "kept": keep},
        )
        return redirect(keep)
    moving = list(
        ActivityPartner.objects.filter(partner=remove)
        .select_related("activity")
        .order_by("activity__ssc_id", "role")
    )
    already = set(
        ActivityPartner.objects.filter(
            partner=keep, activity_id__in=[link.activity_id for link in moving]
        ).values_list("activity_id", "role")
    )
    context = {
        "form": form,
        "keep": keep,
        "remove": remove,
        "moving": [
            {"link": link, "duplicate": (link.activity_id, link.role) in already} for link in moving
        ],
        "users_moving": remove.users.count(),
        "filled_from_remove": [
            _field_label(name)
            for name in ("acronym", "website", "iati_identifier")
            if not getattr(keep, name) and getattr(remove, name)
        ],
    }
    return render(request, "activities/partner_merge_confirm.html", context)
