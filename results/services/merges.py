"""The results' part of an activity merge (activities.signals.activities_merged)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from ..models import ActivityRelation, BenefitStream, Result, ScalingPathway
from ..period_figures import refresh_activities

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Activity


def move_results_of_merged_activity(*, keep: Activity, remove: Activity, user: User | None) -> None:
    """`remove`'s results (with their indicators, periods and updates), expected benefits,
    scaling pathway (when `keep` has none) and related-activity rows now belong to `keep`,
    after `keep`'s own, each move in the row's history; the dashboard's stored rows of both
    are refreshed."""
    for model in (Result, BenefitStream):
        start = model.objects.filter(activity=keep).aggregate(last=Max("position"))["last"] or 0
        for offset, row in enumerate(model.objects.filter(activity=remove), start=1):
            row.activity = keep
            row.position = start + offset
            row._history_user = user  # type: ignore[attr-defined]
            row.save(update_fields=["activity", "position"])
    pathway = ScalingPathway.objects.filter(activity=remove).first()
    if pathway is not None and not ScalingPathway.objects.filter(activity=keep).exists():
        pathway.activity = keep
        pathway._history_user = user  # type: ignore[attr-defined]
        pathway.save(update_fields=["activity"])
    _move_relations(keep, remove, user)
    refresh_activities([keep.pk, remove.pk])


def _move_relations(keep: Activity, remove: Activity, user: User | None) -> None:
    """A relation from or to `remove` becomes `keep`'s, unless `keep` has it already or it
    would relate `keep` to itself: those stay on `remove`'s record."""
    have = set(
        ActivityRelation.objects.filter(Q(activity=keep) | Q(related=keep)).values_list(
            "activity_id", "type", "related_id"
        )
    )
    for row in ActivityRelation.objects.filter(Q(activity=remove) | Q(related=remove)):
        source = keep.pk if row.activity_id == remove.pk else row.activity_id
        target = keep.pk if row.related_id == remove.pk else row.related_id
        if source == target or (source, row.type, target) in have:
            continue
        row.activity_id, row.related_id = source, target
        row._history_user = user  # type: ignore[attr-defined]
        row.save(update_fields=["activity", "related"])
        have.add((source, row.type, target))


def results_facts(activity_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """What the merge page shows of each activity's results (activities.merge_facts)."""
    counts = dict(
        Result.objects.filter(activity_id__in=list(activity_ids))
        .values_list("activity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {pk: [(str(_("Results")), str(counts.get(pk, 0)))] for pk in activity_ids}
