"""Writes about likely duplicates: an activity created past its suggestions, and the focal
point's decision on a pair (activities.duplicates finds them)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..duplicates import Facts, Match, pair_ids, suggest, unchecked
from ..history import Through, marked
from ..models import Activity, DuplicatePair, PairState
from .activity import ActivityData, create_activity
from .errors import ActivityError

if TYPE_CHECKING:
    from accounts.models import User


def record_duplicate_pairs(
    *,
    activity: Activity,
    matches: Sequence[Match],
    user: User | None,
    via: str,
    decided: bool,
    through: Through | None = None,
) -> list[DuplicatePair]:
    """Keep the suggestions shown for a new activity: told apart by the person who saw them
    (`decided`), or open for the focal point's report (its creator was not sure, or nobody
    looked). `through`: the activity's own channel, kept in the pairs' history."""
    pairs = []
    # Two new activities of one import suggest each other: the second finds the pair recorded.
    known = set(
        DuplicatePair.objects.filter(Q(first=activity) | Q(second=activity)).values_list(
            "first_id", "second_id"
        )
    )
    for match in matches:
        first, second = pair_ids(activity.pk, match.activity.pk)
        if (first, second) in known:
            continue
        pair = DuplicatePair(
            first_id=first,
            second_id=second,
            score=match.percent,
            found_via=via,
            state=PairState.DIFFERENT if decided else PairState.OPEN,
            decided_by=user if decided else None,
            decided_at=timezone.now() if decided else None,
        )
        pair._history_user = user  # type: ignore[attr-defined]
        marked(pair, through).save()
        pairs.append(pair)
    return pairs


class LikelyDuplicates(ActivityError):
    """The new activity looks like activities its creator did not say they looked at."""

    def __init__(self, matches: Sequence[Match]):
        self.matches = list(matches)
        super().__init__(
            {"__all__": [_("This activity may already exist: compare it with the similar ones.")]}
        )


@transaction.atomic
def create_activity_past_duplicates(
    *,
    data: ActivityData,
    user: User,
    seen: Collection[int],
    via: str,
    sure: bool = True,
    through: Through | None = None,
) -> Activity:
    """Create the activity unless it looks like an activity not in `seen` (the ids its creator
    compared it with): then raise LikelyDuplicates and save nothing. The activity is checked
    first, so that a refusal of its fields comes before the suggestions. The pairs are recorded
    with it: told apart (`sure`), never suggested again; or open, for the focal point."""
    activity = create_activity(data=data, user=user, through=through)
    matches = suggest(replace(Facts.of_data(data), pk=activity.pk), user)
    if unchecked(matches, seen):
        raise LikelyDuplicates(matches)
    record_duplicate_pairs(
        activity=activity, matches=matches, user=user, via=via, decided=sure, through=through
    )
    return activity


@transaction.atomic
def tell_apart(
    *, pair: DuplicatePair, user: User, expected_version: int, through: Through | None = None
) -> DuplicatePair:
    """The focal point's "these are different activities" on an open pair of the report."""
    claimed = DuplicatePair.objects.filter(
        pk=pair.pk, version=expected_version, state=PairState.OPEN
    ).update(version=F("version") + 1)
    if not claimed:
        raise ActivityError(
            _("Someone decided about this pair since you loaded the page: reload it.")
        )
    pair.refresh_from_db()
    pair.state = PairState.DIFFERENT
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair._history_user = user  # type: ignore[attr-defined]
    marked(pair, through).save(update_fields=["state", "decided_by", "decided_at"])
    return pair
