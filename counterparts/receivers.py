"""What the counterparts app does when activities or the ledger change (their signals: see
activities.signals and finance.signals): each side still confirms what it confirmed, or is
asked again. In the write's transaction, so that a refused write asks no one."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.dispatch import receiver

from activities.signals import activities_saved
from finance.signals import ledger_changed

from .services import sync_sides


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
