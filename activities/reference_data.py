"""Reference data read from maintained packages and shipped codelists.

Pure functions returning plain rows, without Django models, so that the initial data migration and
`manage.py load_reference_data` read the same sources:

- countries: ISO 3166-1 codes and names from pycountry; the free-text name patterns, short names
  and UN M49 sub-regions from country_converter (whose patterns know "Lao PDR", "Swaziland",
  "Iran (Islamic Republic of)" ...);
- IFAD divisions: derived from the M49 sub-region (see DIVISION_BY_SUBREGION) with the few
  countries IFAD assigns otherwise listed in DIVISION_OVERRIDES;
- World Bank income groups: `data/wb_income_groups.csv`, the Bank's classification for the fiscal
  year it names (no package ships it offline; replace the file or run `load_income_groups`);
- SDGs: the IATI UNSDG-Goals codelist shipped in `data/`.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path
from typing import TypedDict
from xml.etree import ElementTree

import pycountry

DATA_DIR = Path(__file__).resolve().parent / "data"

DIVISIONS: list[tuple[str, str, bool]] = [
    ("APR", "Asia and the Pacific Division", True),
    ("ESA", "East and Southern Africa Division", True),
    ("LAC", "Latin America and the Caribbean Division", True),
    ("NEN", "Near East, North Africa and Europe Division", True),
    ("WCA", "West and Central Africa Division", True),
    ("GLB", "Global / corporate", False),
]

DIVISION_BY_SUBREGION = {
    "Eastern Asia": "APR",
    "South-eastern Asia": "APR",
    "Southern Asia": "APR",
    "Melanesia": "APR",
    "Micronesia": "APR",
    "Polynesia": "APR",
    "Eastern Africa": "ESA",
    "Southern Africa": "ESA",
    "Caribbean": "LAC",
    "Central America": "LAC",
    "South America": "LAC",
    "Northern Africa": "NEN",
    "Western Asia": "NEN",
    "Central Asia": "NEN",
    "Eastern Europe": "NEN",
    "Southern Europe": "NEN",
    "Western Africa": "WCA",
    "Middle Africa": "WCA",
}

# Where IFAD's divisions do not follow the M49 sub-region.
DIVISION_OVERRIDES = {
    "AO": "ESA",  # Angola: Middle Africa in M49, East and Southern Africa at IFAD
    "DJ": "NEN",  # Djibouti and Somalia: Eastern Africa in M49, Near East at IFAD
    "SO": "NEN",
}

# High-income European countries are donors, not programme countries: no regional division.
EUROPEAN_SUBREGIONS = {"Eastern Europe", "Southern Europe"}

THEMES: list[tuple[str, str]] = [
    ("agri-technologies", "Improved agricultural technologies and effective production services"),
    ("agri-production", "Agricultural production"),
    ("value-chains", "Inclusive agricultural value chains"),
    ("natural-resources", "Natural resources management"),
    ("climate-change", "Climate change adaptation and mitigation"),
    ("financial-services", "A full range of inclusive financial services"),
    ("rural-enterprise", "Rural enterprise development"),
    ("skills", "Technical and vocational skills development"),
    ("producer-organizations", "Support to rural producer organizations"),
    ("gender", "Gender"),
]


class CountryRow(TypedDict):
    iso2: str
    iso3: str
    name: str
    official_name: str
    aliases: list[str]
    match_pattern: str
    division: str | None
    income_group: str
    income_group_year: int | None


def _converter_rows() -> dict[str, dict[str, str]]:
    """country_converter's data table, read as a file: importing the package pulls in pandas."""
    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The country_converter package is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with path.open(encoding="utf-8") as handle:
        return {row["ISO2"]: row for row in csv.DictReader(handle, delimiter="\t") if row["ISO2"]}


def income_groups(path: Path | None = None) -> dict[str, tuple[str, int]]:
    """ISO3 -> (income group, fiscal year), from a CSV: iso3, income_group, fiscal_year."""
    with (path or DATA_DIR / "wb_income_groups.csv").open(encoding="utf-8") as handle:
        return {
            row["iso3"].strip().upper(): (
                row["income_group"].strip().upper(),
                int(row["fiscal_year"]),
            )
            for row in csv.DictReader(handle)
        }


def country_rows() -> list[CountryRow]:
    converter = _converter_rows()
    groups = income_groups()
    rows: list[CountryRow] = []
    for country in pycountry.countries:
        extra = converter.get(country.alpha_2, {})
        subregion = extra.get("UNregion", "")
        income = groups.get(country.alpha_3)
        division = DIVISION_OVERRIDES.get(country.alpha_2, DIVISION_BY_SUBREGION.get(subregion))
        if subregion in EUROPEAN_SUBREGIONS and (income is None or income[0] == "HIC"):
            division = None
        name = getattr(country, "common_name", None) or extra.get("name_short") or country.name
        official = getattr(country, "official_name", "") or extra.get("name_official", "")
        aliases = sorted(
            {
                alias
                for alias in (
                    country.name,
                    getattr(country, "common_name", ""),
                    official,
                    extra.get("name_short", ""),
                    extra.get("name_official", ""),
                    _un_style(country.name),
                )
                if alias and alias != name
            }
        )
        rows.append(
            CountryRow(
                iso2=country.alpha_2,
                iso3=country.alpha_3,
                name=name,
                official_name=official,
                aliases=aliases,
                match_pattern=extra.get("regex", ""),
                division=division,
                income_group=income[0] if income else "",
                income_group_year=income[1] if income else None,
            )
        )
    return rows


def _un_style(iso_name: str) -> str:
    """ISO writes "Bolivia, Plurinational State of"; UN documents write "Bolivia (Plurinational
    State of)". Both turn up in workbooks."""
    if ", " in iso_name:
        head, tail = iso_name.split(", ", 1)
        return f"{head} ({tail})"
    return ""


def sdg_rows() -> list[tuple[int, str]]:
    tree = ElementTree.parse(DATA_DIR / "UNSDG-Goals.xml")  # noqa: S314 - our own shipped file
    rows = []
    for item in tree.getroot().iter("codelist-item"):
        code = item.findtext("code", "").strip()
        name = ""
        for narrative in item.iter("narrative"):
            if "{http://www.w3.org/XML/1998/namespace}lang" not in narrative.attrib:
                name = (narrative.text or "").strip()
                break
        name = re.sub(r"^Goal \d+\.\s*", "", name)
        rows.append((int(code), name))
    return rows
