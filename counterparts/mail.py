"""What a notification says, where it leads, and the digest that mails a person's unmailed
notifications at once (one mail, however many events), and the reminders.

The text is written when it is read (the inbox, the mail), in the reader's language (a mail in
its recipient's, accounts.mail), from the notification's kind and plain details.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import formatting
from accounts.mail import Mail, mail_users
from accounts.models import User

from . import access
from .models import (
    AWAITING_SIDE,
    Confirmation,
    DisputedField,
    Fact,
    Notification,
    NotificationKind,
    side_text,
)
from .services import notify

logger = logging.getLogger(__name__)

# Where on the activity's page each kind of notification needs the reader.
ANCHORS: dict[str, str] = {
    NotificationKind.PROPOSAL: "contributions",
    NotificationKind.PROPOSAL_ACCEPTED: "contributions",
    NotificationKind.PROPOSAL_DECLINED: "contributions",
    NotificationKind.MENTIONED: "conversation",
}


def _labels(values: Iterable[str]) -> str:
    labels = dict(DisputedField.choices) | dict(Fact.choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def _amount(stored: str) -> str:
    """A proposal's amount in the reader's language. Notifications keep it as a plain decimal
    ("4000.00"); those written before did so already formatted ("4,000.00"), shown as they are."""
    try:
        return formatting.amount(Decimal(stored))
    except InvalidOperation:
        return stored


def describe(notification: Notification) -> str:
    """One sentence, in the active language."""
    details = notification.details
    actor = str(notification.actor) if notification.actor else _("The portal")
    activity = notification.activity.ssc_id if notification.activity else ""
    values = {
        "actor": actor,
        "activity": activity,
        "side": side_text(
            details.get("side", ""), details.get("role", ""), details.get("iso2", "")
        ),
        "fields": _labels(details.get("fields", [])),
        "facts": _labels(details.get("facts", [])),
        "amount": _amount(details.get("amount", "")),
        "currency": details.get("currency", ""),
        "contributor": details.get("contributor", ""),
        "reason": details.get("reason", ""),
    }
    texts: dict[str, str] = {
        NotificationKind.CONFIRM_REQUESTED: _("%(activity)s: please confirm the role of %(side)s."),
        NotificationKind.RECONFIRM_REQUESTED: _(
            "%(activity)s changed (%(facts)s): please confirm the role of %(side)s again."
        ),
        # The fields' labels are capitalized ("Dates"): after a colon, they read as a list.
        NotificationKind.DISPUTED: _(
            "%(activity)s: %(actor)s disputes the record of %(side)s: %(fields)s."
        ),
        NotificationKind.ANSWERED: _(
            "%(activity)s: %(actor)s answered the dispute of %(side)s; please confirm again."
        ),
        NotificationKind.CONFIRMED: _("%(activity)s: %(actor)s confirmed the role of %(side)s."),
        NotificationKind.PROPOSAL: _(
            "%(activity)s: %(actor)s proposes %(amount)s %(currency)s from %(contributor)s."
        ),
        NotificationKind.PROPOSAL_ACCEPTED: _(
            "%(activity)s: your proposal of %(amount)s %(currency)s was accepted into the ledger."
        ),
        NotificationKind.PROPOSAL_DECLINED: (
            _("%(activity)s: your proposal of %(amount)s %(currency)s was declined: %(reason)s")
            if details.get("reason")
            else _("%(activity)s: your proposal of %(amount)s %(currency)s was declined.")
        ),
        NotificationKind.MENTIONED: _("%(activity)s: %(actor)s mentioned you."),
        NotificationKind.REMINDER: _(
            "%(activity)s: still waiting for the confirmation of %(side)s."
        ),
    }
    return texts.get(notification.kind, notification.get_kind_display()) % values


def link(notification: Notification) -> str:
    """The page that needs the reader's action (a path; mails prefix settings.SITE_URL)."""
    if notification.activity_id is None:
        return reverse("counterparts:inbox")
    anchor = ANCHORS.get(notification.kind, "sides")
    return reverse("activities:detail", args=[notification.activity_id]) + f"#{anchor}"


