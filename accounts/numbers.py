"""Numbers as people type them in their language: `0,785` and `1 500 000,50` in French,
`0.785` and `1,500,000.50` in English, `1.500.000,50` in Spanish.

The active language's marks come from Django's format files (`get_format`): its decimal mark
and its grouping mark. Spaces (the normal space, the no-break space U+00A0 and the narrow
no-break space U+202F) group thousands in every language, and where the decimal mark is a comma
a point groups them too (Spanish, Arabic). Arabic-Indic digits are read as digits, the Arabic
decimal separator U+066B as a decimal mark and the Arabic thousands separator U+066C as grouping.

The rules, in order:

1. A lone "." or "," (the entry's only mark) before exactly three digits is read as decimals
   when it is the language's decimal mark (`0,785` in French, `2.785` in English). Any other
   such entry is refused naming both readings (`0,785` or `1,500` in English, `1.500` in French
   or Spanish): a rate or an amount silently read a thousand times too large or too small is
   worse than a question.
2. Otherwise the entry is read the language's way: digits, then decimals after the decimal
   mark; grouped entries start with one to three digits (not a lone 0) followed by groups of
   exactly three, with one kind of grouping mark throughout.
3. An entry the language cannot read is read the other way round (point for decimals with
   "," or spaces grouping, or comma for decimals with "." or spaces grouping), when that gives
   one number only: `1 500 000,50` typed on an English page is 1500000.50, `0,5` is 0.5.
4. Anything else (words, `1,2,3`, `1 50`, an exponent, mixed grouping marks) is refused.

A minus sign may lead. Limits (digits, places, minimum) are the form field's own validators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext as _

SPACES = " \u00a0\u202f"
ARABIC_DECIMAL = "\u066b"
ARABIC_GROUPING = "\u066c"
# Arabic-Indic (U+0660...) and Extended Arabic-Indic (U+06F0..., Persian, Urdu) digits.
DIGITS = str.maketrans(
    {chr(0x0660 + n): str(n) for n in range(10)} | {chr(0x06F0 + n): str(n) for n in range(10)}
)
MINUS = ("-", "\u2212")
LONGEST = 60
ALLOWED = re.compile(rf"^[0-9.,{SPACES}{ARABIC_DECIMAL}{ARABIC_GROUPING}]+$")
LONE_MARK = re.compile(r"^([0-9]*)([.,])([0-9]{3})$")


class NumberError(ValueError):
    """An entry that is not one number; `message` says why, for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AmbiguousNumber(NumberError):
    """An entry two languages read as two numbers; `readings` holds both."""

    def __init__(self, message: str, readings: tuple[Decimal, Decimal]):
        super().__init__(message)
        self.readings = readings


@dataclass(frozen=True)
class Convention:
    """How one family of languages writes a number: its decimal marks and grouping marks."""

    decimal: str
    grouping: str

    def read(self, text: str) -> Decimal | None:
        """The number `text` is under this convention, or None when it is not well formed."""
        whole, marks, decimals = text, [m for m in self.decimal if m in text], ""
        if len(marks) > 1 or (marks and text.count(marks[0]) > 1):
            return None
        if marks:
            whole, _mark, decimals = text.partition(marks[0])
            if not decimals.isdigit():
                return None
        if not whole:
            return Decimal(f"0.{decimals}") if decimals else None
        groups = re.split(f"[{re.escape(self.grouping)}]", whole)
        if len(groups) > 1:
            used = {mark for mark in whole if not mark.isdigit()}
            # All spaces are one kind of mark: people mix them without seeing it.
            if len({" " if mark in SPACES else mark for mark in used}) > 1:
                return None
            head, rest = groups[0], groups[1:]
            if not (1 <= len(head) <= 3) or head == "0" or any(len(g) != 3 for g in rest):
                return None
        digits = "".join(groups)
        if not digits.isdigit() or not digits.isascii():
            return None
        return Decimal(f"{digits}.{decimals}") if decimals else Decimal(digits)


