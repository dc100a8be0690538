"""Knowledge shown on other apps' pages: the activity page's own and related assets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..access import can_contribute
from ..models import KnowledgeAsset

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Activity

OWN_SHOWN = 10
RELATED_SHOWN = 5


@dataclass
class ActivityKnowledge:
    own: list[KnowledgeAsset]
    related: list[KnowledgeAsset]
    more_own: bool
    can_add: bool


def activity_knowledge(
    user: User, activity: Activity, theme_ids: list[int], country_ids: list[int]
) -> ActivityKnowledge:
    """The activity's assets and those of activities on the same themes and countries, that the
    user may read: one query, whatever their number (templates/knowledge/_activity_knowledge)."""
    rows = list(
        KnowledgeAsset.objects.visible_to(user).for_activity_page(
            activity,
            theme_ids=theme_ids,
            country_ids=country_ids,
            limit=OWN_SHOWN + 1 + RELATED_SHOWN,
        )
    )
    own = [asset for asset in rows if asset.own]  # type: ignore[attr-defined]
    related = [asset for asset in rows if not asset.own]  # type: ignore[attr-defined]
    return ActivityKnowledge(
        own=own[:OWN_SHOWN],
        related=related[:RELATED_SHOWN],
        more_own=len(own) > OWN_SHOWN,
        can_add=can_contribute(user),
    )
