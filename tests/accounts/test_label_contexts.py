"""Short labels that other languages write differently by sense are translated in context: a
closed activity, learning demand or period; "None" for no organization or no country chosen, no
theme code, no lines, no linked activities; "New" for each kind of record. Each surface asks for
its own context, and the contexts differ where French or Spanish say it otherwise."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from activities.models import Status
from knowledge.models.demand import DemandStatus

pytestmark = pytest.mark.django_db

CONTEXTS = {
    "Closed": [
        "activity status",
        "learning demand status",
        "period state",
        "when and by whom a period was closed",
    ],
    "None": [
        "no organization chosen",
        "no country chosen",
        "no theme code",
        "no lines to re-value",
        "no linked activities",
    ],
    "New": [
        "new partner",
        "unread notification",
        "activity the import creates",
        "new knowledge asset",
        "new learning demand",
        "new learning offer",
        "new learning route",
    ],
    "Open": ["learning demand status", "link to a page"],
}


def _in(language: str, context: str, text: str) -> str:
    with translation.override(language):
        return translation.pgettext(context, text)


@pytest.mark.parametrize("label", sorted(CONTEXTS))
def test_each_sense_has_its_translation_and_they_differ(label: str) -> None:
    for language in ("fr", "es", "ar"):
        for context in CONTEXTS[label]:
            assert _in(language, context, label) != label, (language, context)
    written = {
        language: {_in(language, context, label) for context in CONTEXTS[label]}
        for language in ("fr", "es")
    }
    assert len(written["fr"]) > 1 or len(written["es"]) > 1, written


def test_a_closed_activity_and_a_closed_demand_read_apart() -> None:
    with translation.override("fr"):
        assert str(Status.CLOSED.label) == _in("fr", "activity status", "Closed")
        assert str(DemandStatus.CLOSED.label) == _in("fr", "learning demand status", "Closed")
        assert str(DemandStatus.OPEN.label) == _in("fr", "learning demand status", "Open")
        assert str(Status.CLOSED.label) != str(DemandStatus.CLOSED.label)


def test_the_invite_form_s_two_empty_choices_agree_with_their_nouns(focal_client: Client) -> None:
    page = focal_client.get(reverse("accounts:person_invite"), headers={"accept-language": "es"})
    assert '<html lang="es"' in page.text
    organization = _in("es", "no organization chosen", "None")
    country = _in("es", "no country chosen", "None")
    assert organization != country
    assert f'<option value="" selected>{organization}</option>' in page.text
    assert f'<option value="" selected>{country}</option>' in page.text
