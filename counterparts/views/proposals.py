"""A counterpart proposes its own contribution; who manages the activity accepts it into the
ledger or declines it; the proposer may withdraw it while it waits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import DeclineForm, ProposalForm, VersionedForm
from ..models import ContributionProposal
from .common import add_refusal, back_to, report_invalid, report_refusal

if TYPE_CHECKING:
    from accounts.models import User


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = access.get_activity(user, pk)
    if not access.is_counterpart_of(user, activity):
        raise PermissionDenied(_("Only the activity's counterparts propose contributions to it."))
    contributors = access.proposing_contributors(user, activity)
    form = ProposalForm(request.POST or None, contributors=contributors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.propose(
                activity=activity,
                user=user,
                data=services.ProposalData.from_values(data["contributor"], data),
            )
        except services.CounterpartError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request, _("Your contribution was proposed; who manages the activity decides.")
            )
            return back_to(activity.pk, "contributions")
    return render(request, "counterparts/propose.html", {"activity": activity, "form": form})


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    proposal = access.get_proposal_for_user(user, pk, action="decide")
    form = VersionedForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return back_to(proposal.activity_id, "contributions")
    try:
        services.accept(proposal=proposal, user=user, expected_version=form.cleaned_data["version"])
    except services.CounterpartError as error:
        report_refusal(request, error, form)
    else:
        messages.success(
            request,
            _("The contribution of %(contributor)s was recorded in the ledger.")
            % {"contributor": proposal.contributor},
        )
    return back_to(proposal.activity_id, "contributions")


def _confirm_page(
    request: HttpRequest, proposal: ContributionProposal, form: VersionedForm, action: str
) -> HttpResponse:
    """The page that asks before a decline or a withdrawal: neither can be undone."""
    return render(
        request,
        "counterparts/proposal_confirm.html",
        {"proposal": proposal, "activity": proposal.activity, "form": form, "action": action},
    )


@login_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    proposal = access.get_proposal_for_user(user, pk, action="decide")
    if request.method != "POST":
        return _confirm_page(
            request, proposal, DeclineForm(initial={"version": proposal.version}), "decline"
        )
    form = DeclineForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            report_invalid(request, form)
            return back_to(proposal.activity_id, "contributions")
        return _confirm_page(request, proposal, form, "decline")
    try:
        services.decline(
            proposal=proposal,
            user=user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except services.CounterpartError as error:
        add_refusal(form, error)
        return _confirm_page(request, proposal, form, "decline")
    messages.success(request, _("The proposed contribution was declined."))
    return back_to(proposal.activity_id, "contributions")


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    proposal = access.get_proposal_for_user(user, pk, action="withdraw")
    if request.method != "POST":
        return _confirm_page(
            request, proposal, VersionedForm(initial={"version": proposal.version}), "withdraw"
        )
    form = VersionedForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return back_to(proposal.activity_id, "contributions")
    try:
        services.withdraw(
            proposal=proposal, user=user, expected_version=form.cleaned_data["version"]
        )
    except services.CounterpartError as error:
        report_refusal(request, error, form)
    else:
        messages.success(request, _("Your proposed contribution was withdrawn."))
    return back_to(proposal.activity_id, "contributions")
