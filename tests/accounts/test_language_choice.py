"""Choosing a language (issue 23, item 3): the browser's preference by default, a switcher on
every page (the sign-in page included) that a signed-in user's profile remembers, and the API in
the language its Accept-Language header asks for.

Our own catalogues are written in other branches; Django's are always here, so the tests read
Django's own messages ("Select a valid choice.") to see which language a response is in, with
every language offered through the settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.people.history import person_history
from accounts.services import create_api_token

pytestmark = pytest.mark.django_db

ALL_LANGUAGES = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]
SWITCH = "/accounts/language/"
INVALID_STATUS = {"status": "no-such-status"}
SELECT_VALID = {
    "en": "Select a valid choice.",
    "fr": "Sélectionnez un choix valide.",
    "es": "Escoja una opción válida.",
    "ar": "انتق خياراً صحيحاً.",
}


@pytest.fixture
def api_for() -> Callable[[User], Client]:
    """A script's client: a fresh API token of the user, no session, no cookie."""

    def make(user: User) -> Client:
        secret = create_api_token(user=user, name="language tests")[1]
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def offered(settings: Any) -> None:
    """The four languages offered, as once their catalogues are in the repository."""
    settings.LANGUAGES = ALL_LANGUAGES


def test_the_switcher_is_not_shown_while_only_english_is_offered(
    settings: Any, focal_client: Client
) -> None:
    settings.LANGUAGES = [("en", "English")]
    for page in (Client().get(reverse("login")), focal_client.get(reverse("home"))):
        assert page.status_code == 200
        assert "lang-menu" not in page.text
        assert SWITCH not in page.text


@pytest.mark.usefixtures("offered")
def test_the_sign_in_page_has_the_switcher_each_language_named_in_itself() -> None:
    page = Client().get(reverse("login")).text
    assert f'action="{SWITCH}"' in page
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español")):
        assert f'name="language" value="{code}" lang="{code}" dir="ltr"' in page
        assert f">{name}</button>" in page
    assert 'name="language" value="ar" lang="ar" dir="rtl"' in page
    assert ">العربيّة</button>" in page
    # The page's own language is the one marked current.
    assert 'value="en" lang="en" dir="ltr" aria-current="true"' in page


@pytest.mark.usefixtures("offered")
@pytest.mark.parametrize(
    "name", ["home", "activities:list", "activities:partner_list", "knowledge:search"]
)
def test_every_signed_in_page_has_the_switcher(name: str, focal_client: Client) -> None:
    page = focal_client.get(reverse(name))
    assert page.status_code == 200
    assert f'action="{SWITCH}"' in page.text
    assert f'name="next" value="{reverse(name)}"' in page.text


@pytest.mark.usefixtures("offered")
def test_error_pages_have_the_switcher_too(focal_client: Client) -> None:
    missing = focal_client.get("/activities/999999999/")
    assert missing.status_code == 404
    assert f'action="{SWITCH}"' in missing.text


@pytest.mark.usefixtures("offered")
@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [("fr-FR,fr;q=0.9,en;q=0.5", "fr", "ltr"), ("ar", "ar", "rtl"), ("de, es;q=0.4", "es", "ltr")],
)
def test_a_visitor_reads_the_language_their_browser_prefers(
    header: str, lang: str, direction: str
) -> None:
    refused = Client(headers={"accept-language": header}).post(
        reverse("login"), {"username": "nobody", "password": "wrong"}
    )
    assert f'<html lang="{lang}" dir="{direction}">' in refused.text


