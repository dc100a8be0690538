"""The reference data's names in the active language.

Countries: the ISO 3166-1 names pycountry ships translated (its `iso3166-1` gettext domain, in
French, Spanish and Arabic among others), looked up by the country's code. Our stored name is the
English short name (activities.reference_data.country_rows); pycountry's catalogue is keyed by
its own English names, so the key is read from pycountry's record; a language pycountry has no
catalogue for shows the stored name.

Divisions and themes: rows in the database, named in activities.reference_data; their names are
listed below with gettext_noop so that makemessages puts them in our catalogue, and the models'
`display_name` passes the stored name through gettext. tests/activities/test_reference_names.py
checks that the list names every division and theme of the reference data.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_noop as _

DIVISION_NAMES = (
    _("Asia and the Pacific Division"),
    _("East and Southern Africa Division"),
    _("Latin America and the Caribbean Division"),
    _("Near East, North Africa and Europe Division"),
    _("West and Central Africa Division"),
    _("Global / corporate"),
)

THEME_NAMES = (
    _("Improved agricultural technologies and effective production services"),
    _("Agricultural production"),
    _("Inclusive agricultural value chains"),
    _("Natural resources management"),
    _("Climate change adaptation and mitigation"),
    _("A full range of inclusive financial services"),
    _("Rural enterprise development"),
    _("Technical and vocational skills development"),
    _("Support to rural producer organizations"),
    _("Gender"),
)


@lru_cache(maxsize=16)
def _iso_catalogue(language: str) -> gettext.NullTranslations:
    """pycountry's translations of the ISO 3166-1 names into `language` (read once)."""
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@lru_cache(maxsize=512)
def _iso_keys(iso2: str) -> tuple[str, ...]:
    """The English names pycountry's catalogues know the country by, shortest first: a
    language's catalogue may translate the common name ("Iran") or only the ISO name ("Iran,
    Islamic Republic of")."""
    record = pycountry.countries.get(alpha_2=iso2)
    if record is None:
        return ()
    names = (getattr(record, "common_name", None), record.name)
    return tuple(str(name) for name in names if name)


def country_display_name(iso2: str, stored: str) -> str:
    """The country's name in the active language; `stored` (English) when there is none."""
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return stored
    catalogue = _iso_catalogue(language)
    if type(catalogue) is gettext.NullTranslations:
        return stored
    for key in _iso_keys(iso2):
        if (translated := catalogue.gettext(key)) != key:
            return translated
    return stored


def country_choices(rows: Iterable[tuple[Any, str, str]]) -> list[tuple[Any, str]]:
    """(value, name in the active language) from (value, iso2, stored name) rows, in the order
    of the names people read (accents folded), for a form's options."""
    named = [(value, country_display_name(iso2, name)) for value, iso2, name in rows]
    return sorted(named, key=lambda row: _sort_key(row[1]))


def _sort_key(name: str) -> str:
    letters = unicodedata.normalize("NFKD", name)
    return "".join(c for c in letters if not unicodedata.combining(c)).casefold()
