"""{% activity_counterparts_panels activity can_edit %}: the sides, conversation and
contributions sections of the activity page (`can_edit`: whether the user changes the activity,
which the page has read already; left out, it is read here); {% inbox_nav_link %}: the inbox
link with its unread count. Both are asked for by templates, so that activities never imports
counterparts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from counterparts import access
from counterparts.views.panels import activity_panels

if TYPE_CHECKING:
    from activities.models import Activity

register = template.Library()


@register.inclusion_tag("counterparts/_activity_panels.html", takes_context=True)
def activity_counterparts_panels(
    context: template.Context, activity: Activity, can_edit: bool | None = None
) -> dict[str, Any]:
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        **activity_panels(request.user, activity, manages=can_edit),
    }


@register.inclusion_tag("counterparts/_inbox_link.html", takes_context=True)
def inbox_nav_link(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    match = getattr(request, "resolver_match", None)
    return {
        "unread": access.own_notifications(user).filter(read_at__isnull=True).count()
        if user
        else 0,
        "current": match is not None and match.view_name == "counterparts:inbox",
    }
