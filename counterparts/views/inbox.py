"""The inbox: one's own notifications, newest first; opening one marks it read and leads to
the page that needs the reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, mail

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notifications = access.own_notifications(user).select_related("activity", "actor")
    show = "unread" if request.GET.get("show") == "unread" else "all"
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [(notification, mail.describe(notification)) for notification in page.object_list]
    return render(
        request,
        "counterparts/inbox.html",
        {"page_obj": page, "lines": lines, "show": show},
    )


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    count = (
        access.own_notifications(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
    if count:
        messages.success(request, _("All notifications were marked read."))
    return redirect("counterparts:inbox")


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notification = access.own_notifications(user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return HttpResponseRedirect(mail.link(notification))
