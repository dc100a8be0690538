"""The demo's activities in several languages (load_demo_data): a Spanish reader sees SSC-2006-02
in Spanish, the IATI file carries the versions of the public ones; a rerun changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from accounts.models import User
from activities.models import Activity, ActivityText

pytestmark = pytest.mark.django_db


def test_demo_activities_read_in_the_readers_language_and_a_rerun_changes_nothing(
    settings: Any,
) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Titles in other languages: SSC-2006-01, SSC-2006-02, SSC-2010-02." in out.getvalue()
    assert ActivityText.objects.count() == 6
    palenque = Activity.objects.get(ssc_id="SSC-2006-02")
    with override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish")]):
        reader = Client(headers={"accept-language": "es"})
        reader.force_login(User.objects.get(username="focal"))
        page = reader.get(palenque.get_absolute_url()).content.decode()
    assert '<h1 lang="es" dir="ltr">Ruta de aprendizaje de Palenque</h1>' in page
    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert "Titles in other languages: unchanged." in again.getvalue()
    assert ActivityText.history.count() == 6  # type: ignore[attr-defined]
