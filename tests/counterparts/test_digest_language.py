"""A digest is written in its reader's language (accounts.mail), with its amounts in that
language's conventions, whoever's write queued it: two readers of two languages notified by one
write get one mail each, each in their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from accounts import formatting
from accounts.models import User
from counterparts.mail import send_digests
from counterparts.models import NotificationKind
from counterparts.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL = {"amount": "40000.50", "currency": "EUR", "contributor": "Cooperativa"}


def _in(language: str, text: str) -> str:
    with translation.override(language):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no {language} translation"
    return translated


def test_one_write_mails_each_reader_a_digest_in_their_own_language(cpm: User) -> None:
    french = UserFactory(language="fr")
    arabic = UserFactory(language="ar")
    english = UserFactory(language="")
    with translation.override("en"):  # the writer's, and the worker's, language
        notify(
            [french, arabic, english],
            NotificationKind.PROPOSAL,
            activity=None,
            actor=cpm,
            details=PROPOSAL,
        )
        assert send_digests([french.pk, arabic.pk, english.pk]) == 3
        assert translation.get_language() == "en"
    received = {message.to[0]: message for message in mail.outbox}
    for reader, language in ((french, "fr"), (arabic, "ar")):
        message = received[reader.email]
        intro = "News from the SSC Portal on activities you take part in or manage:"
        assert _in(language, intro) in message.body
        assert intro not in message.body
        with translation.override(language):
            amount = formatting.amount(Decimal(PROPOSAL["amount"]))
        assert amount in message.subject
        assert amount in message.body
    # The French reader reads the French amount ("40 000,50"), not the English one.
    assert "40\u00a0000,50" in received[french.email].subject
    assert "40,000.50" not in received[french.email].body
    plain = received[english.email]
    assert "News from the SSC Portal" in plain.body
    assert "40,000.50 EUR" in plain.subject