POINT = Convention(decimal="." + ARABIC_DECIMAL, grouping="," + SPACES + ARABIC_GROUPING)
COMMA = Convention(decimal="," + ARABIC_DECIMAL, grouping="." + SPACES + ARABIC_GROUPING)


def active_convention() -> Convention:
    """The active language's way, from its format file."""
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    grouping = str(get_format("THOUSAND_SEPARATOR"))
    if decimal == ",":
        # Spanish and Arabic group with points as well as the format file's no-break space.
        grouping += "."
    marks = "".join(dict.fromkeys(grouping + SPACES + ARABIC_GROUPING))
    return Convention(decimal=decimal + ARABIC_DECIMAL, grouping=marks.replace(decimal, ""))


def plain(number: Decimal) -> str:
    """`number` as the active language writes it without grouping or trailing zeros: what the
    person can type back (a lone mark is read as decimals when it is the language's own)."""
    text = f"{number.normalize():f}" if number else "0"
    whole, _point, decimals = text.partition(".")
    mark = str(get_format("DECIMAL_SEPARATOR"))
    return f"{whole}{mark}{decimals}" if decimals else whole


def example() -> str:
    """How to type a large amount and a rate in the active language, for messages."""
    mark = str(get_format("DECIMAL_SEPARATOR"))
    grouping = str(get_format("THOUSAND_SEPARATOR"))
    if grouping in SPACES:
        grouping = " "
    return _("%(amount)s or %(rate)s") % {
        "amount": f"1{grouping}500{grouping}000{mark}50",
        "rate": f"0{mark}785",
    }


def parse_number(value: str) -> Decimal:
    """The number `value` is in the active language (rules in the module's doc); NumberError
    (AmbiguousNumber when two readings compete) when it is not one number."""
    shown = value.strip()[:LONGEST]
    text = value.strip().translate(DIGITS)
    negative = text.startswith(MINUS)
    if negative:
        text = text[1:].lstrip(SPACES)
    if not text or len(text) > LONGEST or not ALLOWED.match(text):
        raise NumberError(_not_a_number(shown))
    own = active_convention()
    lone = LONE_MARK.match(text)
    if lone and lone.group(2) not in own.decimal:
        head, _mark, tail = lone.groups()
        sign = "-" if negative else ""
        readings = (Decimal(f"{sign}{head or 0}.{tail}"), Decimal(f"{sign}{head}{tail}"))
        raise AmbiguousNumber(_ambiguous(shown, readings), readings)
    number = own.read(text)
    if number is None:
        found = {n for n in (POINT.read(text), COMMA.read(text)) if n is not None}
        if len(found) == 2:
            first, second = sorted(-n if negative else n for n in found)
            raise AmbiguousNumber(_ambiguous(shown, (first, second)), (first, second))
        if not found:
            raise NumberError(_not_a_number(shown))
        number = found.pop()
    return -number if negative else number


def _ambiguous(shown: str, readings: tuple[Decimal, Decimal]) -> str:
    first, second = (plain(n) for n in readings)
    return _(
        "“%(value)s” could be read as %(first)s or as %(second)s; type %(first)s or %(second)s."
    ) % {
        "value": shown,
        "first": first,
        "second": second,
    }


def _not_a_number(shown: str) -> str:
    return _("“%(value)s” is not a number: type it like %(example)s.") % {
        "value": shown,
        "example": example(),
    }


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed the way the page's language writes it (accounts.numbers' rules), in a
    text box: a number input cannot hold `1 500 000,50`, and browsers read it their own way.

    Limits (max_digits, decimal_places, min_value, max_value) stay DecimalField's."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any):
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        attrs.setdefault("autocomplete", "off")
        return attrs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_number(str(value))
        except NumberError as error:
            raise forms.ValidationError(error.message, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return plain(Decimal(value))
        return value
