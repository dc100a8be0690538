"""Learning-route follow-ups: what became of each action plan 3, 6 and 12 months after its
route, recorded by the route's CPM or the focal point, and listed per route.

The route's own page is knowledge's, which does not know results (it sits below): the list
of a route's follow-ups is this app's page, reached from the tasks and the route."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from activities.history import Through
from knowledge import access as knowledge_access

from .. import access, services
from ..forms.updates import FollowUpForm
from ..models import PlanFollowUp

if TYPE_CHECKING:
    from accounts.models import User


@login_required
@require_GET
def route_follow_ups(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    route = knowledge_access.get_route_for_user(user, pk)
    plans = list(
        route.plans.select_related("participant__organization", "participant__country")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=PlanFollowUp.objects.select_related("recorded_by").order_by("months"),
            )
        )
        .order_by("pk")
    )
    context = {
        "route": route,
        "plans": plans,
        "can_record": knowledge_access.can_edit_route(user, route),
    }
    return render(request, "results/follow_ups.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    follow_up = access.get_follow_up_for_user(user, pk, write=True)
    posted = request.method == "POST"
    form = FollowUpForm(request.POST if posted else None, instance=follow_up)
    if posted and form.is_valid():
        try:
            services.record_follow_up(
                follow_up=follow_up, data=form.follow_up_data(), user=user, through=Through.FORM
            )
        except services.ResultsError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The follow-up was recorded."))
            return redirect(reverse("results:route_follow_ups", args=[follow_up.plan.route_id]))
    return render(
        request,
        "results/follow_up_form.html",
        {
            "form": form,
            "follow_up": follow_up,
            "plan": follow_up.plan,
            "route": follow_up.plan.route,
        },
        status=400 if posted else 200,
    )
