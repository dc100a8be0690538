"""The demo's saved views of the activity list (load_demo_data): the LAC CPM's ongoing
activities, shared by link, and the focal point's triangular activities with money. Found
again by owner and name, so a rerun changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from accounts.models import User
from activities.saved_views import SavedView
from activities.services import create_saved_view

# (owner's username, name, the list's query string, shared by link)
DEMO_SAVED_VIEWS = (
    ("cpm", "LAC, ongoing", "division=LAC&status=ongoing", True),
    ("focal", "Triangular, with money", "modality=triangular&with_money=true", False),
)


@dataclass
class SavedViewsLoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.unchanged)} unchanged"


def load_demo_saved_views(*, users: Mapping[str, User]) -> SavedViewsLoadReport:
    report = SavedViewsLoadReport()
    for username, name, query, shared in DEMO_SAVED_VIEWS:
        owner = users[username]
        if SavedView.objects.filter(owner=owner, name=name).exists():
            report.unchanged.append(name)
            continue
        create_saved_view(owner=owner, name=name, query=query, shared=shared)
        report.created.append(name)
    return report
