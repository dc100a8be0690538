"""Country names as people write them in workbooks and forms, recognized as countries."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import Country, fold_text


class CountryMatcher:
    """Recognizes country names as people write them in workbooks and forms.

    Exact codes and names first (ISO codes, names, aliases, case and accents ignored), then the
    patterns country_converter maintains for the many other spellings (old names included).
    """

    SEPARATORS = re.compile(r"\s*;\s*|\s+-\s+|\s*\n\s*")

    def __init__(self, countries: Iterable[Country]):
        self.countries = list(countries)
        self.exact: dict[str, Country] = {}
        self.patterns: list[tuple[re.Pattern[str], Country]] = []
        for country in self.countries:
            for key in (
                country.iso2,
                country.iso3,
                country.name,
                country.official_name,
                *country.aliases,
            ):
                if key:
                    self.exact.setdefault(fold_text(key), country)
            if country.match_pattern:
                try:
                    self.patterns.append((re.compile(country.match_pattern, re.I), country))
                except re.error:
                    continue

    def match(self, text: str) -> Country | None:
        text = " ".join(text.split())
        if not text:
            return None
        found = self.exact.get(fold_text(text))
        if found:
            return found
        hits = {country.pk: country for pattern, country in self.patterns if pattern.search(text)}
        return next(iter(hits.values())) if len(hits) == 1 else None

    def match_list(self, text: str) -> tuple[list[Country], list[str]]:
        """Split a cell such as "Brazil; China - India" into countries; return the unknown parts.

        Commas separate names only when the whole text is not one name: "Bolivia, Plurinational
        State of" is one country.
        """
        text = (text or "").strip()
        if not text:
            return [], []
        found: list[Country] = []
        unknown: list[str] = []
        for part in self.SEPARATORS.split(text):
            if "," in part and fold_text(part) not in self.exact:
                # A pattern could find one name inside "Atlantis, Swaziland" and hide the other.
                pieces = [(piece, self.match(piece)) for piece in part.split(",")]
            else:
                pieces = [(part, self.match(part))]
            for piece, match in pieces:
                if not piece.strip():
                    continue
                if match is None:
                    unknown.append(piece.strip())
                elif match not in found:
                    found.append(match)
        return found, unknown
