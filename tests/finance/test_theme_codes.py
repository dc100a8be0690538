"""The theme codes page: the DAC purpose code each theme is published under in the IATI file.
Staff read it; the focal point changes a code, checked against IATI's Sector codelist, with its
history kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from activities.models import Theme, Visibility
from finance.iati_codelists import active_codes
from finance.models import CodeScheme, ThemeCode
from tests.factories import ActivityFactory, theme

pytestmark = pytest.mark.django_db

SHARED = Path("../shared/iati")
URL = "/finance/theme-codes/"


def dac_code(position: int) -> str:
    return ThemeCode.objects.get(theme=theme(position), scheme=CodeScheme.DAC_PURPOSE).code


def test_every_theme_ships_with_an_active_dac_purpose_code() -> None:
    codes = dict(
        ThemeCode.objects.filter(scheme=CodeScheme.DAC_PURPOSE).values_list("theme__code", "code")
    )
    assert set(codes) == set(Theme.objects.values_list("code", flat=True))
    official = active_codes("Sector", SHARED / "codelists")
    assert {code for code in codes.values() if code not in official} == set()


def test_staff_read_the_codes_with_their_names_in_a_fixed_number_of_queries(
    cpm_client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        response = cpm_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "31120" in page and "Agricultural development" in page
    assert "Save code" not in page  # only the focal point changes them


def test_the_focal_point_changes_a_code_and_the_change_is_in_its_history(
    focal: User, focal_client: Client
) -> None:
    response = focal_client.post(URL, {"theme": theme(1).pk, "code": " 31182 "})
    assert response.status_code == 302
    mapping = ThemeCode.objects.get(theme=theme(1), scheme=CodeScheme.DAC_PURPOSE)
    assert (mapping.code, mapping.updated_by) == ("31182", focal)
    last = mapping.history.first()
    assert (last.code, last.history_user) == ("31182", focal)


def test_a_code_that_is_not_an_active_dac_purpose_code_is_refused_by_name(
    focal_client: Client,
) -> None:
    before = dac_code(1)
    for code in ("99999", "311", "11321"):  # unknown, a category, a withdrawn code
        response = focal_client.post(URL, {"theme": theme(1).pk, "code": code})
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert list(errors) == ["code"]
        assert f"{code} is not in the list of codes in use for OECD DAC" in errors["code"][0]
        assert "DAC purpose code" in response.content.decode()  # the field's label
    assert dac_code(1) == before


def test_a_cpm_may_not_change_a_code(cpm_client: Client) -> None:
    before = dac_code(1)
    assert cpm_client.post(URL, {"theme": theme(1).pk, "code": "31182"}).status_code == 403
    assert dac_code(1) == before


def test_a_changed_code_is_the_one_the_iati_file_publishes(focal_client: Client) -> None:
    ActivityFactory(visibility=Visibility.PUBLIC, themes=[theme(1)])
    focal_client.post(URL, {"theme": theme(1).pk, "code": "31182"})
    body = b"".join(Client().get("/api/v1/iati/activities.xml").streaming_content)
    assert b'<sector vocabulary="1" code="31182" percentage="100.00"/>' in body


# --- the standard codes page: every scheme of the codebook --------------------------------------


def test_the_page_shows_every_scheme_with_defaults_and_names_in_bounded_queries(
    cpm_client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(9):
        response = cpm_client.get(URL)
    page = response.content.decode()
    assert "Standard codes" in page
    assert "2.3" in page  # a theme's SDG target, with its name
    for scheme in ("aid-type", "finance-type", "channel", "collaboration"):
        assert f'data-scheme="{scheme}"' in page
    assert "D01" in page and "Donor country personnel" in page  # technical assistance's default
    assert "Standard grant" in page and "Recipient government" in page
    assert "changed</span>" not in page  # nothing changed yet


def test_the_focal_point_changes_a_category_and_a_target_and_both_show_with_history(
    focal: User, focal_client: Client
) -> None:
    response = focal_client.post(
        URL, {"form": "category", "scheme": "aid-type", "value": "learning_route", "code": "E01"}
    )
    assert response.status_code == 302
    response = focal_client.post(
        URL, {"form": "theme", "theme": theme(1).pk, "scheme": "sdg-target", "code": "17.9"}
    )
    assert response.status_code == 302
    assert ThemeCode.objects.get(theme=theme(1), scheme=CodeScheme.SDG_TARGET).code == "17.9"
    page = focal_client.get(URL).content.decode()
    assert page.count("changed</span>") == 2
    history = page[page.index("data-history") :]
    assert "E01" in history and "17.9" in history and str(focal) in history


def test_a_bad_category_value_or_code_is_refused_naming_the_field(focal_client: Client) -> None:
    bad_value = focal_client.post(
        URL, {"form": "category", "scheme": "aid-type", "value": "nonsense", "code": "E01"}
    )
    assert bad_value.status_code == 400
    assert "Choose a value of Activity type" in bad_value.content.decode()
    bad_code = focal_client.post(
        URL, {"form": "category", "scheme": "channel", "value": "ngo", "code": "99999"}
    )
    assert bad_code.status_code == 400
    assert "99999 is not in the list of codes in use for Channel of delivery" in (
        bad_code.content.decode()
    )


def test_staff_who_are_not_the_focal_point_cannot_change_a_category(cpm_client: Client) -> None:
    response = cpm_client.post(
        URL, {"form": "category", "scheme": "aid-type", "value": "learning_route", "code": "E01"}
    )
    assert response.status_code == 403
