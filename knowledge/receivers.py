"""What knowledge does when activities change (activities.signals).

Connected by KnowledgeConfig.ready, so that every process that loads the apps listens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from activities.signals import activities_merged, partners_merged

from .services import move_activity_links, move_partner_links

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Activity, Partner


@receiver(partners_merged, dispatch_uid="knowledge.move_links_of_merged_partner")
def move_links_of_merged_partner(
    sender: Any, *, keep: Partner, remove: Partner, user: User | None, **kwargs: Any
) -> None:
    move_partner_links(keep=keep, remove=remove, user=user)


@receiver(activities_merged, dispatch_uid="knowledge.move_links_of_merged_activity")
def move_links_of_merged_activity(
    sender: Any, *, keep: Activity, remove: Activity, user: User | None, **kwargs: Any
) -> None:
    move_activity_links(keep=keep, remove=remove, user=user)
