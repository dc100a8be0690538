"""The "my tasks" page: what waits for the user in the results workflow.

- Those who change activities (a CPM's patch, the focal point): updates submitted for their
  approval, learning-route follow-ups due within a month or overdue on routes they change,
  reporting periods that ended without any update, and their own unfinished updates.
- Users of a partner organization: drafts and returned updates on the activities their
  organization implements or hosts, and those activities' periods that ended without an update.

One section shows at a time, paginated; the others show their counts. The page's queries do
not grow with the number of tasks (tests/results/test_pages_updates.py asserts it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.roles import Reach, access_of
from knowledge.views.common import paginate, query_without

from .. import access
from ..models import Period, PlanFollowUp, Update, UpdateStatus

if TYPE_CHECKING:
    from accounts.models import User

DUE_SOON = datetime.timedelta(days=30)  # a follow-up due within a month is already a task
ACTIVITY = "period__indicator__result__activity"


@dataclass
class Section:
    key: str
    title: Any
    empty: Any
    rows: QuerySet[Any]
    count: int = 0


def _updates(scope: QuerySet[Any], statuses: tuple[str, ...]) -> QuerySet[Update]:
    return (
        Update.objects.filter(**{f"{ACTIVITY}__in": scope}, status__in=statuses)
        .select_related(f"{ACTIVITY}", "period__indicator", "created_by", "submitted_by")
        .order_by("submitted_at", "created_at", "pk")
    )


def _silent_periods(scope: QuerySet[Any], today: datetime.date) -> QuerySet[Period]:
    """Periods that ended before today without any update, in any state."""
    return (
        Period.objects.filter(indicator__result__activity__in=scope, end__lt=today)
        .filter(~Exists(Update.objects.filter(period=OuterRef("pk"))))
        .select_related("indicator__result__activity")
        .order_by("end", "pk")
    )


def _due_follow_ups(user: User, today: datetime.date) -> QuerySet[PlanFollowUp]:
    return (
        access.changeable_follow_ups(user)
        .filter(outcome="", due_date__lte=today + DUE_SOON)
        .select_related("plan__route", "plan__participant__organization")
        .order_by("due_date", "pk")
    )


def task_sections(user: User, today: datetime.date) -> list[Section]:
    """The sections that apply to the user, each with its rows (not yet read)."""
    rules = access_of(user)
    if not rules.changes.is_nothing:
        scope = access.changeable_activities(user).values("pk")
        return [
            Section(
                "approve",
                _("Updates to approve"),
                _("No update waits for your approval."),
                _updates(scope, (UpdateStatus.SUBMITTED,)),
            ),
            Section(
                "follow_ups",
                _("Follow-ups due"),
                _("No learning-route follow-up is due on your routes."),
                _due_follow_ups(user, today),
            ),
            Section(
                "periods",
                _("Periods without an update"),
                _("Every period that ended has at least one update."),
                _silent_periods(scope, today),
            ),
            Section(
                "to_submit",
                _("Your updates to finish"),
                _("You have no draft or returned update."),
                _updates(scope, (UpdateStatus.DRAFT, UpdateStatus.RETURNED)).filter(
                    created_by=user
                ),
            ),
        ]
    if rules.reads.reach is Reach.ORGANIZATION:
        scope = access.reporting_activities(user).values("pk")
        return [
            Section(
                "to_submit",
                _("Updates to submit"),
                _("No draft or returned update waits for your organization."),
                _updates(scope, (UpdateStatus.DRAFT, UpdateStatus.RETURNED)),
            ),
            Section(
                "periods",
                _("Periods without an update"),
                _("Every period that ended has at least one update."),
                _silent_periods(scope, today),
            ),
        ]
    return []


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    sections = task_sections(user, timezone.localdate())
    for section in sections:
        section.count = section.rows.count()
    wanted = request.GET.get("show", "")
    current = next((s for s in sections if s.key == wanted), None) or next(
        (s for s in sections if s.count), sections[0] if sections else None
    )
    page = paginate(request, current.rows) if current is not None else None
    context = {
        "sections": sections,
        "current": current,
        "page_obj": page,
        "rows": page.object_list if page is not None else [],
        "page_query": query_without(request.GET, "page"),
        "today": timezone.localdate(),
    }
    return render(request, "results/tasks.html", context)
