"""`{{ value|figure }}`: a derived figure (finance.figures) written as every page writes it."""

from __future__ import annotations

from decimal import Decimal

from django import template

from finance.figures import NO_VALUE, Percent, Ratio, format_percent, format_ratio

register = template.Library()


@register.filter
def figure(value: Decimal | None) -> str:
    """A ratio as 2.80x, a percentage as 33.4 %, nothing to divide by as a dash."""
    if isinstance(value, Ratio):
        return format_ratio(value)
    if isinstance(value, Percent):
        return format_percent(value)
    return NO_VALUE if value is None else str(value)
