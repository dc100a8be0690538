"""`{% load formatting %}`: the one way pages write dates, money and figures (accounts.formatting).

`{{ d|day }}`, `{{ t|moment }}`, `{{ d|month }}`, `{{ t|ago }}`, `{{ x|money:"EUR" }}`,
`{{ x|usd }}` (`{{ x|usd:0 }}` for a headline), `{{ x|amount }}`, `{{ x|percent }}`,
`{{ x|ratio }}`, `{{ x|rate }}`, `{{ x|quantity }}`, `{{ n|count }}`, `{{ x|figure }}` (a ratio or
a percentage, by its kind); `{{ t|iso }}` for a <time datetime> attribute. Nothing to show (None
or "") is written as an en dash.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

from accounts import formatting

register = template.Library()


def _number(value: Any) -> Decimal | int | None:
    # Templates hand over what the context holds: Decimals and ints, sometimes text or a float.
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    found = _number(value)
    return Decimal(found) if isinstance(found, int) else found


def _when(value: Any) -> Any:
    return value if isinstance(value, datetime.date) else None


@register.filter
def day(value: Any) -> str:
    return formatting.day(_when(value))


@register.filter
def moment(value: Any) -> str:
    when = _when(value)
    if when is not None and not isinstance(when, datetime.datetime):
        return formatting.day(when)
    return formatting.moment(when)


@register.filter
def month(value: Any) -> str:
    return formatting.month(_when(value))


@register.filter
def ago(value: Any) -> str:
    return formatting.ago(value if isinstance(value, datetime.datetime) else None)


@register.filter
def money(value: Any, currency: str) -> str:
    return formatting.money(_decimal(value), str(currency))


@register.filter
def usd(value: Any, places: int = formatting.MONEY_PLACES) -> str:
    return formatting.usd(_decimal(value), int(places))


@register.filter
def amount(value: Any) -> str:
    return formatting.amount(_decimal(value))


@register.filter
def percent(value: Any) -> str:
    found = _number(value)
    return formatting.percent(found)


@register.filter
def ratio(value: Any) -> str:
    return formatting.ratio(_decimal(value))


@register.filter
def rate(value: Any) -> str:
    return formatting.rate(_decimal(value))


@register.filter
def quantity(value: Any) -> str:
    return formatting.quantity(_number(value))


@register.filter
def count(value: Any) -> str:
    found = _number(value)
    return formatting.count(None if found is None else int(found))


@register.filter
def figure(value: Any) -> str:
    return formatting.figure(value if isinstance(value, Decimal | int) else None)


@register.filter
def iso(value: Any) -> str:
    """A date or time for machines (a <time datetime> attribute): ISO 8601, never localized."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat() if isinstance(value, datetime.date) else ""
