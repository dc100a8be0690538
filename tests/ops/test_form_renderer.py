"""The form renderer writes the commonest widgets in Python: the HTML must be the templates'."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from ssc_portal.form_renderer import FormRenderer
from tests.factories import ActivityFactory, PartnerFactory

TEMPLATES = "django.forms.renderers.DjangoTemplates"
PYTHON = "ssc_portal.form_renderer.FormRenderer"
MASKED = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[^"]+|(?<=nonce=")[^"]+')


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"data-x": 'a"<b>&'}))
    safe_attr = forms.CharField(widget=forms.TextInput(attrs={"data-x": mark_safe("a&amp;b")}))
    optional = forms.CharField(required=False, disabled=True)
    amount = forms.DecimalField(localize=True)
    count = forms.IntegerField(min_value=0, max_value=10)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField()
    link = forms.URLField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    empty_notes = forms.CharField(required=False, widget=forms.Textarea)
    status = forms.ChoiceField(choices=[("", "---"), ("a", gettext_lazy("Active")), (3, "<3>")])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear & co")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B <b>")], widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    maybe = forms.NullBooleanField()


EVERY_WIDGET_DATA: dict[str, Any] = {
    "text": 'x"y<z>&',
    "amount": Decimal("1234.50"),
    "count": 3,
    "day": datetime.date(2026, 12, 7),
    "email": "a@example.org",
    "link": "https://example.org/?a=1&b=2",
    "secret": "s<cret",
    "hidden": "7",
    "agree": True,
    "notes": "Line one\n<b>two</b> & three",
    "status": "3",
    "grouped": "pear",
    "many": ["a", "c"],
    "boxes": ["b"],
    "radio": "a",
    "maybe": "false",
}


def _render_all(form: forms.BaseForm, renderer: Any) -> list[str]:
    form.renderer = renderer
    html = []
    for field in form:
        html.append(str(field))
        html.extend(str(subwidget) for subwidget in field.subwidgets)
    return html


@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_widget_renders_as_the_templates_do(bound: bool, language: str) -> None:
    with override(language):
        form = EveryWidget(EVERY_WIDGET_DATA if bound else None, initial=EVERY_WIDGET_DATA)
        if bound:
            form.is_valid()
        assert _render_all(form, FormRenderer()) == _render_all(form, DjangoTemplates())


def test_a_select_whose_options_have_their_own_template_uses_the_templates() -> None:
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Custom(choices=[("a", "A")])
    assert widget.render("x", "a", renderer=FormRenderer()) == widget.render(
        "x", "a", renderer=DjangoTemplates()
    )
    assert "<input" in widget.render("x", "a", renderer=FormRenderer())


def _page(client: Client, url: str, settings: Any, renderer: str) -> str:
    settings.FORM_RENDERER = renderer
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF tokens and the CSP nonce change on every response; the rest must not.
    return MASKED.sub("", response.content.decode())


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_templates")
@pytest.mark.parametrize("page", ["activities:list", "activities:edit", "finance:activity"])
def test_the_form_pages_are_the_same_with_either_renderer(
    focal_client: Client, settings: Any, page: str
) -> None:
    partner = PartnerFactory()
    activity = ActivityFactory(countries=["BR", ("MZ", "receiver")], partners=[partner])
    url = reverse(page) if page == "activities:list" else reverse(page, args=[activity.pk])
    url += "?country=BR&status=ongoing" if page == "activities:list" else ""
    assert _page(focal_client, url, settings, PYTHON) == _page(
        focal_client, url, settings, TEMPLATES
    )
