"""What the counterparts app does when activities or the ledger change (their signals: see
activities.signals and finance.signals): each side still confirms what it confirmed, or is
asked again. In the write's transaction, so that a refused write asks no one."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.dispatch import receiver

from activities.signals import activities_merged, activities_saved, partners_merged
from finance.signals import ledger_changed

from .models import Comment, ContributionProposal
from .services import sync_sides
from .services.confirmations import drop_removed_sides


@receiver(activities_saved)
def follow_activities(
    sender: Any, activity_ids: Collection[int], user: Any = None, **kwargs: Any
) -> None:
    sync_sides(activity_ids, user=user)


@receiver(ledger_changed)
def follow_ledger(
    sender: Any, activity_ids: Collection[int], user: Any = None, **kwargs: Any
) -> None:
    sync_sides(activity_ids, user=user)


@receiver(partners_merged)
def follow_merge(sender: Any, keep: Any, remove: Any, user: Any = None, **kwargs: Any) -> None:
    """The merged organization's proposals become the kept one's; the confirmations of roles
    the merge removed (both played it already) go with them."""
    ContributionProposal.objects.filter(contributor=remove).update(contributor=keep)
    drop_removed_sides(None, user)


@receiver(activities_merged)
def follow_activity_merge(
    sender: Any, keep: Any, remove: Any, user: Any = None, **kwargs: Any
) -> None:
    """The conversation and the proposals go on on the kept activity; the merged one's
    confirmations stay with its record (they confirmed it). The kept activity's sides are
    synced by activities_saved and ledger_changed, which the merge sends after this."""
    for model in (Comment, ContributionProposal):
        for row in model.objects.filter(activity=remove):
            row.activity = keep
            row._history_user = user  # type: ignore[union-attr]
            row.save(update_fields=["activity"])
