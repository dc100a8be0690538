"""Learning-route action plan follow-ups at 3, 6 and 12 months."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.history import Through, marked
from finance.models.rates import to_usd
from finance.services import FinanceError, rate_for
from knowledge.models import ActionPlan

from ..models import (
    FOLLOW_UP_MONTHS,
    PlanFollowUp,
)

if TYPE_CHECKING:
    from accounts.models import User

from .common import (
    _clean,
    _raise_if,
)

# --- learning-route follow-ups -----------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def schedule_follow_ups(plan: ActionPlan) -> list[PlanFollowUp]:
    """The plan's 3-, 6- and 12-month follow-ups, counted from the end of its route; kept in
    step when the route's dates move (unrecorded ones only)."""
    end = plan.route.end_date
    existing = {f.months: f for f in plan.follow_ups.all()}
    rows = []
    with transaction.atomic():
        for months in FOLLOW_UP_MONTHS:
            due = add_months(end, months)
            row = existing.get(months)
            if row is None:
                row = PlanFollowUp.objects.create(plan=plan, months=months, due_date=due)
            elif not row.outcome and row.due_date != due:
                row.due_date = due
                row.save(update_fields=["due_date", "updated_at"])
            rows.append(row)
    return rows


@dataclass
class FollowUpData:
    outcome: str
    recorded_on: datetime.date | None
    evidence: str = ""
    evidence_url: str = ""
    money_found: Decimal | None = None
    currency: str = ""


def record_follow_up(
    *,
    follow_up: PlanFollowUp,
    data: FollowUpData,
    user: User | None,
    through: Through | None = None,
) -> PlanFollowUp:
    """Record what became of the plan; money found is kept in its currency and in US$ at the
    rate of the month it was observed. `through`: the page's form or the API, kept in the
    follow-up's history."""
    follow_up.outcome = data.outcome
    follow_up.recorded_on = data.recorded_on
    follow_up.evidence = data.evidence
    follow_up.evidence_url = data.evidence_url
    follow_up.money_found = data.money_found
    follow_up.currency = data.currency
    errors = _clean(follow_up, exclude=["plan"])
    if not data.outcome:
        errors.setdefault("outcome", []).append(_("Choose what became of the plan."))
    if data.recorded_on is None:
        errors.setdefault("recorded_on", []).append(_("Give the day it was observed."))
    elif data.recorded_on > timezone.localdate():
        errors.setdefault("recorded_on", []).append(
            _("A follow-up cannot be observed in the future.")
        )
    elif data.recorded_on < follow_up.plan.route.end_date:
        errors.setdefault("recorded_on", []).append(
            _("A follow-up is observed after the route ended (%(end)s).")
            % {"end": follow_up.plan.route.end_date}
        )
    if data.money_found is not None and not data.currency:
        errors.setdefault("currency", []).append(_("Give the currency of the money found."))
    if data.currency and data.money_found is None:
        errors.setdefault("money_found", []).append(
            _("Give the amount, or leave the currency empty.")
        )
    if not errors and data.money_found is not None and data.recorded_on is not None:
        try:
            follow_up.usd_rate = rate_for(data.currency, data.recorded_on)
        except FinanceError as error:
            errors.update(error.errors)
        else:
            follow_up.money_found_usd = to_usd(data.money_found, follow_up.usd_rate)
    if data.money_found is None:
        follow_up.usd_rate = follow_up.money_found_usd = None
    _raise_if(errors)
    follow_up.recorded_by = user
    with transaction.atomic():
        marked(follow_up, through).save()
    return follow_up