@pytest.mark.usefixtures("offered")
def test_a_visitor_s_choice_is_kept_in_a_cookie_and_wins_over_the_browser() -> None:
    client = Client(headers={"accept-language": "es"})
    answer = client.post(SWITCH, {"language": "fr", "next": "/accounts/login/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr" dir="ltr">' in client.get(reverse("login")).text


@pytest.mark.usefixtures("offered")
@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/", ""])
def test_the_switcher_never_sends_anyone_to_another_site(next_url: str) -> None:
    answer = Client().post(SWITCH, {"language": "fr", "next": next_url})
    assert answer.status_code == 302
    assert answer["Location"] == "/"


@pytest.mark.usefixtures("offered")
@pytest.mark.parametrize("language", ["de", "", "fr-xx-<script>", "EN"])
def test_a_language_not_offered_is_refused_and_nothing_remembered(
    language: str, focal: User, focal_client: Client
) -> None:
    answer = focal_client.post(SWITCH, {"language": language, "next": "/"})
    assert answer.status_code == 400
    assert "This language is not offered." in answer.text
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies
    focal.refresh_from_db()
    assert focal.language == ""


def test_the_switcher_refuses_a_get(client: Client) -> None:
    assert client.get(SWITCH, {"language": "en"}).status_code == 405


@pytest.mark.usefixtures("offered")
def test_a_signed_in_choice_is_remembered_in_the_profile_across_sessions(
    viewer: User, client_for: Callable[[User | None], Client]
) -> None:
    first = client_for(viewer)
    assert first.post(SWITCH, {"language": "ar", "next": "/"}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.language == "ar"
    # Another browser, which prefers Spanish and has no cookie: the profile wins.
    other = Client(headers={"accept-language": "es"})
    other.force_login(viewer)
    home = other.get(reverse("home"))
    assert '<html lang="ar" dir="rtl">' in home.text
    # That browser gets the cookie too, so its sign-in page after signing out is in Arabic.
    assert home.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    other.post(reverse("logout"))
    assert '<html lang="ar" dir="rtl">' in other.get(reverse("login")).text


@pytest.mark.usefixtures("offered")
def test_the_choice_is_in_the_person_s_history_who_when_before_after_and_through_what(
    viewer: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(viewer)
    client.post(SWITCH, {"language": "fr", "next": "/"})
    client.post(SWITCH, {"language": "fr", "next": "/"})  # the same again writes nothing
    client.post(SWITCH, {"language": "es", "next": "/"})
    # Read as an English reader (the switches above left Spanish active in this thread).
    with translation.override("en"):
        entries = [entry for entry in person_history(viewer) if entry.through]
    with_language = [e for e in entries if any(c.label == "Language" for c in e.changes)]
    assert len(with_language) == 2
    latest = with_language[0]
    assert latest.who == str(viewer)
    assert latest.through == "chosen with the language switcher"
    change = next(c for c in latest.changes if c.label == "Language")
    assert (change.before, change.after) == ("Français", "Español")


@pytest.mark.usefixtures("offered")
def test_a_remembered_language_costs_no_query(
    viewer: User,
    client_for: Callable[[User | None], Client],
) -> None:
    client = client_for(viewer)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as without_choice:
        client.get(reverse("home"))
    User.objects.filter(pk=viewer.pk).update(language="fr")
    client.get(reverse("home"))  # the cookie follows the profile once
    with CaptureQueriesContext(connection) as with_choice:
        page = client.get(reverse("home"))
    assert '<html lang="fr" dir="ltr">' in page.text
    assert len(with_choice.captured_queries) == len(without_choice.captured_queries)


@pytest.mark.usefixtures("offered")
@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_api_answers_in_the_language_asked_for(
    language: str, viewer: User, api_for: Callable[[User], Client]
) -> None:
    client = api_for(viewer)
    asked = {"accept-language": language}
    answer = client.get("/api/v1/activities/", INVALID_STATUS, headers=asked)
    assert answer.status_code == 400
    assert SELECT_VALID[language] in answer.text
    assert answer["Content-Language"] == language


@pytest.mark.usefixtures("offered")
def test_in_the_api_the_header_wins_over_the_profile_and_the_profile_over_nothing(
    viewer: User, api_for: Callable[[User], Client]
) -> None:
    User.objects.filter(pk=viewer.pk).update(language="es")
    viewer.refresh_from_db()
    client = api_for(viewer)
    asked = client.get("/api/v1/activities/", INVALID_STATUS, headers={"accept-language": "fr"})
    assert SELECT_VALID["fr"] in asked.text
    unasked = client.get("/api/v1/activities/", INVALID_STATUS)
    assert SELECT_VALID["es"] in unasked.text
    # A header naming no offered language leaves the profile's.
    other = client.get("/api/v1/activities/", INVALID_STATUS, headers={"accept-language": "de"})
    assert SELECT_VALID["es"] in other.text


@pytest.mark.usefixtures("offered")
def test_a_signed_in_browser_calling_the_api_gets_its_header_s_language(
    viewer: User, client_for: Callable[[User | None], Client]
) -> None:
    User.objects.filter(pk=viewer.pk).update(language="ar")
    client = client_for(viewer)
    answer = client.get("/api/v1/activities/", INVALID_STATUS, headers={"accept-language": "fr"})
    assert answer.status_code == 400
    assert SELECT_VALID["fr"] in answer.text
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies
