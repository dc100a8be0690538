"""A proposal's amount in a notification is written in the reader's language when it is read
(mail.describe), from the plain decimal the notification keeps; those kept formatted before
read as they were written."""

from __future__ import annotations

import pytest
from django.utils import translation

from counterparts import mail
from counterparts.models import Notification, NotificationKind


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("en", "4000.00", "4,000.00"),
        ("fr", "4000.00", "4\u00a0000,00"),
        ("es", "1234567.5", "1.234.567,50"),
        ("fr", "4,000.00", "4,000.00"),  # written formatted, before: left as it is
    ],
)
def test_a_proposals_amount_is_written_in_the_readers_language(
    language: str, stored: str, shown: str
) -> None:
    note = Notification(
        kind=NotificationKind.PROPOSAL_ACCEPTED, details={"amount": stored, "currency": "EUR"}
    )
    with translation.override(language):
        assert f"{shown} EUR" in mail.describe(note)
