"""{{ user|person }}: who did something, as the results pages name them. Indicator values are
written `{{ value|quantity }}` ({% load formatting %}): as typed, grouped (100, 12.5, 1,250)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """Who did something: their name, else their user name, else "someone" (a deleted user)."""
    if user is None:
        return str(_("someone"))
    return str(user.get_full_name() or user.get_username())
