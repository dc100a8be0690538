"""The results records, to compare the database before and after a request (tests.helpers
.db_state): a refused write must change none of them, an accepted one some. Querysets, not rows:
db_state reads them all in one query."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from results.models import (
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    Period,
    PlanFollowUp,
    Result,
    ScalingPathway,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
)


def state_queries() -> dict[str, Any]:
    return {
        "library": [
            CoreIndicator.objects.order_by("pk").values_list("pk", "code", "is_active"),
            Dimension.objects.order_by("pk").values_list("pk", "name", "is_active"),
            DimensionValue.objects.order_by("pk").values_list("pk", "value"),
        ],
        "framework": [
            Result.objects.order_by("pk").values_list("pk", "title", "type", "side"),
            Indicator.objects.order_by("pk").values_list("pk", "title", "baseline_value"),
            Period.objects.order_by("pk").values_list("pk", "start", "end", "target_value"),
            TargetDisaggregation.objects.order_by("pk").values_list("pk", "value"),
        ],
        "updates": Update.objects.order_by("pk").values_list(
            "pk", "status", "version", "value", "narrative", "comment", "retired"
        ),
        "update_parts": UpdateDisaggregation.objects.order_by("pk").values_list("pk", "value"),
        "benefits": BenefitStream.objects.order_by("pk").values_list("pk", "description"),
        "pathways": ScalingPathway.objects.order_by("pk").values_list("pk", "description"),
        "relations": ActivityRelation.objects.order_by("pk").values_list("pk", "type"),
        "follow_ups": PlanFollowUp.objects.order_by("pk").values_list("pk", "outcome", "due_date"),
        # Every model's rows, history models included: any write, edit or delete shows.
        "rows": {
            model._meta.model_name or "": model.objects.order_by("pk").values_list("pk")
            for model in apps.get_app_config("results").get_models()
        },
    }
