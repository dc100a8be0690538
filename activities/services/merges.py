"""The merge of two activities found to be one (issue 22: duplicates caught early).

`remove` is not deleted: its record and history stay, marked merged into `keep`
(ActivityMerge), and hidden from lists, sums and exports (activities.access.without_merged).
Everything that belongs to it moves to `keep`: its roles and themes here, and what the apps
above hold through activities.signals.activities_merged (whose docstring says, model by model,
what moves and what stays).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import changeable_activities
from ..models import (
    Activity,
    ActivityCountry,
    ActivityMerge,
    ActivityPartner,
    DuplicatePair,
    PairState,
)
from ..signals import activities_changed, activities_merged, activities_saved
from .activity import _lock_current_version
from .errors import ActivityError

if TYPE_CHECKING:
    from accounts.models import User


def _check_merge(keep: Activity, remove: Activity, user: User) -> None:
    """Refuse what may not be merged, naming the problem (one ActivityError)."""
    if keep.pk == remove.pk:
        raise ActivityError(_("Choose two different activities to merge."))
    merged = {
        merge.removed_id: merge
        for merge in ActivityMerge.objects.filter(
            removed_id__in=[keep.pk, remove.pk]
        ).select_related("kept")
    }
    for activity in (keep, remove):
        if activity.pk in merged:
            raise ActivityError(
                _("%(merged)s was already merged into %(kept)s.")
                % {"merged": activity.ssc_id, "kept": merged[activity.pk].kept.ssc_id}
            )
    changeable = set(
        changeable_activities(Activity.objects.all(), user)
        .filter(pk__in=[keep.pk, remove.pk])
        .values_list("pk", flat=True)
    )
    for activity in (keep, remove):
        if activity.pk not in changeable:
            raise ActivityError(
                _(
                    "You may not change %(activity)s: only someone who may change both "
                    "activities merges them."
                )
                % {"activity": activity.ssc_id}
            )


def _union_countries(keep: Activity, remove: Activity, user: User) -> bool:
    """Give `keep` the countries only `remove` had, in their role; return whether any was added.

    Their share is left empty (an equal split). When `keep` splits its money by given shares, a
    country without one would break that split (every share given and summing to 100, or none),
    and a share copied from another activity would not add up with `keep`'s: the merge is
    refused until `keep` itself names the new countries' shares."""
    have = set(keep.country_links.values_list("country_id", flat=True))
    missing = [
        link
        for link in remove.country_links.select_related("country").order_by("pk")
        if link.country_id not in have
    ]
    if missing and keep.country_links.filter(share__isnull=False).exists():
        raise ActivityError(
            _(
                "%(keep)s splits its money between its countries by given shares, and the merge "
                "would add %(countries)s without one. Add them to %(keep)s with their shares, or "
                "leave every share of %(keep)s empty, first."
            )
            % {
                "keep": keep.ssc_id,
                "countries": ", ".join(link.country.display_name for link in missing),
            }
        )
    for link in missing:
        row = ActivityCountry(activity=keep, country_id=link.country_id, role=link.role)
        row._history_user = user  # type: ignore[attr-defined]
        row.save()
    return bool(missing)


def _union_partners(keep: Activity, remove: Activity, user: User) -> None:
    have = set(keep.partner_links.values_list("partner_id", "role"))
    for link in remove.partner_links.order_by("pk"):
        if (link.partner_id, link.role) in have:
            continue
        row = ActivityPartner(activity=keep, partner_id=link.partner_id, role=link.role)
        row._history_user = user  # type: ignore[attr-defined]
        row.save()


def _union_themes(keep: Activity, remove: Activity) -> bool:
    """Add `remove`'s themes and SDGs to `keep`'s; return whether a theme was added (themes
    split the money in the roll-ups; SDGs do not)."""
    themes = set(remove.themes.values_list("pk", flat=True)) - set(
        keep.themes.values_list("pk", flat=True)
    )
    if themes:
        keep.themes.add(*themes)
    sdgs = set(remove.sdgs.values_list("pk", flat=True)) - set(
        keep.sdgs.values_list("pk", flat=True)
    )
    if sdgs:
        keep.sdgs.add(*sdgs)
    return bool(themes)


def _close_pair(keep: Activity, remove: Activity, user: User) -> None:
    first, second = sorted((keep.pk, remove.pk))
    pair = DuplicatePair.objects.filter(first_id=first, second_id=second).first()
    if pair is None or pair.state == PairState.MERGED:
        return
    pair.state = PairState.MERGED
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.version += 1
    pair._history_user = user  # type: ignore[attr-defined]
    pair.save(update_fields=["state", "decided_by", "decided_at", "version"])


@transaction.atomic
def merge_activities(
    *,
    keep: Activity,
    remove: Activity,
    user: User,
    keep_version: int | None,
    remove_version: int | None,
    via: str,
) -> ActivityMerge:
    """Merge `remove` into `keep`: every role, ledger line, result and link of `remove` ends on
    `keep`, `remove` stays as a tombstone with its history. The versions are those the caller
    saw (None: the stored ones); a stale one is refused (ConflictError), never overwritten."""
    _check_merge(keep, remove, user)
    # Both rows locked in id order, so that two merges of the same pair cannot interleave.
    for activity in sorted((keep, remove), key=lambda a: a.pk):
        _lock_current_version(activity, keep_version if activity is keep else remove_version)
    # The themes' history rows read their author from the instance.
    keep._history_user = user  # type: ignore[attr-defined]
    countries_added = _union_countries(keep, remove, user)
    _union_partners(keep, remove, user)
    themes_added = _union_themes(keep, remove)
    merge = ActivityMerge.objects.create(removed=remove, kept=keep, merged_by=user, via=via)
    _close_pair(keep, remove, user)
    # The tombstone first: the apps above read `remove` as merged while they move its records.
    activities_merged.send(sender=Activity, keep=keep, remove=remove, user=user)
    if countries_added or themes_added:
        activities_changed.send(sender=Activity, divisions={keep.pk: {keep.lead_division_id}})
    activities_saved.send(sender=Activity, activity_ids={keep.pk}, user=user)
    return merge
