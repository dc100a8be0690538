"""The results records, to compare the database before and after a request (tests.helpers
.db_state): a refused write must change none of them, an accepted one some."""

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


def state() -> dict[str, Any]:
    return {
        "library": [
            list(CoreIndicator.objects.order_by("pk").values_list("pk", "code", "is_active")),
            list(Dimension.objects.order_by("pk").values_list("pk", "name", "is_active")),
            list(DimensionValue.objects.order_by("pk").values_list("pk", "value")),
        ],
        "framework": [
            list(Result.objects.order_by("pk").values_list("pk", "title", "type", "side")),
            list(Indicator.objects.order_by("pk").values_list("pk", "title", "baseline_value")),
            list(Period.objects.order_by("pk").values_list("pk", "start", "end", "target_value")),
            list(TargetDisaggregation.objects.order_by("pk").values_list("pk", "value")),
        ],
        "updates": list(
            Update.objects.order_by("pk").values_list(
                "pk", "status", "version", "value", "narrative", "comment", "retired"
            )
        ),
        "update_parts": list(
            UpdateDisaggregation.objects.order_by("pk").values_list("pk", "value")
        ),
        "update_history": Update.history.count(),
        "benefits": list(BenefitStream.objects.order_by("pk").values_list("pk", "description")),
        "pathways": list(ScalingPathway.objects.order_by("pk").values_list("pk", "description")),
        "relations": list(ActivityRelation.objects.order_by("pk").values_list("pk", "type")),
        "follow_ups": list(
            PlanFollowUp.objects.order_by("pk").values_list("pk", "outcome", "due_date")
        ),
        # Every model's rows, history models included: any write, edit or delete shows.
        "rows": {
            model._meta.model_name or "": model.objects.count()
            for model in apps.get_app_config("results").get_models()
        },
    }
