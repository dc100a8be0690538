"""Posting to an activity's conversation (shared messages and internal notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import CommentForm
from .common import back_to, report_invalid, report_refusal

if TYPE_CHECKING:
    from accounts.models import User


@login_required
@require_POST
def post_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity = access.get_activity(user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        report_invalid(request, form)
        return back_to(activity.pk, "conversation")
    internal = form.cleaned_data["internal"]
    access.check_may_comment(user, activity, internal=internal)
    try:
        services.post_comment(
            activity=activity, user=user, body=form.cleaned_data["body"], internal=internal
        )
    except services.CounterpartError as error:
        report_refusal(request, error, form)
    else:
        messages.success(
            request, _("Your internal note was added.") if internal else _("Your message was sent.")
        )
    return back_to(activity.pk, "conversation")
