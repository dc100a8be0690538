"""What results does when knowledge changes: an action plan gets its 3-, 6- and 12-month
follow-ups, and they move with its route's end date while they are not recorded.

Connected by ResultsConfig.ready, so that every process that loads the apps listens.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from knowledge.models import ActionPlan, LearningRoute

from .services import schedule_follow_ups


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
