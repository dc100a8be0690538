"""A side confirms or disputes its role on an activity; who manages the activity answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import AnswerForm, ConfirmForm, DisputeForm
from .common import add_refusal, back_to, report_invalid, report_refusal

if TYPE_CHECKING:
    from accounts.models import User


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    confirmation = access.get_confirmation_for_user(user, pk, action="confirm")
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return back_to(confirmation.activity_id, "sides")
    try:
        services.confirm(
            confirmation=confirmation,
            user=user,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except services.CounterpartError as error:
        report_refusal(request, error, form)
    else:
        messages.success(
            request,
            _("You confirmed the role of %(side)s.") % {"side": confirmation.side_label},
        )
    return back_to(confirmation.activity_id, "sides")


@login_required
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own: the fields to tick and the comment deserve room."""
    user: User = request.user  # type: ignore[assignment]
    confirmation = access.get_confirmation_for_user(user, pk, action="dispute")
    if request.method == "POST":
        form = DisputeForm(request.POST)
        if form.is_valid():
            try:
                services.dispute(
                    confirmation=confirmation,
                    user=user,
                    fields=form.cleaned_data["disputed"],
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.CounterpartError as error:
                add_refusal(form, error, rename={"fields": "disputed"})
            else:
                messages.success(
                    request,
                    _("Your dispute of %(side)s was sent to who manages the activity.")
                    % {"side": confirmation.side_label},
                )
                return back_to(confirmation.activity_id, "sides")
    else:
        form = DisputeForm(initial={"version": confirmation.version})
    return render(
        request,
        "counterparts/dispute.html",
        {"confirmation": confirmation, "activity": confirmation.activity, "form": form},
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    confirmation = access.get_confirmation_for_user(user, pk, action="answer")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return back_to(confirmation.activity_id, "sides")
    try:
        services.answer(
            confirmation=confirmation,
            user=user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except services.CounterpartError as error:
        report_refusal(request, error, form)
    else:
        messages.success(
            request,
            _("Your answer was sent; %(side)s is asked to confirm again.")
            % {"side": confirmation.side_label},
        )
    return back_to(confirmation.activity_id, "sides")
