"""The API's documentation in the reader's language: the OpenAPI schema's summaries and
descriptions in the language asked (Accept-Language, the caller's own, or `?lang=`), and the
reference page's words with the schema it draws in the page's language. Swagger UI's own
controls are the vendor's and stay English (it has no translations).

The expected words come from the catalogues (translation.override), or, for texts the
translators have not reached yet, from a catalogue written for the test in front of ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from accounts.models import User
from accounts.services import create_api_token
from tests.counterparts.smtp import write_catalogue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/?format=json"
ACTIVITIES = ("paths", "/api/v1/activities/", "get")
RESULTS = ("paths", "/api/v1/results/", "get")


def _in(language: str, text: str) -> str:
    with translation.override(language):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} has no {language} translation"
    return translated


def _at(document: dict[str, Any], *path: str) -> Any:
    for step in path:
        document = document[step]
    return document


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_schema_is_in_the_language_the_header_asks_for(language: str) -> None:
    document = Client(headers={"accept-language": language}).get(SCHEMA).json()
    assert _at(document, *ACTIVITIES, "summary") == _in(language, "List activities")
    assert _at(document, *RESULTS, "summary") == _in(language, "List results")
    # The error answers every operation documents.
    described = _at(document, *ACTIVITIES, "responses", "429", "description")
    assert described == _in(language, "Too many requests: wait the Retry-After seconds.")


def test_without_a_header_a_token_s_schema_is_in_its_user_s_language() -> None:
    reader = UserFactory(language="ar")
    secret = create_api_token(user=reader, name="docs")[1]
    document = Client(headers={"Authorization": f"Bearer {secret}"}).get(SCHEMA).json()
    assert _at(document, *ACTIVITIES, "summary") == _in("ar", "List activities")


def test_lang_names_the_language_and_one_not_offered_is_refused() -> None:
    english_browser = Client(headers={"accept-language": "en"})
    document = english_browser.get(f"{SCHEMA}&lang=fr").json()
    assert _at(document, *ACTIVITIES, "summary") == _in("fr", "List activities")
    for refused in ("de", "fr-xx-%3Cscript%3E", ""):
        answer = english_browser.get(f"{SCHEMA}&lang={refused}")
        assert answer.status_code == 400
        assert "lang" in answer.json()["errors"]


def test_the_reference_page_draws_the_schema_in_its_own_language(
    viewer: User, client_for: Any
) -> None:
    User.objects.filter(pk=viewer.pk).update(language="fr")
    # The browser prefers English; the reader chose French with the switcher.
    client = client_for(viewer)
    page = client.get("/api/docs/", headers={"accept-language": "en"})
    assert '<html lang="fr"' in page.text
    assert _in("fr", "API reference") in page.text
    assert 'data-schema-url="/api/schema/?format=json&amp;lang=fr"' in page.text
    document = client.get(f"{SCHEMA}&lang=fr", headers={"accept-language": "en"}).json()
    assert _at(document, *ACTIVITIES, "summary") == _in("fr", "List activities")


# Texts of ours in the schema that the catalogues may not translate yet.
OURS = {
    "info": (("info", "description"), "Read and write South-South and triangular cooperation"),
    "error detail": (
        ("components", "schemas", "Error", "properties", "detail", "description"),
        "What went wrong, in one sentence.",
    ),
    "asset page": (
        ("components", "schemas", "KnowledgeAsset", "properties", "page", "description"),
        "The asset's page in the portal.",
    ),
}

# The list's parameters of ours: its format, and the pagination's.
PARAMETERS = ("format", "page_size", "cursor")


def _parameters(document: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["description"] for p in _at(document, *ACTIVITIES, "parameters")}


def test_the_texts_we_write_in_the_schema_are_marked_for_translation(
    settings: Any, tmp_path: Path
) -> None:
    english = Client().get(SCHEMA).json()
    texts = {name: _at(english, *path) for name, (path, _start) in OURS.items()}
    for name, (_path, start) in OURS.items():
        assert texts[name].startswith(start), name
    for name in PARAMETERS:
        texts[name] = _parameters(english)[name]
    example = _at(english, "paths", "/api/v1/ledger/", "post", "requestBody", "content")
    texts["example"] = example["application/json"]["examples"]["RecordTwoLines"]["summary"]
    write_catalogue(tmp_path, "fr", {text: f"[fr] {text}" for text in texts.values()})
    settings.LOCALE_PATHS = [tmp_path, *django_settings.LOCALE_PATHS]

    french = Client(headers={"accept-language": "fr"}).get(SCHEMA).json()
    for name, (path, _start) in OURS.items():
        assert _at(french, *path) == f"[fr] {texts[name]}", name
    for name in PARAMETERS:
        assert _parameters(french)[name] == f"[fr] {texts[name]}", name
    example = _at(french, "paths", "/api/v1/ledger/", "post", "requestBody", "content")
    summary = example["application/json"]["examples"]["RecordTwoLines"]["summary"]
    assert summary == f"[fr] {texts['example']}"
