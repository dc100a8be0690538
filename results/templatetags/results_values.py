"""How indicator values read on the pages: as typed, without trailing zeros or an exponent
(Decimal("100.0000") is "100", never "1E+2")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def plain(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = f"{value.normalize():f}"
    places = len(text.split(".")[1]) if "." in text else 0
    return number_format(value, decimal_pos=places, force_grouping=True)
