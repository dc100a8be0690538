"""The only writers of the counterparts app: one transaction each, one error
(CounterpartError, naming the field) and a version claim against stale pages."""

from .common import CounterpartError, StaleRecord
from .confirmations import answer, confirm, dispute, refresh_agreement, sync_sides
from .conversation import mentioned_names, post_comment
from .notifications import activity_managers, mark_read, notify
from .proposals import ProposalData, accept, decline, propose, withdraw

__all__ = [
    "CounterpartError",
    "ProposalData",
    "StaleRecord",
    "accept",
    "activity_managers",
    "answer",
    "confirm",
    "decline",
    "dispute",
    "mark_read",
    "mentioned_names",
    "notify",
    "post_comment",
    "propose",
    "refresh_agreement",
    "sync_sides",
    "withdraw",
]
