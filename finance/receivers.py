"""What finance does when activities change (activities.signals).

Connected by FinanceConfig.ready, so that every process (web, worker, command) that loads the
apps listens, whichever modules it imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from activities.signals import activities_changed, activities_merged, partners_merged

from .merges import move_entries_of_merged_activity
from .rollups import request_refresh_for_changed_activities
from .services import move_contributions

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Activity, Partner


@receiver(activities_changed, dispatch_uid="finance.refresh_rollups_of_changed_activities")
def refresh_rollups_of_changed_activities(
    sender: Any, *, divisions: Mapping[int, Iterable[int]], **kwargs: Any
) -> None:
    """The roll-ups sum money by what changed: recompute the changed activities' cells, in
    their old division's slices too, once the write commits (finance.rollups)."""
    request_refresh_for_changed_activities(divisions)


@receiver(partners_merged, dispatch_uid="finance.move_contributions_of_merged_partner")
def move_contributions_of_merged_partner(
    sender: Any, *, keep: Partner, remove: Partner, user: User | None, **kwargs: Any
) -> None:
    # Without it, deleting the merged partner would hit the ledger's PROTECT on its entries.
    move_contributions(keep, remove, user)


@receiver(activities_merged, dispatch_uid="finance.move_entries_of_merged_activity")
def move_entries_of_merged(
    sender: Any, *, keep: Activity, remove: Activity, user: User | None, **kwargs: Any
) -> None:
    # Every ledger line of the merged activity ends on the kept one: the portfolio's money is
    # unchanged to the cent, and nothing is summed under the hidden tombstone.
    move_entries_of_merged_activity(keep=keep, remove=remove, user=user)
