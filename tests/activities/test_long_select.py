"""LongSelect builds the same HTML as Django's Select, only faster (it renders the partner and
country lists of every form row); the partner list itself is built once and reused."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.forms import LongSelect, partner_choices
from activities.models import Partner
from finance.forms import LongSelectMultiple
from tests.factories import PartnerFactory

CHOICES: list[tuple[Any, str]] = [
    ("", "Choose a partner"),
    (1, "Ministry of Agriculture — Brazil"),
    (2, 'Rice & Beans "Co-op" <Kenya>'),
    (3, "L'Institut — Sénégal"),
    (2, "A duplicate value"),
]


def _plain(widget: forms.Select, value: Any) -> str:
    return str(widget.render("partner", value, attrs={"id": "id_partner", "required": True}))


@pytest.mark.parametrize("value", [None, "", 1, "2", 3, 99])
def test_long_select_renders_as_select(value: Any) -> None:
    expected = forms.Select(choices=CHOICES)
    expected.template_name = "django/forms/widgets/select.html"
    fast = _plain(LongSelect(choices=CHOICES), value)
    # Django's template puts each option on its own line; the options themselves are equal.
    assert fast == "".join(line.strip() for line in _plain(expected, value).splitlines())


def test_single_select_marks_only_the_first_match() -> None:
    html = _plain(LongSelect(choices=CHOICES), 2)
    assert html.count(" selected") == 1


def test_multiple_select_marks_every_chosen_option() -> None:
    html = _plain(LongSelectMultiple(choices=CHOICES), [1, 3])
    assert "multiple" in html
    assert '<option value="1" selected>' in html
    assert '<option value="3" selected>' in html
    assert html.count(" selected") == 2


def test_labels_and_values_are_escaped() -> None:
    html = _plain(LongSelect(choices=[('"><script>', "<b>&</b>")]), None)
    assert "<script>" not in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html


@pytest.mark.django_db
def test_partner_list_is_reused_until_a_partner_changes() -> None:
    PartnerFactory(name="Embrapa")
    first = partner_choices()
    with CaptureQueriesContext(connection) as reused:
        assert partner_choices() == first
    assert len(reused) == 1  # only the check for changes

    PartnerFactory(name="Zamorano")
    assert [label for _pk, label in partner_choices()][-1].startswith("Zamorano")
    renamed = Partner.objects.get(name="Embrapa")
    renamed.name = "Embrapa Brasil"
    renamed.save()
    assert any(str(label).startswith("Embrapa Brasil") for _pk, label in partner_choices())
    Partner.objects.filter(name="Zamorano").delete()
    assert not any(str(label).startswith("Zamorano") for _pk, label in partner_choices())
