"""A page is in one language, and only in one the portal offers.

What "offered" is: settings.LANGUAGES, which lists English and each language whose catalogue is in
the repository. Everything reads it: the switcher (its buttons, and what its POST accepts:
accounts.language.is_offered), Django's LocaleMiddleware for a visitor's cookie and browser
(through translation.get_supported_language_variant), a profile's remembered choice and the
API's Accept-Language (accounts.language.offered_language), the invite form and the mails
(accounts.mail). The tests take one language out of LANGUAGES, as a portal would that withdrew
it (its catalogue fell behind), with its catalogue still on disk, and check that nothing offers
or answers in it: every answer is in English then, Django's own strings included.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.mail import mail_language
from accounts.models import User
from accounts.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(django_settings.BASE_DIR) / "locale"
ALL_LANGUAGES = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]
LEFT_OUT = ["fr", "es", "ar"]
ENGLISH_PAGE = '<html lang="en" dir="ltr">'
INVALID_STATUS = {"status": "no-such-status"}


@pytest.fixture(params=LEFT_OUT)
def left_out(request: pytest.FixtureRequest, settings: Any) -> str:
    """Every language offered but this one, whose catalogue stays on disk."""
    language: str = request.param
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
    settings.LANGUAGES = [(code, name) for code, name in ALL_LANGUAGES if code != language]
    return language


def test_only_the_languages_whose_catalogue_is_in_the_repository_are_offered() -> None:
    catalogued = {path.parents[1].name for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
    assert {code for code, _name in django_settings.LANGUAGES} == {"en"} | catalogued


def test_the_switcher_neither_shows_nor_accepts_it(
    left_out: str, viewer: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(viewer)
    page = client.get(reverse("home")).text
    assert 'name="language" value="en"' in page
    assert f'name="language" value="{left_out}"' not in page
    refused = client.post(reverse("accounts:set_language"), {"language": left_out, "next": "/"})
    assert refused.status_code == 400
    assert django_settings.LANGUAGE_COOKIE_NAME not in refused.cookies
    viewer.refresh_from_db()
    assert viewer.language == ""


def test_a_browser_or_a_cookie_asking_for_it_reads_english_only(left_out: str) -> None:
    for client in (
        Client(headers={"accept-language": left_out}),
        Client(headers={"accept-language": f"{left_out}-XX, {left_out};q=0.9"}),
    ):
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = left_out
        refused = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
        assert ENGLISH_PAGE in refused.text
        # Django's own message, in English as every string of ours on the page.
        assert "Please enter a correct username and password." in refused.text


def test_a_profile_that_chose_it_before_reads_english_and_its_cookie_is_not_renewed(
    left_out: str,
) -> None:
    person = UserFactory(language=left_out)
    client = Client(headers={"accept-language": left_out})
    client.force_login(person)
    home = client.get(reverse("home"))
    assert ENGLISH_PAGE in home.text
    assert django_settings.LANGUAGE_COOKIE_NAME not in home.cookies
    # Their mails are in the site's language too.
    assert mail_language(person) == "en"


def test_the_api_never_answers_in_it(left_out: str) -> None:
    person = UserFactory(language=left_out)
    secret = create_api_token(user=person, name="languages")[1]
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    for header in ({"accept-language": left_out}, {"accept-language": f"{left_out}, en;q=0.1"}, {}):
        answer = api.get("/api/v1/activities/", INVALID_STATUS, headers=header)
        assert answer.status_code == 400
        assert "Select a valid choice." in answer.text
        assert answer["Content-Language"] == "en"


def test_the_invite_form_does_not_offer_it_and_refuses_it(
    left_out: str, focal_client: Client
) -> None:
    page = focal_client.get(reverse("accounts:person_invite")).text
    assert '<option value="en"' in page
    assert f'<option value="{left_out}"' not in page
    refused = focal_client.post(
        reverse("accounts:person_invite"),
        {"first_name": "Ana", "last_name": "Ferreira", "email": "ana@example.org"}
        | {"role": "viewer", "language": left_out},
    )
    assert refused.status_code == 400
    assert "language" in refused.context["form"].errors
    assert mail.outbox == []
