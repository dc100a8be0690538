"""The counterparts records, to compare the database before and after a request
(tests.helpers.db_state): a refused write must change none of them, an accepted one some.
Querysets, not rows: db_state reads them all in one query."""

from __future__ import annotations

from typing import Any

from counterparts.models import (
    Comment,
    Confirmation,
    ConfirmationStep,
    ContributionProposal,
    Notification,
)


def state_queries() -> dict[str, Any]:
    return {
        "confirmations": Confirmation.objects.order_by("pk").values_list("pk", "state", "version"),
        "steps": ConfirmationStep.objects.order_by("pk").values_list("pk", "action"),
        "comments": Comment.objects.order_by("pk").values_list("pk", "internal"),
        "proposals": ContributionProposal.objects.order_by("pk").values_list(
            "pk", "state", "version"
        ),
        "notifications": Notification.objects.order_by("pk").values_list("pk", "read_at"),
    }
