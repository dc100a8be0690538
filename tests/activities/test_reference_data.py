"""The reference data migration activities/0002 loads complete, current tables."""

import pytest

from activities.models import SDG, Country, Division, IncomeGroup, Theme

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_loaded() -> None:
    assert Country.objects.count() == 249


def test_country_codes_are_iso() -> None:
    brazil = Country.objects.get(iso2="BR")
    assert brazil.iso3 == "BRA"
    assert brazil.name == "Brazil"


@pytest.mark.parametrize("code", ["APR", "ESA", "LAC", "NEN", "WCA"])
def test_each_regional_division_has_countries(code: str) -> None:
    assert Division.objects.get(code=code).countries.count() >= 10


def test_global_division_exists_and_holds_no_country() -> None:
    glb = Division.objects.get(code="GLB")
    assert glb.is_regional is False
    assert glb.countries.count() == 0


@pytest.mark.parametrize(
    ("iso2", "division"),
    [
        ("BR", "LAC"),
        ("HT", "LAC"),
        ("VN", "APR"),
        ("LA", "APR"),
        ("MZ", "ESA"),
        ("AO", "ESA"),
        ("EG", "NEN"),
        ("SO", "NEN"),
        ("DJ", "NEN"),
        ("SN", "WCA"),
        ("CM", "WCA"),
    ],
)
def test_countries_sit_in_their_ifad_division(iso2: str, division: str) -> None:
    assert Country.objects.get(iso2=iso2).division.code == division


def test_high_income_european_countries_have_no_division() -> None:
    assert Country.objects.get(iso2="IT").division is None


def test_income_groups_carry_their_fiscal_year() -> None:
    grouped = Country.objects.exclude(income_group="")
    assert grouped.count() > 150
    assert not grouped.filter(income_group_year__isnull=True).exists()
    assert set(grouped.values_list("income_group", flat=True)) <= set(IncomeGroup.values)
    assert Country.objects.get(iso2="MZ").income_group == IncomeGroup.LIC


def test_ten_themes_in_order() -> None:
    assert Theme.objects.count() == 10
    assert list(Theme.objects.values_list("position", flat=True)) == list(range(1, 11))
    assert Theme.objects.last().name == "Gender"


def test_seventeen_sdgs_with_names() -> None:
    assert list(SDG.objects.values_list("number", flat=True)) == list(range(1, 18))
    assert SDG.objects.get(number=2).name.startswith("End hunger")
    assert not SDG.objects.filter(name="").exists()
