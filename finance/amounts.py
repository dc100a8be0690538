"""Reading money as people write it: `1 500 000`, `US$ 609,000`, `200000.00`, `1.500.000,50`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

CURRENCY_MARKS = re.compile(r"^(US\$|USD|\$|€|EUR|£)\s*|\s*(US\$|USD|EUR|€)$", re.I)
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SPACES = re.compile(r"[\s\u00a0\u202f']")


class AmountError(ValueError):
    """Not a number; `message`, when set, says why in words for the person who typed it."""

    message = ""


class AmbiguousAmount(AmountError):
    """A lone comma before exactly three digits: `0,785` is 0.785 to some and 785 to others."""

    def __init__(self, value: str, decimal: Decimal, thousands: Decimal):
        super().__init__(value)
        self.readings = (decimal, thousands)
        self.message = _(
            "%(value)s could be read as %(decimal)s or %(thousands)s: write %(decimal)s with a "
            "point for the decimals, or %(thousands)s without the comma."
        ) % {"value": value, "decimal": decimal, "thousands": thousands}


def parse_amount(value: object) -> Decimal:
    """A Decimal from a cell or a form; AmountError when it is not a number.

    Spaces and apostrophes group thousands. With both "," and "." the last one is the decimal
    mark; several commas group thousands; a lone "," is the decimal mark, except before exactly
    three digits with no other separator (`0,785`, `1,500`): that could be either, and a rate or
    an amount silently read a thousand times too large is worse than a question, so it is refused
    (AmbiguousAmount) naming both readings. A lone "." is always the decimal mark.
    """
    if isinstance(value, bool):
        raise AmountError(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Spreadsheet cells arrive as floats: go through their shortest text form, not binary.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = CURRENCY_MARKS.sub("", str(value or "").strip())
    # "1 500,000" groups with spaces, so its comma can only be the decimal mark.
    grouped = bool(SPACES.search(text))
    text = SPACES.sub("", text)
    if not text:
        raise AmountError(str(value))
    if text.count(".") > 1 and "," not in text:
        text = text.replace(".", "")
    elif "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif "," in text:
        head, _sep, tail = text.partition(",")
        if len(tail) == 3 and PLAIN_NUMBER.match(head + tail) and not grouped:
            raise AmbiguousAmount(
                str(value).strip(), Decimal(f"{head}.{tail}"), Decimal(head + tail)
            )
        text = text.replace(",", ".")
    if not PLAIN_NUMBER.match(text):
        raise AmountError(str(value))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise AmountError(str(value)) from None
