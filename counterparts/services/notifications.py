"""Notifications: rows in the recipients' inbox, written in the write's transaction and mailed
after it commits, one digest per person (counterparts.mail)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from activities.models import Activity

from ..jobs import queue_mail
from ..models import Notification, NotificationKind

if TYPE_CHECKING:
    pass


def notify(
    users: Iterable[User],
    kind: NotificationKind,
    *,
    activity: Activity | None,
    actor: User | None,
    details: dict[str, Any] | None = None,
) -> int:
    """One notification for each user but the actor; their mail is queued on commit."""
    recipients = {user.pk: user for user in users if actor is None or user.pk != actor.pk}
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        Notification(
            user_id=pk, kind=kind, activity=activity, actor=actor, details=dict(details or {})
        )
        for pk in recipients
    )
    queue_mail(recipients)
    return len(recipients)


def activity_managers(activity: Activity) -> list[User]:
    """Who hears of disputes, confirmations and proposals: the responsible CPM; when none is
    active, the active focal points."""
    cpm = activity.responsible_cpm
    if cpm is not None and cpm.is_active:
        return [cpm]
    return list(
        User.objects.filter(
            Q(role__in=[Role.FOCAL_POINT, Role.ADMIN]) | Q(is_superuser=True), is_active=True
        )
    )


def mark_read(notifications: QuerySet[Notification]) -> int:
    """Mark the unread ones among `notifications` (the caller scopes them to their user) read;
    return how many were unread. Marking a read one again changes nothing."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
