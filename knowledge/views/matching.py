"""Demand and offer: learning demands of country programmes, what institutions offer, and the
proposed matches a CPM turns into a new activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.history import Through

from .. import access, services
from ..forms import DemandForm, OfferForm
from ..matching import propose_matches
from ..models import DemandStatus, LearningDemand, LearningOffer
from ..record_history import demand_history_entries, offer_history_entries
from .common import (
    add_service_errors,
    keep_what_was_typed,
    paginate,
    query_without,
)

if TYPE_CHECKING:
    from accounts.models import User


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access.require_staff(user)
    demands = LearningDemand.objects.visible_to(user).select_related(
        "country__division", "activity", "created_by"
    )
    status = request.GET.get("status", "")
    if status in DemandStatus.values:
        demands = demands.filter(status=status)
    else:
        status = ""
    page = paginate(request, demands.prefetch_related("themes"))
    return render(
        request,
        "knowledge/demand_list.html",
        {
            "page_obj": page,
            "demands": page.object_list,
            "statuses": DemandStatus.choices,
            "selected_status": status,
            "page_query": query_without(request.GET, "page"),
            "can_contribute": access.can_contribute(user),
        },
    )


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    demand = access.get_demand_for_user(user, pk)
    can_edit = access.can_edit_demand(user, demand)
    return render(
        request,
        "knowledge/demand_detail.html",
        {
            "demand": demand,
            "themes": list(demand.themes.all()),
            "proposals": propose_matches(demand) if demand.is_open else [],
            "can_edit": can_edit,
            "can_accept": can_edit and demand.is_open and user.can_create_activities,
        },
    )


@login_required
@require_GET
def demand_history(request: HttpRequest, pk: int) -> HttpResponse:
    demand = access.get_demand_for_user(request.user, pk)
    page = paginate(request, demand_history_entries(demand))
    return render(
        request,
        "knowledge/demand_history.html",
        {"demand": demand, "page_obj": page, "entries": page.object_list},
    )


def _demand_form_page(request: HttpRequest, demand: LearningDemand | None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DemandForm(
        request.POST if request.method == "POST" else None, user=user, instance=demand
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("themes", "read_at")}
        try:
            saved = services.save_demand(
                demand=demand,
                fields=fields,
                themes=form.cleaned_data["themes"],
                user=user,
                read_at=form.cleaned_data["read_at"],
                through=Through.FORM,
            )
        except services.StaleEditError as error:
            keep_what_was_typed(request, form, demand, error)
        except services.KnowledgeError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The demand was saved. The best offers are proposed below.")
                if saved.is_open
                else _("The demand was saved."),
            )
            return redirect(saved)
    return render(
        request,
        "knowledge/demand_form.html",
        {"form": form, "demand": demand},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_create(request: HttpRequest) -> HttpResponse:
    access.require_contributor(request.user)
    return _demand_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = access.get_demand_for_user(request.user, pk, write=True)
    return _demand_form_page(request, demand)


@login_required
@require_http_methods(["GET", "POST"])
def demand_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    demand = access.get_demand_for_user(user, pk, write=True)
    if request.method == "POST":
        services.delete_demand(demand=demand, user=user)
        messages.success(request, _("The demand was deleted."))
        return redirect("knowledge:demand_list")
    consequences = [_("The demand is deleted for good.")]
    if demand.activity_id:
        consequences.append(_("The activity created from its match stays."))
    return render(
        request,
        "knowledge/confirm_delete.html",
        {
            "title": _("Delete this learning demand?"),
            "object_label": str(demand),
            "consequences": consequences,
            "cancel_url": demand.get_absolute_url(),
            "breadcrumb": (_("Learning demands"), "knowledge:demand_list"),
        },
    )


@login_required
@require_POST
def demand_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept one proposed offer: a new Pipeline activity is created from the match."""
    user: User = request.user  # type: ignore[assignment]
    demand = access.get_demand_for_user(user, pk, write=True)
    if not user.can_create_activities:
        raise PermissionDenied(_("Only CPMs and the focal point create activities."))
    offer_id = request.POST.get("offer", "")
    offer = access.get_offer_for_user(user, int(offer_id)) if offer_id.isdigit() else None
    if offer is None:
        messages.error(request, _("Choose one of the proposed offers."))
        return redirect(demand)
    try:
        activity = services.accept_match(
            demand=demand, offer=offer, user=user, through=Through.FORM
        )
    except services.KnowledgeError as error:
        for field_messages in error.errors.values():
            for message in field_messages:
                messages.error(request, message)
        return redirect(demand)
    messages.success(
        request,
        _(
            "%(id)s was created in the pipeline from this match, with %(host)s as host. "
            "Complete its funding and dates."
        )
        % {"id": activity.ssc_id, "host": offer.institution},
    )
    return redirect(activity)


@login_required
def offer_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access.require_staff(user)
    offers = (
        LearningOffer.objects.visible_to(user)
        .select_related("institution", "country", "activity")
        .prefetch_related("themes")
    )
    show = request.GET.get("show", "")
    if show != "all":
        offers = offers.filter(is_active=True)
    page = paginate(request, offers)
    editable = set(
        LearningOffer.objects.editable_by(user)
        .filter(pk__in=[offer.pk for offer in page.object_list])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "knowledge/offer_list.html",
        {
            "page_obj": page,
            "offers": page.object_list,
            "editable": editable,
            "show_all": show == "all",
            "page_query": query_without(request.GET, "page"),
            "can_contribute": access.can_contribute(user),
        },
    )


@login_required
@require_GET
def offer_history(request: HttpRequest, pk: int) -> HttpResponse:
    offer = access.get_offer_for_user(request.user, pk)
    page = paginate(request, offer_history_entries(offer))
    return render(
        request,
        "knowledge/offer_history.html",
        {
            "offer": offer,
            "can_edit": access.can_edit_offer(request.user, offer),
            "page_obj": page,
            "entries": page.object_list,
        },
    )


def _offer_form_page(request: HttpRequest, offer: LearningOffer | None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = OfferForm(request.POST if request.method == "POST" else None, user=user, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_offer(
                offer=offer,
                fields=form.offer_fields(),
                themes=form.cleaned_data["themes"],
                user=user,
                read_at=form.cleaned_data["read_at"],
                through=Through.FORM,
            )
        except services.StaleEditError as error:
            keep_what_was_typed(request, form, offer, error)
        except services.KnowledgeError as error:
            add_service_errors(form, error, {"activity": "activity_ssc_id"})
        else:
            messages.success(request, _("The offer was saved."))
            return redirect("knowledge:offer_list")
    return render(
        request,
        "knowledge/offer_form.html",
        {"form": form, "offer": offer},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    access.require_contributor(request.user)
    return _offer_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = access.get_offer_for_user(request.user, pk, write=True)
    return _offer_form_page(request, offer)


@login_required
@require_http_methods(["GET", "POST"])
def offer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    offer = access.get_offer_for_user(user, pk, write=True)
    if request.method == "POST":
        services.delete_offer(offer=offer, user=user)
        messages.success(request, _("The offer was deleted."))
        return redirect("knowledge:offer_list")
    return render(
        request,
        "knowledge/confirm_delete.html",
        {
            "title": _("Delete this learning offer?"),
            "object_label": str(offer),
            "consequences": [
                _("The offer is deleted for good; demands matched with it keep their activity."),
                _("To stop proposing it but keep the record, withdraw it in its form instead."),
            ],
            "cancel_url": reverse("knowledge:offer_list"),
            "breadcrumb": (_("Learning offers"), "knowledge:offer_list"),
        },
    )
