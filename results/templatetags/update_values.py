"""{{ value|plain_value }}: an indicator value as people write it (100, 12.5), not as the
database keeps it (100.0000, 12.5000)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def plain_value(value: Any) -> str:
    if value is None or value == "":
        return "\u2013"  # an en dash: no value
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return f"{value.normalize():f}"


@register.filter
def person(user: Any) -> str:
    """Who did something: their name, else their user name, else "someone" (a deleted user)."""
    if user is None:
        return str(_("someone"))
    return str(user.get_full_name() or user.get_username())
