"""Notifications: rows in the recipients' inbox, written in the write's transaction and mailed
after it commits, one digest per person (counterparts.mail)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from activities.models import Activity

from ..jobs import queue_mail
from ..models import Notification, NotificationKind


@dataclass(frozen=True)
class Notice:
    """One notification to write: its reader, what happened, where, by whom."""

    user_id: int
    kind: str
    activity_id: int | None
    actor: User | None
    details: dict[str, Any] = field(default_factory=dict)


def send_notices(notices: Iterable[Notice]) -> int:
    """Write the notices but those to their own actor, in one statement; their mail is queued
    on commit (one digest per reader)."""
    rows = [
        Notification(
            user_id=notice.user_id,
            kind=notice.kind,
            activity_id=notice.activity_id,
            actor=notice.actor,
            details=dict(notice.details),
        )
        for notice in notices
        if notice.actor is None or notice.user_id != notice.actor.pk
    ]
    if rows:
        Notification.objects.bulk_create(rows)
        queue_mail(row.user_id for row in rows)
    return len(rows)


def notify(
    users: Iterable[User],
    kind: NotificationKind,
    *,
    activity: Activity | None,
    actor: User | None,
    details: dict[str, Any] | None = None,
) -> int:
    """One notification for each user but the actor; their mail is queued on commit."""
    activity_id = activity.pk if activity is not None else None
    return send_notices(
        Notice(user.pk, kind, activity_id, actor, details or {})
        for user in {u.pk: u for u in users}.values()
    )


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
