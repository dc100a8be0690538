"""The error summary above a form: each refusal with the field it is about, as a link to it.

People read a field's label, never its name in the code. A hidden field (the version a page
was loaded at) has nothing to link to: a page's own refusal of it ("changed by someone else")
is its message alone; a missing or garbled value says the page must be reloaded. Shared by
every form page, whatever its app
(`{% load error_summary %}{% error_summary form formset ... extra=problems %}`); the summary
takes the focus when the page loads (static/js/app.js), so a keyboard or screen reader user
starts from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()

# The codes of Django's own refusals of a value (missing, not a number ...): for a hidden field,
# a page that was not sent whole.
GARBLED = frozenset({"required", "invalid", "invalid_choice", "min_value", "max_value"})

# (the field's id to link to, or "", what it is called, the message)
type Entry = tuple[str, str, str]


def _field_entries(form: forms.BaseForm, row: int | None) -> list[Entry]:
    entries: list[Entry] = [("", "", str(error)) for error in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:
            for error in field.errors.as_data():
                if error.code in GARBLED:
                    message = _("The form was incomplete; reload the page and try again.")
                    if ("", "", message) not in entries:
                        entries.append(("", "", message))
                else:
                    entries.extend(("", "", str(text)) for text in error)
            continue
        label = str(field.label)
        if row is not None:
            label = _("%(field)s, row %(row)d") % {"field": label, "row": row}
        anchor = field.id_for_label or field.auto_id or ""
        entries.extend((anchor, label, str(error)) for error in field.errors)
    return entries


def summary_entries(
    form: forms.BaseForm | None, formsets: Iterable[Any] = (), extra: Iterable[Any] = ()
) -> list[Entry]:
    """Every refusal on the page, in the order of the page."""
    entries = _field_entries(form, None) if form is not None else []
    for formset in formsets:
        entries.extend(("", "", str(error)) for error in formset.non_form_errors())
        for number, row in enumerate(formset.forms, start=1):
            entries.extend(_field_entries(row, number))
    entries.extend(("", "", str(message)) for message in extra)
    return entries


@register.inclusion_tag("_error_summary.html")
def error_summary(form: forms.BaseForm | None = None, *formsets: Any, extra: Any = ()) -> dict:
    return {"entries": summary_entries(form, formsets, extra or ())}
