"""Partners are typed by name with the page's one list of suggestions: the activity form and the
finance page list every organization once (not once per row), show the chosen one by its name,
and save the organization whose name was picked."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.forms import PartnerRowForm, partner_options
from activities.models import Activity, Partner, PartnerRole
from activities.services import create_activity
from finance.models import FinancialEntry
from tests.factories import PartnerFactory, activity_data, country
from tests.helpers import activity_form_data
from tests.html import input_value

pytestmark = pytest.mark.django_db

EMBRAPA = "Embrapa (EMB) — Brazil"


@pytest.fixture
def embrapa() -> Partner:
    return PartnerFactory(name="Embrapa", acronym="EMB", country=country("BR"))


@pytest.fixture
def others() -> list[Partner]:
    return [PartnerFactory(name=f"Cooperative {n}", country=country("PE")) for n in range(30)]


def test_the_name_picked_from_the_suggestions_saves_that_organization(
    cpm_client: Client, embrapa: Partner, others: list[Partner]
) -> None:
    data = activity_form_data(partners=[(EMBRAPA, ["host"])])
    response = cpm_client.post(reverse("activities:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert list(activity.partner_links.values_list("partner", flat=True)) == [embrapa.pk]


def test_spaces_typed_around_or_inside_the_name_do_not_matter(
    cpm_client: Client, embrapa: Partner
) -> None:
    data = activity_form_data(partners=[("  Embrapa  (EMB) — Brazil ", ["host"])])
    assert cpm_client.post(reverse("activities:create"), data).status_code == 302
    assert Activity.objects.get().partner_links.get().partner == embrapa


def test_the_edit_form_lists_each_organization_once_and_shows_the_chosen_one_by_name(
    cpm_client: Client, cpm: User, embrapa: Partner, others: list[Partner]
) -> None:
    activity = create_activity(
        data=activity_data(partners=[(embrapa, {PartnerRole.HOST})]), user=cpm
    )
    page = cpm_client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert page.count('<datalist id="partner-names">') == 1
    # Once in the list, once as the first row's value; the empty rows list nothing.
    assert page.count(f'value="{EMBRAPA}"') == 2
    assert page.count('value="Cooperative 7 — Peru"') == 1
    assert input_value(page, "partners-0-partner") == EMBRAPA
    assert input_value(page, "partners-1-partner") is None
    assert 'list="partner-names"' in page


def test_the_finance_page_lists_the_organizations_once_and_records_the_one_named(
    cpm_client: Client, cpm: User, embrapa: Partner, others: list[Partner]
) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    url = reverse("finance:activity", args=[activity.pk])
    page = cpm_client.get(url).content.decode()
    assert page.count('value="Cooperative 7 — Peru"') == 1
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-kind": "cofinancing",
        "lines-0-contributor": EMBRAPA,
        "lines-0-stage": "planned",
        "lines-0-amount": "1000",
        "lines-0-currency": "USD",
        "lines-0-value_date": datetime.date(2024, 3, 1).isoformat(),
        "version": input_value(page, "version"),
    }
    response = cpm_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert FinancialEntry.objects.get().contributor == embrapa


def test_every_form_shares_one_partner_list_until_a_partner_changes(embrapa: Partner) -> None:
    first = partner_options()
    assert partner_options() is first  # nothing rebuilt per form, row or request
    PartnerFactory(name="Zamorano", country=country("HN"))
    assert partner_options() is not first
    assert "Zamorano — Honduras" in partner_options().ids_by_label


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        (EMBRAPA, True),
        ("id", True),
        ("", True),
        ("Embrapa", True),
        ("emb", True),
        ("Embrapa Brasil", False),
        ("999999", False),
    ],
)
def test_a_partner_row_accepts_a_suggested_label_a_name_an_acronym_or_an_id_and_nothing_else(
    embrapa: Partner, typed: str, accepted: bool
) -> None:
    value = str(embrapa.pk) if typed == "id" else typed
    row = PartnerRowForm(
        {"partner": value, "roles": ["host"] if value else []}, partner_choices=partner_options()
    )
    assert row.is_valid() is accepted, row.errors
    if accepted:
        assert row.cleaned_data["partner"] == (embrapa.pk if value else "")
