"""Every mail the portal sends is written in its recipient's language, whoever's action sent it.

A mail is read later, by someone else: the language of the request that caused it (the focal
point's, a counterpart's, a worker's, which has none) says nothing about its reader. So each mail
is composed under `translation.override` of the recipient's language (User.language, when it is
offered), falling back to the site's (settings.LANGUAGE_CODE): its subject, its body, and the
dates and money accounts.formatting writes in them.

Each recipient gets their own message: a mail meant for several people in different languages is
thereby split by language, each is greeted by name, and nobody reads another's address. Every
sender goes through here (the invitations, the counterparts' digests and reminders, the
password reset), so that no app keeps its own copy of the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import translation

from accounts.language import offered_language
from accounts.models import User


@dataclass(frozen=True)
class Mail:
    """What a sender writes for one recipient; `compose_mails` addresses and sends it."""

    subject: str
    body: str


def mail_language(user: User) -> str:
    """The language a mail to `user` is written in: theirs when it is offered, else the site's."""
    return (
        offered_language(user.language)
        or offered_language(settings.LANGUAGE_CODE)
        or settings.LANGUAGE_CODE
    )


def compose_mails(
    recipients: Iterable[User], compose: Callable[[User], Mail]
) -> list[EmailMessage]:
    """One message for each recipient with an address, composed in their language. Composing
    is kept apart from sending so that a write can render its mail in its transaction and send
    it once that commits."""
    messages = []
    for user in recipients:
        if not user.email:
            continue
        with translation.override(mail_language(user)):
            mail = compose(user)
        # A subject is one line (a template's line breaks would break the header); a language's
        # no-break spaces (French "40 000,50") stay.
        subject = " ".join(line.strip() for line in mail.subject.splitlines() if line.strip())
        messages.append(
            EmailMessage(
                subject=subject,
                body=mail.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
        )
    return messages


def send_mails(messages: Sequence[EmailMessage]) -> int:
    """Send over one connection; the number sent. A mail server's refusal is raised to the
    caller, who knows whether to keep the mail for later."""
    if not messages:
        return 0
    return mailers.default.send_messages(list(messages)) or 0


def mail_users(recipients: Iterable[User], compose: Callable[[User], Mail]) -> int:
    """Compose and send now: each recipient their mail, in their language."""
    return send_mails(compose_mails(recipients, compose))
