"""{% partner_datalist %}: the suggestions of every partner input on the page, listed once."""

from django import template
from django.utils.safestring import SafeString

from activities.forms import partner_datalist as build_partner_datalist

register = template.Library()


@register.simple_tag
def partner_datalist() -> SafeString:
    return build_partner_datalist()
