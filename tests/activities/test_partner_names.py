"""A partner is found by any name it is known by: its name, acronym or another name (a former
name), with case and accents ignored, in the partner fields of the forms and in the partner
list's search; the other names are edited on the partner form and kept in its history."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.forms import PartnerRowForm, partner_options
from activities.models import Partner
from activities.services import merge_partners, update_partner
from tests.factories import PartnerFactory, country
from tests.helpers import partner_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def embrapa() -> Partner:
    partner = PartnerFactory(
        name="Brazilian Agricultural Research Corporation", acronym="EMBRAPA", country=None
    )
    return update_partner(
        partner=partner,
        user=None,
        aliases=["Empresa Brasileira de Pesquisa Agropecuária"],
    )


def _row(typed: str) -> PartnerRowForm:
    return PartnerRowForm({"partner": typed, "roles": ["host"]}, partner_choices=partner_options())


@pytest.mark.parametrize(
    "typed",
    [
        "EMBRAPA",
        "embrapa",
        "Brazilian agricultural research corporation",
        "Empresa Brasileira de Pesquisa Agropecuaria",
        "  EMPRESA brasileira de pesquisa agropecuária ",
    ],
)
def test_a_partner_row_takes_the_name_acronym_or_another_name_whatever_the_case_and_accents(
    embrapa: Partner, typed: str
) -> None:
    row = _row(typed)
    assert row.is_valid(), row.errors
    assert row.cleaned_data["partner"] == embrapa.pk


def test_an_acronym_two_organizations_share_is_refused_with_a_message_saying_so() -> None:
    PartnerFactory(name="Fondo Andino", acronym="FA", country=country("PE"))
    PartnerFactory(name="Farmers Alliance", acronym="FA", country=country("KE"))
    row = _row("fa")
    assert not row.is_valid()
    assert row.errors["partner"] == [
        "“fa” names several partner organizations: pick the one you mean among the names "
        "suggested as you type."
    ]
    # The row says what is wrong once: not also that its roles lack an organization.
    assert "roles" not in row.errors


def test_an_unknown_name_is_refused_on_its_row_only() -> None:
    row = _row("Nobody we know")
    assert not row.is_valid()
    assert list(row.errors) == ["partner"]


def test_the_suggestions_show_the_other_names_so_typing_one_offers_the_organization(
    embrapa: Partner,
) -> None:
    assert (
        '<option value="Brazilian Agricultural Research Corporation (EMBRAPA)">'
        "Empresa Brasileira de Pesquisa Agropecuária</option>"
    ) in partner_options().datalist


@pytest.mark.parametrize("typed", ["embrapa", "agropecuaria", "AGROPECUÁRIA", "research corp"])
def test_the_partner_list_search_finds_by_name_acronym_or_other_name(
    focal_client: Client, embrapa: Partner, typed: str
) -> None:
    PartnerFactory(name="Zamorano", country=country("HN"))
    page = focal_client.get(reverse("activities:partner_list"), {"q": typed}).content.decode()
    assert "Brazilian Agricultural Research Corporation" in page
    assert "Zamorano" not in page


def test_the_search_does_not_match_across_two_names(embrapa: Partner) -> None:
    # "embrapa empresa" would join the acronym and the other name.
    assert not Partner.objects.search("embrapa empresa").exists()


def test_the_partner_form_edits_the_other_names_one_per_line_and_history_keeps_them(
    focal_client: Client, focal: User, embrapa: Partner
) -> None:
    url = reverse("activities:partner_edit", args=[embrapa.pk])
    assert (
        "Empresa Brasileira de Pesquisa Agropecuária</textarea>"
        in focal_client.get(url).content.decode()
    )
    body = partner_form_data(
        name=embrapa.name,
        acronym="EMBRAPA",
        country="",
        aliases="Embrapa Brasil\r\n\r\n  Empresa   Brasileira \r\nembrapa\r\nEmbrapa Brasil",
    )
    response = focal_client.post(url, body)
    assert response.status_code == 302, response.content.decode()[:2000]
    embrapa.refresh_from_db()
    # Spacing tidied; the acronym and a repeated name are not kept again.
    assert embrapa.aliases == ["Embrapa Brasil", "Empresa Brasileira"]
    latest, previous = embrapa.history.order_by("-history_id")[:2]
    assert latest.history_user == focal
    assert latest.aliases == ["Embrapa Brasil", "Empresa Brasileira"]
    assert previous.aliases == ["Empresa Brasileira de Pesquisa Agropecuária"]
    assert Partner.objects.search("brasil").get() == embrapa


def test_a_name_with_a_tab_is_refused_on_the_field(focal_client: Client) -> None:
    body = partner_form_data(aliases="Good name\r\nBad\tname")
    response = focal_client.post(reverse("activities:partner_create"), body)
    assert response.status_code == 200
    assert not Partner.objects.exists()
    assert "Write this on one line" in response.content.decode()


def test_a_merged_organization_stays_findable_by_its_name(embrapa: Partner) -> None:
    duplicate = PartnerFactory(name="EMBRAPA Sede", country=country("BR"))
    merge_partners(keep=embrapa, remove=duplicate, user=None)
    embrapa.refresh_from_db()
    assert "EMBRAPA Sede" in embrapa.aliases
    row = _row("Embrapa sede")
    assert row.is_valid(), row.errors
    assert row.cleaned_data["partner"] == embrapa.pk
