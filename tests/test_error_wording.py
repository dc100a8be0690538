"""No message people read names a field by its name in the code ("currency:", "__all__:",
"Responsible cpm"): each says its field's label, or speaks for itself.

Walks every form of the apps (each field has a label of its own, not one Django derives from
the field's name), the error output of the forms as pages show it (the error summary and the
plain-text answers of the downloads), and the apps' errors as anything that prints them reads
them (a flash message, a command's output)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from activities.forms import labelled_errors
from activities.models import Activity
from activities.services import ActivityError, ConflictError
from activities.templatetags.error_summary import summary_entries
from finance.errors import FinanceError
from standards.errors import StandardsError
from tests.helpers import activity_form_data, partner_form_data

APPS = ("accounts", "activities", "counterparts", "finance", "knowledge", "results", "standards")
# A name in the code: snake_case, or the bucket Django keeps a form's own errors in.
CODE_NAME = re.compile(r"\b__all__\b|\b[a-z]+(?:_[a-z0-9]+)+\b")


def _form_modules() -> list[Any]:
    modules = []
    for app in APPS:
        for name in (f"{app}.forms", f"{app}.forms_partners"):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            modules.append(module)
            if hasattr(module, "__path__"):
                modules.extend(
                    importlib.import_module(f"{name}.{info.name}")
                    for info in pkgutil.iter_modules(module.__path__)
                )
    return modules


def _app_forms() -> list[type[forms.BaseForm]]:
    found = {
        form
        for module in _form_modules()
        for _name, form in inspect.getmembers(module, inspect.isclass)
        if issubclass(form, forms.BaseForm) and form.__module__.split(".")[0] in APPS
    }
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__name__}")


def test_the_walk_finds_the_forms() -> None:
    names = {form.__name__ for form in _app_forms()}
    assert {"ActivityForm", "PartnerForm", "EntryLineForm", "DashboardFilterForm"} <= names


@pytest.mark.parametrize("form", _app_forms(), ids=lambda form: form.__name__)
def test_every_field_of_every_form_has_a_label_of_its_own(form: type[forms.BaseForm]) -> None:
    """A field without a label shows as its name made pretty ("Responsible cpm")."""
    unlabelled = [
        name
        for name, field in form.base_fields.items()
        if field.label is None and not field.widget.is_hidden
    ]
    assert not unlabelled, f"{form.__name__}: fields without a label: {unlabelled}"


def test_the_apps_errors_print_their_messages_without_the_field_names() -> None:
    for error_class in (ActivityError, FinanceError, StandardsError):
        error = error_class(
            {"currency": ["Line 1: XYZ is not a currency."], "__all__": ["Reload the page."]}
        )
        assert str(error) == "Line 1: XYZ is not a currency. Reload the page."
    stale = ConflictError(Activity(version=3))
    assert str(stale).startswith("This activity was changed by someone else")


class _Stale(forms.Form):
    title = forms.CharField(label="Title")
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_the_error_summary_names_fields_by_label_and_hides_hidden_fields_names() -> None:
    form = _Stale({"title": "", "version": "x"})
    form.add_error(None, "Someone else saved it.")
    assert summary_entries(form) == [
        ("", "", "Someone else saved it."),
        ("id_title", "Title", "This field is required."),
        ("", "", "The form was incomplete; reload the page and try again."),
    ]
    assert labelled_errors(form) == [
        "Title: This field is required.",
        "Enter a whole number.",  # a hidden field: the message alone
        "Someone else saved it.",
    ]


def _error_text(html: str) -> str:
    """The text of the page's error summary and of its error lists."""
    parts = re.findall(r'<div class="alert alert--error[^>]*>(.*?)</div>', html, re.S)
    parts += re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', html, re.S)
    text = re.sub(r"<[^>]+>", " ", " ".join(parts))
    return " ".join(text.split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("activities:create", dict),
        ("activities:create", lambda: activity_form_data(title="", themes=[], activity_type="")),
        ("activities:partner_create", lambda: partner_form_data(name="", type="")),
        ("activities:partner_create", lambda: partner_form_data(aliases="A\tB", website="nope")),
    ],
)
def test_form_pages_show_refusals_without_names_in_the_code(
    focal_client: Client, url: str, body: Callable[[], dict[str, Any]]
) -> None:
    response = focal_client.post(reverse(url), body())
    assert response.status_code in (200, 400)
    text = _error_text(response.content.decode())
    assert text, "the page showed no refusal"
    assert "Nothing was saved" in text
    assert not CODE_NAME.findall(text), text


@pytest.mark.django_db
def test_a_dashboard_filter_and_a_download_name_a_bad_parameter_by_its_label(
    focal_client: Client,
) -> None:
    page = focal_client.get(reverse("finance:dashboard"), {"theme": "nope"}).content.decode()
    assert "theme:" not in page
    assert "Theme: Select a valid choice." in page
    download = focal_client.get(reverse("finance:export_ledger"), {"status": "nope"})
    assert download.status_code == 400
    assert download.content.decode().startswith("Status: Select a valid choice.")
