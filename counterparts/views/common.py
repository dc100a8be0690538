"""What the counterparts' views share: the way back to the activity page's section and the
messages that tell a refusal, field by field."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..services import CounterpartError


def back_to(activity_id: int, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("activities:detail", args=[activity_id]) + f"#{anchor}")


def _label(form: forms.Form | None, name: str) -> str:
    if form is None or name not in form.fields or name == "version":
        return ""
    return str(form.fields[name].label or name)


def report_refusal(
    request: HttpRequest, error: CounterpartError, form: forms.Form | None = None
) -> None:
    """One error message per refused field, named by the form's label."""
    for name, texts in error.errors.items():
        label = _label(form, name)
        for text in texts:
            messages.error(request, f"{label}: {text}" if label else text)


def report_invalid(request: HttpRequest, form: forms.Form) -> None:
    """A form that did not even parse: a missing version means a page from elsewhere."""
    if "version" in form.errors:
        messages.error(request, _("The form was incomplete; reload the page and try again."))
    for name, texts in form.errors.items():
        if name == "version":
            continue
        label = _label(form, name)
        for text in texts:
            messages.error(request, f"{label}: {text}" if label else str(text))


def add_refusal(
    form: forms.Form, error: CounterpartError, *, rename: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form it answers, next to each field it names (`rename`:
    the service's name for a field the form calls otherwise)."""
    for service_name, texts in error.errors.items():
        name = (rename or {}).get(service_name, service_name)
        field = name if name in form.fields and name != "version" else None
        for text in texts:
            form.add_error(field, text)
