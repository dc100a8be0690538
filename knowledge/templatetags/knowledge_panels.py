"""{% activity_knowledge_panel activity themes country_links %}: the knowledge card of the
activity page, which activities' template asks for here (activities may not import knowledge)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import template

from knowledge.views.fragments import activity_knowledge

if TYPE_CHECKING:
    from activities.models import Activity, ActivityCountry, Theme

register = template.Library()


@register.inclusion_tag("knowledge/_activity_knowledge.html", takes_context=True)
def activity_knowledge_panel(
    context: template.Context,
    activity: Activity,
    themes: Sequence[Theme],
    country_links: Sequence[ActivityCountry],
) -> dict[str, Any]:
    user = context["request"].user
    return {
        "activity": activity,
        "knowledge": activity_knowledge(
            user, activity, [t.pk for t in themes], [link.country_id for link in country_links]
        ),
    }
