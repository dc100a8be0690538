"""The one code-mapping layer: every default is in its list, the focal point's choice wins over
the default, a code outside its list is refused by name, and an export loads the book in two
queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import ActivityType, Modality, PartnerType, Theme
from finance import codebook
from finance.codebook import CATEGORY_SCHEMES, CodeBook
from finance.iati_codelists import active_codes
from finance.models import CategoryCode, CodeScheme, ContributionKind, ThemeCode
from finance.services import FinanceError
from tests.factories import theme

pytestmark = pytest.mark.django_db

SHARED = Path("../shared/iati/codelists")


@pytest.mark.parametrize("scheme", [s for s in CATEGORY_SCHEMES if CATEGORY_SCHEMES[s].codelist])
def test_every_category_has_a_default_code_in_the_full_iati_codelist(scheme: str) -> None:
    spec = CATEGORY_SCHEMES[scheme]
    official = active_codes(spec.codelist, SHARED)
    assert set(spec.defaults) == set(spec.category.values)
    assert {code for code in spec.defaults.values() if code not in official} == set()


def test_every_organization_type_has_a_crs_channel() -> None:
    spec = CATEGORY_SCHEMES[CodeScheme.CHANNEL]
    assert set(spec.defaults) == set(PartnerType.values)
    assert set(spec.defaults.values()) <= set(codebook.CRS_CHANNELS)


def test_every_theme_ships_with_an_sdg_target_in_the_codelist() -> None:
    targets = dict(
        ThemeCode.objects.filter(scheme=CodeScheme.SDG_TARGET).values_list("theme__code", "code")
    )
    assert set(targets) == set(Theme.objects.values_list("code", flat=True))
    assert set(targets.values()) <= active_codes("UNSDG-Targets", SHARED)


def test_the_book_answers_defaults_and_the_focal_points_choices_in_two_queries(
    focal: User, django_assert_num_queries
) -> None:
    codebook.set_category_code(
        scheme=CodeScheme.AID_TYPE, value=ActivityType.TRAINING, code="E01", user=focal
    )
    with django_assert_num_queries(2):
        book = CodeBook.load()
    assert book.aid_type(ActivityType.TRAINING) == "E01"  # the focal point's
    assert book.aid_type(ActivityType.TECHNICAL_ASSISTANCE) == "D01"  # the default
    assert book.finance_type(ContributionKind.IFAD_LOAN) == "421"
    assert book.collaboration(Modality.TRIANGULAR) == "8"
    assert book.channel(PartnerType.RESEARCH) == "51000"
    assert book.sdg_target(theme(2).pk) == "2.3"
    assert book.purpose_shares([theme(1).pk, theme(2).pk]) == {"31166": 50, "31120": 50}
    assert book.aid_type("") == ""  # an activity with no type has no aid type


def test_a_category_code_keeps_who_changed_it_in_its_history(focal: User) -> None:
    mapping = codebook.set_category_code(
        scheme=CodeScheme.CHANNEL, value=PartnerType.NGO, code="21000", user=focal
    )
    assert (mapping.code, mapping.updated_by) == ("21000", focal)
    assert mapping.history.get().history_user == focal


@pytest.mark.parametrize(
    ("scheme", "value", "code", "field"),
    [
        (CodeScheme.AID_TYPE, ActivityType.TRAINING, "Z99", "code"),
        (CodeScheme.CHANNEL, PartnerType.NGO, "12345", "code"),
        (CodeScheme.COLLABORATION, "bilateral", "1", "value"),
        ("colour", ActivityType.TRAINING, "D02", "scheme"),
    ],
)
def test_a_code_outside_its_list_or_an_unknown_category_is_refused_by_field(
    focal: User, scheme: str, value: str, code: str, field: str
) -> None:
    with pytest.raises(FinanceError) as refused:
        codebook.set_category_code(scheme=scheme, value=value, code=code, user=focal)
    assert list(refused.value.errors) == [field]
    assert not CategoryCode.objects.exists()


def test_an_sdg_target_outside_the_list_is_refused(focal: User) -> None:
    with pytest.raises(FinanceError) as refused:
        codebook.set_theme_code(
            theme=theme(1), scheme=CodeScheme.SDG_TARGET, code="2.9", user=focal
        )
    assert (
        "2.9 is not in the list of codes in use for SDG target" in refused.value.errors["code"][0]
    )


def test_a_code_set_on_the_page_names_the_form_in_the_latest_changes(
    focal_client: Client,
) -> None:
    response = focal_client.post(
        reverse("finance:theme_codes"),
        {"form": "category", "scheme": "aid-type", "value": "learning_route", "code": "E01"},
    )
    assert response.status_code == 302
    mapping = CategoryCode.objects.get(scheme="aid-type", value="learning_route")
    assert mapping.history.get().history_change_reason == Through.FORM
    page = focal_client.get(reverse("finance:theme_codes")).content.decode()
    changes = page.split("data-history")[1].split("</ul>")[0]
    assert "E01" in changes and "through the page&#x27;s form" in changes
