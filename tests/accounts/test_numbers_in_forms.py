"""Every form that takes an amount, a rate or a share reads it in the page's language: French
`0,785` and `1 500 000,50` are 0.785 and 1500000.50, English `0,785` is refused naming both
readings. The walk at the end keeps a new form from taking a DecimalField that reads English
only."""

from __future__ import annotations

import inspect
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

import accounts.forms
import activities.forms
import activities.forms_partners
import activities.forms_saved_views
import counterparts.forms
import finance.forms
import knowledge.forms
import results.forms.dashboard
import results.forms.framework
import results.forms.updates
import standards.forms
from accounts.numbers import LocalizedDecimalField
from activities.forms import CountryRowForm
from counterparts.forms import ProposalForm
from finance.forms import AmountField, CorrectionForm, EntryLineForm, RateCardForm, RateForm
from finance.models import ExchangeRate
from results.forms.framework import IndicatorForm, PathwayForm, PeriodForm
from results.forms.updates import FollowUpForm, UpdateForm

FORM_MODULES: list[ModuleType] = [
    accounts.forms,
    activities.forms,
    activities.forms_partners,
    activities.forms_saved_views,
    counterparts.forms,
    finance.forms,
    knowledge.forms,
    results.forms.dashboard,
    results.forms.framework,
    results.forms.updates,
    standards.forms,
]

AMOUNT = ("1 500 000,50", Decimal("1500000.50"))
RATE = ("0,785", Decimal("0.785"))
SHARE = ("12,5", Decimal("12.5"))
FIELDS: list[tuple[type[forms.BaseForm], str, tuple[str, Decimal]]] = [
    (EntryLineForm, "amount", AMOUNT),
    (EntryLineForm, "quantity", ("2,5", Decimal("2.5"))),
    (CorrectionForm, "new_amount", AMOUNT),
    (CorrectionForm, "new_quantity", ("1 200,5", Decimal("1200.5"))),
    (RateForm, "units_per_usd", RATE),
    (RateCardForm, "amount", AMOUNT),
    (CountryRowForm, "share", SHARE),
    (UpdateForm, "value", RATE),
    (FollowUpForm, "money_found", AMOUNT),
    (IndicatorForm, "baseline_value", RATE),
    (PeriodForm, "target_value", ("1 500 000,5", Decimal("1500000.5"))),
    (PathwayForm, "amount", AMOUNT),
    (ProposalForm, "amount", AMOUNT),
]
IDS = [f"{form.__name__}.{name}" for form, name, _entry in FIELDS]


@pytest.mark.parametrize(("form", "name", "entry"), FIELDS, ids=IDS)
def test_a_french_entry_is_read_in_french(
    form: type[forms.BaseForm], name: str, entry: tuple[str, Decimal]
) -> None:
    text, number = entry
    field = form.base_fields[name]
    with translation.override("fr"):
        assert field.clean(text) == number


@pytest.mark.parametrize(("form", "name", "entry"), FIELDS, ids=IDS)
def test_an_ambiguous_english_entry_is_refused_naming_both_readings(
    form: type[forms.BaseForm], name: str, entry: tuple[str, Decimal]
) -> None:
    field = form.base_fields[name]
    with translation.override("en"), pytest.raises(forms.ValidationError) as refused:
        field.clean("0,785")
    assert refused.value.messages == [
        "“0,785” could be read as 0.785 or as 785; type 0.785 or 785."
    ]


@pytest.mark.parametrize(("form", "name", "entry"), FIELDS, ids=IDS)
def test_the_field_is_a_text_box_for_decimals(
    form: type[forms.BaseForm], name: str, entry: tuple[str, Decimal]
) -> None:
    widget = form.base_fields[name].widget
    assert isinstance(widget, forms.TextInput)
    assert widget.input_type == "text"
    rendered = form.base_fields[name].widget_attrs(widget) | widget.attrs
    assert rendered.get("inputmode") == "decimal"


def test_money_keeps_its_currency_mark_in_any_language() -> None:
    field = AmountField()
    with translation.override("fr"):
        assert field.clean("1 500 000,50 €") == Decimal("1500000.50")
    with translation.override("en"):
        assert field.clean("US$ 609,000.00") == Decimal("609000.00")


def test_every_decimal_a_form_takes_is_read_in_the_page_language() -> None:
    found = []
    for module in FORM_MODULES:
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.DecimalField | forms.FloatField | AmountField):
                    found.append(f"{form.__name__}.{name}")
                    assert isinstance(field, LocalizedDecimalField | AmountField), (
                        f"{form.__name__}.{name} reads numbers the English way only"
                    )
    assert set(IDS) <= set(found)


OFFERED = [("en", "English"), ("fr", "French")]


@pytest.mark.django_db
def test_the_rates_page_stores_a_french_rate_and_refuses_the_same_entry_in_english(
    focal_client: Client, settings: Any
) -> None:
    settings.LANGUAGES = OFFERED
    body = {"currency": "GBP", "month": "2024-01", "units_per_usd": "0,785", "source": "BoE"}
    english = focal_client.post(reverse("finance:rates"), body, headers={"accept-language": "en"})
    assert english.status_code == 400
    assert "Units per US$" in english.text
    assert "“0,785” could be read as 0.785 or as 785; type 0.785 or 785." in english.text
    assert not ExchangeRate.objects.exists()
    french = focal_client.post(reverse("finance:rates"), body, headers={"accept-language": "fr"})
    assert french.status_code in (200, 302), french.text[:500]
    assert ExchangeRate.objects.get(currency="GBP").units_per_usd == Decimal("0.785")
