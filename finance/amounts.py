"""Reading money as people write it: `1 500 000`, `US$ 609,000`, `200000.00`, `1.500.000,50`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CURRENCY_MARKS = re.compile(r"^(US\$|USD|\$|€|EUR|£)\s*|\s*(US\$|USD|EUR|€)$", re.I)
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SPACES = re.compile(r"[\s\u00a0\u202f']")


class AmountError(ValueError):
    pass


def parse_amount(value: object) -> Decimal:
    """A Decimal from a cell or a form; AmountError when it is not a number.

    Spaces and apostrophes group thousands. With both "," and "." the last one is the decimal
    mark; a lone "," followed by exactly three digits groups thousands, otherwise it is decimal.
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
    elif "," in text:
        head, _sep, tail = text.rpartition(",")
        text = text.replace(",", "") if len(tail) == 3 and head else text.replace(",", ".")
    if not PLAIN_NUMBER.match(text):
        raise AmountError(str(value))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise AmountError(str(value)) from None
