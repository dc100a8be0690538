"""What results does when knowledge or activities change: an action plan gets its 3-, 6- and
12-month follow-ups, and they move with its route's end date while they are not recorded; an
activity's stored dashboard rows follow its lead division and modality (period_figures).

Connected by ResultsConfig.ready, so that every process that loads the apps listens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from activities.signals import activities_changed, activities_merged
from knowledge.models import ActionPlan, LearningRoute

from .models import Result
from .period_figures import refresh_activities
from .services import schedule_follow_ups
from .services.merges import move_results_of_merged_activity


@receiver(post_save, sender=ActionPlan, dispatch_uid="results.schedule_plan_follow_ups")
def plan_saved(sender: Any, *, instance: ActionPlan, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        schedule_follow_ups(instance)


@receiver(post_save, sender=LearningRoute, dispatch_uid="results.move_plan_follow_ups")
def route_saved(sender: Any, *, instance: LearningRoute, raw: bool = False, **kwargs: Any) -> None:
    if raw or kwargs.get("created"):
        return
    for plan in instance.plans.prefetch_related("follow_ups"):
        plan.route = instance
        schedule_follow_ups(plan)


@receiver(activities_changed, dispatch_uid="results.refresh_period_figures_of_changed_activities")
def activities_changed_refresh(
    sender: Any, *, divisions: Mapping[int, Iterable[int]], **kwargs: Any
) -> None:
    """The stored rows carry the activity's lead division and modality: refresh them in the
    activity write's transaction. Only the activities with results can have any: a batch import
    of thousands of activities without results costs one query here."""
    refresh_activities(
        Result.objects.filter(activity_id__in=list(divisions))
        .values_list("activity_id", flat=True)
        .distinct()
    )


@receiver(activities_merged, dispatch_uid="results.move_results_of_merged_activity")
def move_results_of_merged(
    sender: Any, *, keep: Any, remove: Any, user: Any, **kwargs: Any
) -> None:
    move_results_of_merged_activity(keep=keep, remove=remove, user=user)
