"""An activity's conversation: comments shared with its counterparts, internal notes for agency
staff, and @mentions that notify the people named."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from activities.history import marked
from activities.models import Activity

from .. import access
from ..models import Channel, Comment, NotificationKind
from .common import CounterpartError, required_text, through_of
from .notifications import notify

# "@username": Django's username characters (letters, digits and @.+-_), after a space or at
# the start, so that an e-mail address in the text is not a mention.
MENTION = re.compile(r"(?:^|(?<=\s))@([\w.+-]+[\w+-])")


def mentioned_names(body: str) -> list[str]:
    return list(dict.fromkeys(MENTION.findall(body)))


@transaction.atomic
def post_comment(
    *, activity: Activity, user: User, body: str, internal: bool, via: str = Channel.FORM
) -> Comment:
    """Post a message; each person @mentioned who may read it is notified, and a mention of
    anyone else is refused (naming them) rather than silently dropped."""
    if not access.may_comment(user, activity, internal=internal):
        raise CounterpartError(
            {
                "__all__": [
                    _("Only who manages this activity writes internal notes.")
                    if internal
                    else _(
                        "Only who manages this activity and its counterparts take part in its "
                        "conversation."
                    )
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    text = required_text(errors, "body", body, _("Write a message."))
    if errors:
        raise CounterpartError(errors)
    comment = Comment(activity=activity, author=user, body=text, internal=internal, via=via)
    try:
        comment.full_clean(exclude=["activity", "author"])
    except ValidationError as error:
        raise CounterpartError.from_validation_error(error) from error
    mentioned = _mentioned_readers(activity, text, internal=internal)
    comment._history_user = user  # type: ignore[attr-defined]
    marked(comment, through_of(via)).save()
    if mentioned:
        comment.mentions.set(mentioned)
        notify(
            mentioned,
            NotificationKind.MENTIONED,
            activity=activity,
            actor=user,
            details={"internal": internal, "excerpt": text[:200]},
        )
    return comment


def _mentioned_readers(activity: Activity, body: str, *, internal: bool) -> list[User]:
    names = mentioned_names(body)
    if not names:
        return []
    people = {
        user.username: user for user in User.objects.filter(username__in=names, is_active=True)
    }
    found, refused = [], []
    for name in names:
        person = people.get(name)
        readable = (
            person is not None
            and Activity.objects.visible_to(person).filter(pk=activity.pk).exists()
        )
        if person is None or not readable or (internal and not access.is_agency_staff(person)):
            refused.append(name)
        else:
            found.append(person)
    if refused:
        raise CounterpartError(
            {
                "body": [
                    _(
                        "%(names)s: no one by that user name can read this %(what)s. Check the "
                        "name, or write it without the @."
                    )
                    % {
                        "names": ", ".join(f"@{name}" for name in refused),
                        "what": _("internal note") if internal else _("conversation"),
                    }
                ]
            }
        )
    return found
