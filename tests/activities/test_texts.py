"""An activity's title and summary in several of the agency's languages: given on the form and
through the API, shown in the reader's language where a version exists, searched in every
language, kept in the history, and published as one IATI narrative per language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from lxml import etree

from accounts.models import User
from activities.models import Activity, ActivityText, Visibility
from activities.services import ActivityError, TextVersion, create_activity, update_activity
from activities.texts import versions_for_reader
from tests.factories import activity_data
from tests.finance.test_iati import assert_publishable, export
from tests.helpers import activity_form_data, edit_form_data
from tests.html import all_errors, errors_next_to

pytestmark = pytest.mark.django_db

FRENCH_TITLE = "Route d\u2019apprentissage sur la finance rurale"
ARABIC_TITLE = "مسار تعلم حول التمويل الريفي"
OFFERED = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _create(user: User, *texts: TextVersion, **fields: Any) -> Activity:
    data = activity_data(**{"title": "Learning route on rural finance", **fields})
    data.texts = list(texts)
    return create_activity(data=data, user=user)


def test_the_form_saves_versions_in_other_languages(client: Client, cpm: User) -> None:
    client.force_login(cpm)
    response = client.post(
        reverse("activities:create"),
        activity_form_data(
            title_fr=FRENCH_TITLE,
            summary_fr="Des praticiens visitent le Mozambique.",
            title_ar=ARABIC_TITLE,
        ),
    )
    assert response.status_code == 302, all_errors(response.content)
    activity = Activity.objects.get()
    assert activity.language == "en"
    assert {(t.language, t.title) for t in activity.texts.all()} == {
        ("fr", FRENCH_TITLE),
        ("ar", ARABIC_TITLE),
    }
    page = client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    # The edit page opens the section with the versions filled in, each input in its language.
    assert FRENCH_TITLE in page
    assert 'lang="ar" dir="rtl"' in page


def test_a_version_in_the_activitys_own_language_is_refused_naming_it(
    client: Client, cpm: User
) -> None:
    client.force_login(cpm)
    response = client.post(
        reverse("activities:create"),
        activity_form_data(language="fr", title_fr=FRENCH_TITLE),
    )
    assert response.status_code == 400
    next_to_title = errors_next_to(response.content, "id_title_fr")
    assert len(next_to_title) == 1
    assert next_to_title[0].startswith("The activity's own title and summary are in French")
    assert not Activity.objects.exists()


def test_a_summary_without_its_title_is_refused(cpm: User) -> None:
    with pytest.raises(ActivityError) as refused:
        _create(cpm, TextVersion("es", "", "Resumen sin título"))
    assert refused.value.errors["texts"] == ["Give the title in Spanish."]
    assert not Activity.objects.exists()


def test_clearing_a_version_on_the_form_removes_it_and_the_history_says_so(
    client: Client, cpm: User
) -> None:
    activity = _create(cpm, TextVersion("fr", FRENCH_TITLE))
    client.force_login(cpm)
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        edit_form_data(activity, title_fr="", summary_fr=""),
    )
    assert response.status_code == 302, all_errors(response.content)
    assert not ActivityText.objects.exists()
    history = client.get(reverse("activities:history", args=[activity.pk])).content.decode()
    assert "Title in French" in history
    assert FRENCH_TITLE in history


def test_an_edit_that_leaves_the_versions_keeps_them_without_a_history_row(cpm: User) -> None:
    activity = _create(cpm, TextVersion("fr", FRENCH_TITLE, "Résumé"))
    data = activity_data(title="Learning route on rural finance, second edition")
    update_activity(activity=activity, data=data, user=cpm, expected_version=activity.version)
    assert ActivityText.objects.get().title == FRENCH_TITLE
    assert ActivityText.history.count() == 1  # type: ignore[attr-defined]


@override_settings(LANGUAGES=OFFERED)
def test_readers_see_the_version_in_their_language_and_the_others_on_demand(
    cpm: User,
) -> None:
    activity = _create(cpm, TextVersion("fr", FRENCH_TITLE, "Résumé en français"))
    french = Client(headers={"accept-language": "fr"})
    french.force_login(cpm)
    detail = french.get(activity.get_absolute_url()).content.decode()
    assert f'<h1 lang="fr" dir="ltr">{FRENCH_TITLE}</h1>' in detail
    assert "Learning route on rural finance" in detail  # the original, under "also written in"
    listed = french.get(reverse("activities:list")).content.decode()
    assert FRENCH_TITLE in listed
    spanish = Client(headers={"accept-language": "es"})
    spanish.force_login(cpm)
    # No Spanish version: the activity's own title.
    assert '<h1 lang="en" dir="ltr">Learning route on rural finance</h1>' in (
        spanish.get(activity.get_absolute_url()).content.decode()
    )


def test_the_versions_come_in_the_readers_order(cpm: User) -> None:
    activity = _create(cpm, TextVersion("ar", ARABIC_TITLE), TextVersion("fr", FRENCH_TITLE))
    with translation.override("ar"):
        shown = versions_for_reader(activity)
    assert [(v.language, v.own, v.direction) for v in shown] == [
        ("ar", False, "rtl"),
        ("en", True, "ltr"),
        ("fr", False, "ltr"),
    ]


def test_the_list_search_finds_an_activity_by_its_title_in_another_language(
    client: Client, cpm: User
) -> None:
    activity = _create(cpm, TextVersion("fr", FRENCH_TITLE))
    _create(cpm, title="Exposure visit on irrigation", approval_year=2023)
    client.force_login(cpm)
    response = client.get(reverse("activities:list"), {"q": "finance rurale"})
    assert [a.pk for a in response.context["activities"]] == [activity.pk]


# --- API ---------------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_versions(client: Client, cpm: User) -> None:
    activity = _create(cpm, TextVersion("fr", FRENCH_TITLE, "Résumé"))
    client.force_login(cpm)
    url = f"/api/v1/activities/{activity.pk}/"
    read = client.get(url).json()
    assert read["language"] == "en"
    assert read["texts"] == [{"language": "fr", "title": FRENCH_TITLE, "summary": "Résumé"}]
    # PATCH without texts keeps them; with texts replaces them.
    kept = client.patch(
        url, {"version": read["version"], "notes": "Seen"}, content_type="application/json"
    )
    assert kept.status_code == 200, kept.content
    assert kept.json()["texts"] == read["texts"]
    replaced = client.patch(
        url,
        {"version": kept.json()["version"], "texts": [{"language": "ar", "title": ARABIC_TITLE}]},
        content_type="application/json",
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["texts"] == [{"language": "ar", "title": ARABIC_TITLE, "summary": ""}]


def test_the_api_refuses_a_version_naming_the_field(client: Client, cpm: User) -> None:
    activity = _create(cpm)
    client.force_login(cpm)
    url = f"/api/v1/activities/{activity.pk}/"
    unknown = client.patch(
        url,
        {"version": activity.version, "texts": [{"language": "de", "title": "Lernroute"}]},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert list(unknown.json()["errors"]) == ["texts.0.language"]
    own = client.patch(
        url,
        {"version": activity.version, "texts": [{"language": "en", "title": "Twice"}]},
        content_type="application/json",
    )
    assert own.status_code == 400
    assert "The activity's own title and summary are in English" in own.content.decode()
    assert not ActivityText.objects.exists()


# --- IATI --------------------------------------------------------------------------------------


def test_the_iati_file_carries_one_narrative_per_language(cpm: User) -> None:
    _create(
        cpm,
        TextVersion("en", "Learning route on rural finance", "Practitioners visit Mozambique."),
        title=FRENCH_TITLE,
        summary="Des praticiens visitent le Mozambique.",
        language="fr",
        visibility=Visibility.PUBLIC,
    )
    document = export()
    assert_publishable(document)
    activity = document.find("iati-activity")
    assert activity.get(XML_LANG) == "fr"
    titles = [(n.get(XML_LANG), n.text) for n in activity.find("title").iter("narrative")]
    assert titles == [(None, FRENCH_TITLE), ("en", "Learning route on rural finance")]
    descriptions = [n.get(XML_LANG) for n in activity.find("description").iter("narrative")]
    assert descriptions == [None, "en"]
    assert etree.tostring(activity).count(b"narrative") >= 4
