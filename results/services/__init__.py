"""Writes to results frameworks, updates, benefits and follow-ups.

Pages, the API and the demo loader all come through here: each function authorizes nothing (the
caller has, through results.access) but validates everything, runs in one transaction, raises
one ResultsError naming the field, and leaves nothing half-written. Updates carry a version
that each write claims, so two people approving or editing the same update cannot overwrite
each other. A write that changes what counts refreshes the activity's stored dashboard rows in
its transaction (results.period_figures).
"""

from .benefits import add_relation, delete_relation, save_benefits, save_pathway
from .common import ResultsError, UpdateConflict, activity_dates
from .follow_ups import FollowUpData, add_months, record_follow_up, schedule_follow_ups
from .framework import (
    annual_periods,
    delete_indicator,
    delete_period,
    delete_result,
    save_core_indicator,
    save_dimension,
    save_indicator,
    save_period,
    save_result,
)
from .updates import (
    UpdateData,
    approve_update,
    delete_update,
    return_update,
    revise_update,
    save_update,
    submit_update,
)

__all__ = [
    "FollowUpData",
    "ResultsError",
    "UpdateConflict",
    "UpdateData",
    "activity_dates",
    "add_months",
    "add_relation",
    "annual_periods",
    "approve_update",
    "delete_indicator",
    "delete_period",
    "delete_relation",
    "delete_result",
    "delete_update",
    "record_follow_up",
    "return_update",
    "revise_update",
    "save_benefits",
    "save_core_indicator",
    "save_dimension",
    "save_indicator",
    "save_pathway",
    "save_period",
    "save_result",
    "save_update",
    "schedule_follow_ups",
    "submit_update",
]
