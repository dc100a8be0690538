"""Reference data in the reader's language: countries as pycountry's ISO 3166 catalogues name
them, divisions and themes through our catalogue; the stored names, codes and API values stay
English, and a page or an answer in French costs the same queries as in English."""

from __future__ import annotations

import array
import gettext
import struct
from pathlib import Path

import pycountry
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from activities import reference_data, reference_names
from activities.forms import country_choices
from activities.models import Country, Division, Theme
from tests.factories import ActivityFactory

OFFERED = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]


def iso_name(language: str, english: str) -> str:
    """What pycountry's own catalogue says, read without our code."""
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    return catalogue.gettext(english)


def write_catalogue(path: Path, messages: dict[str, str]) -> None:
    """A compiled gettext catalogue (.mo) holding `messages`, as msgfmt writes one."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        key_bytes, value_bytes = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    table: list[int] = []
    for id_offset, id_length, _str_offset, _str_length in offsets:
        table += [id_length, id_offset + key_start]
    for _id_offset, _id_length, str_offset, str_length in offsets:
        table += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.array("i", table).tobytes() + ids + strs)


def test_the_catalogue_lists_every_division_and_theme_of_the_reference_data() -> None:
    assert set(reference_names.DIVISION_NAMES) == {
        name for _c, name, _r in reference_data.DIVISIONS
    }
    assert set(reference_names.THEME_NAMES) == {name for _code, name in reference_data.THEMES}


@pytest.mark.django_db
def test_the_catalogue_names_every_division_and_theme_in_the_database() -> None:
    assert set(Division.objects.values_list("name", flat=True)) <= set(
        reference_names.DIVISION_NAMES
    )
    assert set(Theme.objects.values_list("name", flat=True)) <= set(reference_names.THEME_NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_a_country_is_named_as_pycountry_names_it_in_the_language(language: str) -> None:
    senegal = Country.objects.get(iso2="SN")
    ivory_coast = Country.objects.get(iso2="CI")
    with translation.override(language):
        assert senegal.display_name == iso_name(language, "Senegal")
        assert str(ivory_coast) == iso_name(language, "Côte d'Ivoire")
    assert senegal.name == "Senegal"  # stored in English, whatever the reader's language


@pytest.mark.django_db
def test_french_names_read_as_french_readers_expect() -> None:
    with translation.override("fr"):
        assert Country.objects.get(iso2="SN").display_name == "Sénégal"
        assert Country.objects.get(iso2="CI").display_name in (
            "Côte d'Ivoire",
            "Côte d\u2019Ivoire",
        )
        assert Country.objects.get(iso2="DE").display_name == "Allemagne"
    with translation.override("en"):
        assert Country.objects.get(iso2="DE").display_name == "Germany"


@pytest.mark.django_db
def test_division_and_theme_names_go_through_our_catalogue(tmp_path: Path) -> None:
    theme = Theme.objects.get(name="Gender")
    division = Division.objects.get(code="WCA")
    write_catalogue(
        tmp_path / "fr" / "LC_MESSAGES" / "django.mo",
        {"Gender": "Genre", "West and Central Africa Division": "Division Afrique de l\u2019Ouest"},
    )
    with override_settings(LOCALE_PATHS=[tmp_path]), translation.override("fr"):
        assert (theme.display_name, str(theme)) == ("Genre", "Genre")
        assert division.display_name == "Division Afrique de l\u2019Ouest"
    assert theme.name == "Gender"


@pytest.mark.django_db
def test_country_options_are_named_and_sorted_in_the_language() -> None:
    with translation.override("fr"):
        options = dict(country_choices()[1:])
        names = [name for _pk, name in country_choices()[1:]]
    assert options[Country.objects.get(iso2="DE").pk] == "Allemagne"
    assert names.index("Allemagne") < names.index("Sénégal") < names.index("Tchad")


@pytest.mark.django_db
def test_the_api_names_countries_in_the_language_asked_keeping_codes_and_queries(
    focal_client: Client,
) -> None:
    ActivityFactory.create_batch(3, countries=["SN", ("CI", "receiver")])
    client = focal_client
    counts = {}
    answers = {}
    with override_settings(LANGUAGES=OFFERED):
        for language in ("en", "fr"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/v1/activities/", headers={"accept-language": language})
            assert response.status_code == 200
            counts[language] = len(queries)
            answers[language] = response.json()["results"][0]["countries"]
    assert counts["fr"] == counts["en"]
    french = {row["iso2"]: row for row in answers["fr"]}
    english = {row["iso2"]: row for row in answers["en"]}
    assert french["SN"]["name"] == "Sénégal"
    assert english["SN"]["name"] == "Senegal"
    assert (french["SN"]["iso3"], french["SN"]["role"]) == (english["SN"]["iso3"], "provider")


@pytest.mark.django_db
def test_pages_and_exports_name_countries_in_the_language_with_the_same_queries(
    focal_client: Client,
) -> None:
    activity = ActivityFactory(countries=["SN", ("DE", "receiver")])
    ActivityFactory.create_batch(4, countries=["SN"])
    counts = {}
    with override_settings(LANGUAGES=OFFERED):
        for language in ("en", "fr"):
            with CaptureQueriesContext(connection) as queries:
                listed = focal_client.get(
                    reverse("activities:list"), headers={"accept-language": language}
                )
            counts[language] = len(queries)
            assert listed.status_code == 200
        detail = focal_client.get(
            reverse("activities:detail", args=[activity.pk]), headers={"accept-language": "fr"}
        )
        exported = focal_client.get(
            reverse("activities:export"), {"format": "csv"}, headers={"accept-language": "fr"}
        )
        # The file is written as it is sent, in the language of its request.
        body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    assert counts["fr"] == counts["en"]
    assert "Sénégal" in detail.text and "Allemagne" in detail.text
    assert "Sénégal" in body.decode("utf-8-sig")


def test_a_country_whose_common_name_a_catalogue_lacks_is_named_by_its_iso_name() -> None:
    """pycountry's Arabic catalogue translates "Iran, Islamic Republic of", not "Iran"."""
    with translation.override("ar"):
        arabic = reference_names.country_display_name("IR", "Iran")
    assert arabic != "Iran"
    assert arabic.startswith("إيران")
