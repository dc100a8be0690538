"""Learning routes: their host cases and participants, and the action plans followed up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from activities.history import Through

from .. import access, services
from ..forms import ActionPlanForm, RouteForm, build_route_data, route_formsets
from ..models import ActionPlan, LearningRoute, PlanStatus, version_title
from ..record_history import route_history_entries
from .common import (
    add_service_errors,
    keep_what_was_typed,
    paginate,
    query_without,
)

if TYPE_CHECKING:
    from accounts.models import User


def _plan_counts(plans: Any) -> list[dict[str, Any]]:
    """Plans per follow-up status, in the order a plan moves (one query)."""
    rows = dict(plans.order_by().values_list("status").annotate(n=Count("pk")))
    return [
        {"status": status, "label": label, "count": rows.get(status, 0)}
        for status, label in PlanStatus.choices
    ]


@login_required
def route_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    routes = LearningRoute.objects.visible_to(user)
    rows = (
        routes.select_related("division", "organizer")
        .annotate(
            n_hosts=Count("host_cases", distinct=True),
            n_participants=Count("participants", distinct=True),
            n_plans=Count("plans", distinct=True),
            n_implemented=Count(
                "plans", filter=Q(plans__status=PlanStatus.IMPLEMENTED), distinct=True
            ),
        )
        .order_by("-start_date", "-pk")
    )
    page = paginate(request, rows)
    context = {
        "page_obj": page,
        "routes": page.object_list,
        "plan_counts": _plan_counts(ActionPlan.objects.filter(route__in=routes.values("pk"))),
        "page_query": query_without(request.GET, "page"),
        "can_contribute": access.can_contribute(user),
    }
    return render(request, "knowledge/route_list.html", context)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every action plan of the routes the user may read: which got adopted, funded, done."""
    user: User = request.user  # type: ignore[assignment]
    plans = ActionPlan.objects.filter(route__in=LearningRoute.objects.visible_to(user).values("pk"))
    status = request.GET.get("status", "")
    problems = []
    counts = _plan_counts(plans)
    if status and status not in PlanStatus.values:
        problems.append(_("Unknown status %(value)r was ignored.") % {"value": status})
        status = ""
    if status:
        plans = plans.filter(status=status)
    rows = (
        plans.select_related(
            "route", "participant__organization", "participant__country", "evidence_asset"
        )
        .annotate(evidence_title=version_title(asset_field="evidence_asset_id"))
        .order_by("-status_date", "-pk")
    )
    page = paginate(request, rows)
    return render(
        request,
        "knowledge/plan_list.html",
        {
            "page_obj": page,
            "plans": page.object_list,
            "plan_counts": counts,
            "selected_status": status,
            "problems": problems,
            "page_query": query_without(request.GET, "page"),
        },
    )


@login_required
def route_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    route = access.get_route_for_user(user, pk)
    plans = list(
        route.plans.select_related(
            "participant__organization", "participant__country", "evidence_asset"
        ).annotate(evidence_title=version_title(asset_field="evidence_asset_id"))
    )
    context = {
        "route": route,
        "themes": list(route.themes.all()),
        "host_cases": list(route.host_cases.select_related("host", "country", "theme")),
        "participants": list(route.participants.select_related("organization", "country")),
        "plans": plans,
        "plan_counts": _plan_counts(route.plans.all()),
        "can_edit": access.can_edit_route(user, route),
    }
    return render(request, "knowledge/route_detail.html", context)


@login_required
@require_GET
def route_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The route's changes, with those of its host cases, participants and action plans."""
    route = access.get_route_for_user(request.user, pk)
    page = paginate(request, route_history_entries(route))
    return render(
        request,
        "knowledge/route_history.html",
        {"route": route, "page_obj": page, "entries": page.object_list},
    )


def _route_form_page(request: HttpRequest, route: LearningRoute | None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else None
    form = RouteForm(data, user=user, instance=route)
    hosts, participants = route_formsets(data, route)
    if request.method == "POST" and all(
        [form.is_valid(), hosts.is_valid(), participants.is_valid()]
    ):
        route_data = build_route_data(form, hosts, participants)
        if route_data is not None:
            try:
                saved = services.save_route(
                    route=route,
                    data=route_data,
                    user=user,
                    read_at=form.cleaned_data["read_at"],
                    through=Through.FORM,
                )
            except services.StaleEditError as error:
                keep_what_was_typed(request, form, route, error)
            except services.KnowledgeError as error:
                add_service_errors(form, error, {"activity": "activity_ssc_id"})
            else:
                messages.success(request, _("The learning route was saved."))
                return redirect(saved)
    return render(
        request,
        "knowledge/route_form.html",
        {"form": form, "hosts": hosts, "participants": participants, "route": route},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def route_create(request: HttpRequest) -> HttpResponse:
    access.require_contributor(request.user)
    return _route_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def route_edit(request: HttpRequest, pk: int) -> HttpResponse:
    route = access.get_route_for_user(request.user, pk, write=True)
    return _route_form_page(request, route)


@login_required
@require_http_methods(["GET", "POST"])
def route_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    route = access.get_route_for_user(user, pk, write=True)
    if request.method == "POST":
        services.delete_route(route=route, user=user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": route.title})
        return redirect("knowledge:route_list")
    return render(
        request,
        "knowledge/confirm_delete.html",
        {
            "title": _("Delete this learning route?"),
            "object_label": route.title,
            "consequences": [
                _(
                    "Its host cases, its %(count)d participant(s) and their %(plans)d action "
                    "plan(s) are deleted for good."
                )
                % {"count": route.participants.count(), "plans": route.plans.count()},
                _("The activity it is linked to, if any, stays."),
            ],
            "cancel_url": route.get_absolute_url(),
            "breadcrumb": (_("Learning routes"), "knowledge:route_list"),
        },
    )


def _plan(route: LearningRoute, plan_id: int) -> ActionPlan:
    plan = route.plans.filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("No such action plan on this route."))
    return plan


def _plan_form_page(
    request: HttpRequest, route: LearningRoute, plan: ActionPlan | None
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None, route=route, user=user, instance=plan
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_action_plan(
                plan=plan,
                route=route,
                fields=form.plan_fields(),
                user=user,
                read_at=form.cleaned_data["read_at"],
                through=Through.FORM,
            )
        except services.StaleEditError as error:
            keep_what_was_typed(request, form, plan, error)
        except services.KnowledgeError as error:
            add_service_errors(form, error, {"evidence_asset": "evidence_reference"})
        else:
            messages.success(request, _("The action plan was saved."))
            return redirect(route)
    return render(
        request,
        "knowledge/plan_form.html",
        {"form": form, "route": route, "plan": plan},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    route = access.get_route_for_user(request.user, pk, write=True)
    return _plan_form_page(request, route, None)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    route = access.get_route_for_user(request.user, pk, write=True)
    return _plan_form_page(request, route, _plan(route, plan_id))


@login_required
@require_http_methods(["GET", "POST"])
def plan_delete(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    route = access.get_route_for_user(user, pk, write=True)
    plan = _plan(route, plan_id)
    if request.method == "POST":
        services.delete_action_plan(plan=plan, user=user, through=Through.FORM)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": plan.title})
        return redirect(route)
    return render(
        request,
        "knowledge/confirm_delete.html",
        {
            "title": _("Delete this action plan?"),
            "object_label": plan.title,
            "consequences": [_("The plan and its follow-up are deleted for good.")],
            "cancel_url": route.get_absolute_url(),
            "breadcrumb": (_("Learning routes"), "knowledge:route_list"),
        },
    )
