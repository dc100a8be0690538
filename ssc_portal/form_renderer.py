"""The form renderer (settings.FORM_RENDERER): Django's, with its commonest widgets in Python.

Every field of a form is a widget rendered through Django's widget templates: an <input> is
three templates (text.html includes input.html, which includes attrs.html), a <select> one
more per option. On the activity, finance and list pages (dozens of fields, selects of a few
hundred options) that template work is a large share of each request's CPU. The widgets below
are written as the templates' HTML, character for character (tests/ops/test_form_renderer.py
compares them with the templates'); any other template, and a select whose options have a
template of their own, still go through the templates. Nothing is bypassed that a project could
have changed: DjangoTemplates looks in Django's own form templates before any app's, so an app
cannot override these widgets' templates under this renderer (that takes TemplatesSetting, a
different renderer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

WIDGETS = "django/forms/widgets/"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localized, escaped unless marked safe."""
    value = localize(template_localtime(value))
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _string(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in a template: the text of the value, escaped unless
    marked safe (the filter keeps a safe value safe)."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - what the stringformat filter does
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (with its closing line break)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input_option.html: a checkbox or radio inside its label."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_for = f' for="{_text(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html and its options; None when an option has a template
    of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# Django's templates that only include input.html (or input_option.html) render as it does.
PYTHON_WIDGETS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    f"{WIDGETS}{name}.html": _input
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
} | {
    f"{WIDGETS}checkbox_option.html": _input_option,
    f"{WIDGETS}radio_option.html": _input_option,
    f"{WIDGETS}input_option.html": _input_option,
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}textarea.html": _textarea,
}


class FormRenderer(DjangoTemplates):
    """Django's template renderer, but for the widgets PYTHON_WIDGETS writes directly."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = PYTHON_WIDGETS.get(template_name)
        if write is not None and "widget" in context:
            html = write(context["widget"])
            if html is not None:
                # As BaseRenderer.render, which strips what the template gives.
                return html.strip()
        return super().render(template_name, context, request=request)