@dataclass(frozen=True)
class DigestLine:
    text: str
    title: str  # the activity's, which its SSC ID alone does not tell a reader
    url: str


def send_digests(user_ids: Iterable[int] | None = None) -> int:
    """Mail each user (all, or those given) one digest of their unmailed notifications; return
    the number of mails sent. A notification is claimed before its mail is sent and released if
    sending fails, so that two workers never mail it twice and a failure loses nothing."""
    pending = Notification.objects.unmailed().filter(user__is_active=True).exclude(user__email="")
    if user_ids is not None:
        pending = pending.filter(user_id__in=list(user_ids))
    by_user: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in pending.order_by("created_at", "pk").values_list("pk", "user_id"):
        by_user[user_id].append(pk)
    sent = 0
    for user_id, ids in by_user.items():
        sent += _send_one(user_id, ids)
    return sent


def _send_one(user_id: int, ids: list[int]) -> int:
    now = timezone.now()
    with transaction.atomic():
        claimed = Notification.objects.filter(pk__in=ids, mailed_at__isnull=True).update(
            mailed_at=now
        )
    if not claimed:
        return 0
    notes = list(
        Notification.objects.filter(pk__in=ids, mailed_at=now)
        .select_related("user", "actor", "activity")
        .order_by("created_at", "pk")
    )
    if not notes:
        return 0
    user = notes[0].user
    try:
        # Written in the reader's language (accounts.mail), whoever's write queued it.
        mail_users([user], lambda reader: _compose(reader, notes))
    except Exception:  # SMTP errors are many kinds (OSError, SMTPException): keep the rows
        logger.exception("Digest to user %s not sent; kept for the next sweep", user_id)
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(mailed_at=None)
        return 0
    return 1


def _compose(user: User, notes: list[Notification]) -> Mail:
    site = settings.SITE_URL.rstrip("/")
    lines = [
        DigestLine(describe(note), note.activity.title if note.activity else "", site + link(note))
        for note in notes
    ]
    if len(lines) == 1:
        subject = _("SSC Portal: %(text)s") % {"text": lines[0].text}
    else:
        subject = ngettext(
            "SSC Portal: %(count)d new notification",
            "SSC Portal: %(count)d new notifications",
            len(lines),
        ) % {"count": len(lines)}
    body = render_to_string(
        "counterparts/email/digest.txt",
        {"user": user, "lines": lines, "inbox": site + reverse("counterparts:inbox")},
    )
    return Mail(subject=subject[:200], body=body)


def remind_waiting(now: datetime.datetime | None = None) -> int:
    """Remind the sides that have not acted for COUNTERPART_REMINDER_DAYS (asked, or last
    reminded, that long ago): one notification per side and person, mailed as one digest per
    person. Return the number of sides reminded."""
    now = now or timezone.now()
    due_before = now - datetime.timedelta(days=settings.COUNTERPART_REMINDER_DAYS)
    waiting = list(
        Confirmation.objects.with_side()
        .select_related("activity")
        .filter(state__in=AWAITING_SIDE, asked_at__lte=due_before)
        .exclude(reminded_at__gt=due_before)
    )
    # One transaction: the mails are queued once it commits, so each person gets one digest of
    # all their reminders.
    with transaction.atomic():
        for confirmation in waiting:
            reminded = Confirmation.objects.filter(pk=confirmation.pk).exclude(
                reminded_at__gt=due_before
            )
            if not reminded.update(reminded_at=now):
                continue  # another sweep reminded it meanwhile
            notify(
                access.side_speakers(confirmation),
                NotificationKind.REMINDER,
                activity=confirmation.activity,
                actor=None,
                details=confirmation.side_details(),
            )
    return len(waiting)
