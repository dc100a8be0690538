"""A page is in one language: a language is offered only once its catalogue is in the repository,
so a browser or an API client asking for another gets English throughout, Django's own strings
included (before, a Spanish browser read Django's Spanish beside our English)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_only_the_languages_whose_catalogue_is_in_the_repository_are_offered() -> None:
    catalogued = {path.parents[1].name for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
    assert {code for code, _name in settings.LANGUAGES} == {"en"} | catalogued


@pytest.mark.parametrize("language", ["es", "fr", "ar"])
def test_a_browser_asking_for_a_language_not_offered_reads_english_only(language: str) -> None:
    if language in dict(settings.LANGUAGES):
        pytest.skip(f"{language} is offered: its own tests check its pages")
    client = Client(headers={"accept-language": language})
    refused = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert '<html lang="en" dir="ltr">' in refused.text
    # Django's own message, in English as every string of ours on the page.
    assert "Please enter a correct username and password." in refused.text


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_api_answers_in_english_when_asked_for_a_language_not_offered(
    language: str, focal: User
) -> None:
    if language in dict(settings.LANGUAGES):
        pytest.skip(f"{language} is offered: its own tests check the API in it")
    client = Client(headers={"accept-language": language})
    client.force_login(focal)
    response = client.get("/api/v1/activities/", {"status": "no-such-status"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
