"""A notification names a country's side in its reader's language, whoever wrote it and in
whatever language: it keeps the country's ISO code beside its English name, and those kept
before the code are given it by a migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from activities.models import CountryRole
from activities.services import create_activity
from counterparts import mail
from counterparts.models import Notification, NotificationKind
from tests.factories import activity_data

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("counterparts.migrations.0004_notification_country_codes")


def test_a_country_side_is_named_in_the_readers_language(
    cpm: User, counterpart_other: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):  # the writer's language
        create_activity(
            data=activity_data(countries=["BR", ("KE", CountryRole.RECEIVER)], responsible_cpm=cpm),
            user=cpm,
        )
    note = Notification.objects.get(user=counterpart_other, kind=NotificationKind.CONFIRM_REQUESTED)
    assert note.details == {"side": "Kenya", "role": "receiver", "iso2": "KE"}

    User.objects.filter(pk=counterpart_other.pk).update(language="es")
    page = client_for(counterpart_other).get(reverse("counterparts:inbox")).content.decode()
    assert "Kenia (Receptor / invitado)" in page
    assert "Kenya" not in page
    with translation.override("ar"):
        assert "Kenya" not in mail.describe(note)


def test_notifications_kept_before_are_given_their_countrys_code(counterpart_user: User) -> None:
    def kept(side: str, role: str) -> Notification:
        return Notification.objects.create(
            user=counterpart_user,
            kind=NotificationKind.REMINDER,
            details={"side": side, "role": role},
        )

    country = kept("Kenya", CountryRole.RECEIVER)
    organization = kept("Kenya Agricultural Research Institute", "broker")
    unknown = kept("A country no longer listed", CountryRole.PROVIDER)

    MIGRATION.add_country_codes(apps, None)

    for note in (country, organization, unknown):
        note.refresh_from_db()
    assert country.details == {"side": "Kenya", "role": "receiver", "iso2": "KE"}
    assert "iso2" not in organization.details
    assert "iso2" not in unknown.details
    with translation.override("es"):
        assert "Kenia (Receptor / invitado)" in mail.describe(country)
        # No code to translate by: the name as it was kept.
        assert "A country no longer listed" in mail.describe(unknown)
