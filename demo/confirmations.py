"""The demo of both sides agreeing (the counterparts app): Bangladesh's country counterpart
(the demo account `counterpart`) and PROCASUR's partner user confirm, dispute and are answered,
talk with the CPMs and propose their own contributions, so that every state shows somewhere:

- SSC-2009-03: Bangladesh, its only side, confirms: confirmed by all sides; then INAFI
  Bangladesh's in-kind contribution in taka, proposed by the counterpart, accepted by cpm2 into
  the ledger at the month's rate (the side's own money, so its confirmation holds).
- SSC-2010-05: Bangladesh disputes the dates; cpm2 has not answered yet: disputed.
- SSC-2009-02: Bangladesh disputes the participants, the conversation goes on (a shared
  comment with a mention, cpm's internal note, cpm's reply) and cpm answers: to confirm again.
- SSC-2006-02: PROCASUR confirms its broker's role; then cpm records the route's dates:
  PROCASUR is asked to re-confirm.
- SSC-2007-03: PROCASUR proposes its cofinancing (waiting for cpm) and an in-kind venue that
  cpm declines with a reason.
- The other sides, and every side's first step, come from the activities being recorded:
  waiting for their counterparts. The inboxes of cpm, cpm2, partner and counterpart fill on the
  way.

Everything goes through the counterparts services, in story order; each event is found again by
its natural key (a side's step by its action and author, a comment by its text, a proposal by
its contributor, amount and date), so that a rerun changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from activities import services as activity_services
from activities.models import Activity, Partner, PartnerRole
from counterparts import services
from counterparts.models import (
    Comment,
    Confirmation,
    ConfirmationStep,
    ContributionProposal,
    ProposalState,
    StepAction,
)
from finance import services as ledger
from finance.models import ContributionKind, InKindValuation, Stage

from .activity_data import current_activity_data
from .frameworks import ResultsLoadReport

D = Decimal


@dataclass(frozen=True)
class DemoStep:
    """A side's step: the side is a country (ISO code) or an organization's role (acronym)."""

    ssc_id: str
    action: str  # StepAction: confirmed, disputed or answered
    by: str
    country: str = ""
    partner: str = ""
    role: str = ""
    fields: tuple[str, ...] = ()
    comment: str = ""


@dataclass(frozen=True)
class DemoComment:
    ssc_id: str
    by: str
    body: str
    internal: bool = False


@dataclass(frozen=True)
class DemoProposal:
    ssc_id: str
    by: str
    contributor: str  # acronym
    kind: str
    stage: str
    amount: Decimal
    currency: str
    value_date: datetime.date
    valuation_method: str = ""
    valuation_basis: str = ""
    note: str = ""
    decision: str = ""  # ProposalState: accepted or declined, by `decided_by`
    decided_by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DemoDates:
    """The CPM records an activity's planned dates (a key fact its sides confirmed)."""

    ssc_id: str
    by: str
    planned_start: datetime.date
    planned_end: datetime.date


DemoEvent = DemoStep | DemoComment | DemoProposal | DemoDates

# Taka per US$ (Bangladesh Bank's 2009 average) in the month of the accepted proposal, and in
# January, the month the sample workbook dates its 2009 lines in (its import reads the line).
DEMO_RATES = (
    ("BDT", datetime.date(2009, 1, 1), D("69.00")),
    ("BDT", datetime.date(2009, 6, 1), D("69.00")),
)

DEMO_STORY: tuple[DemoEvent, ...] = (
    DemoStep(
        "SSC-2009-03",
        StepAction.CONFIRMED,
        "counterpart",
        country="BD",
        comment="The Department of Agricultural Extension confirms Bangladesh's role.",
    ),
    DemoProposal(
        "SSC-2009-03",
        "counterpart",
        "INAFI Bangladesh",
        ContributionKind.IN_KIND,
        Stage.SPENT,
        D("690000.00"),
        "BDT",
        datetime.date(2009, 6, 15),
        valuation_method=InKindValuation.STAFF_TIME,
        valuation_basis="Field facilitators, 20 days at BDT 34,500 a day",
        note="INAFI's facilitators guided the visiting delegation in Satkhira.",
        decision=ProposalState.ACCEPTED,
        decided_by="cpm2",
    ),
    DemoStep(
        "SSC-2010-05",
        StepAction.DISPUTED,
        "counterpart",
        country="BD",
        fields=("dates",),
        comment="Bangladesh's delegation joined the exchange in 2011, not in 2010.",
    ),
    DemoStep(
        "SSC-2009-02",
        StepAction.DISPUTED,
        "counterpart",
        country="BD",
        fields=("participants",),
        comment="Five Bangladeshi farmers' leaders took part, not three.",
    ),
    DemoComment(
        "SSC-2009-02",
        "counterpart",
        "@cpm the attendance sheets of Terra Madre list five of our farmers' leaders; the "
        "Department of Agricultural Extension keeps them.",
    ),
    DemoComment(
        "SSC-2009-02",
        "cpm",
        "Slow Food's report counts three: ask them before answering Bangladesh.",
        internal=True,
    ),
    DemoComment(
        "SSC-2009-02",
        "cpm",
        "@counterpart thank you: Slow Food found the two missing names. The participants are "
        "corrected.",
    ),
    DemoStep(
        "SSC-2009-02",
        StepAction.ANSWERED,
        "cpm",
        country="BD",
        comment="Corrected to five participants from Bangladesh, as your sheets show.",
    ),
    DemoStep(
        "SSC-2006-02",
        StepAction.CONFIRMED,
        "partner",
        partner="PROCASUR",
        role=PartnerRole.BROKER,
    ),
    DemoDates("SSC-2006-02", "cpm", datetime.date(2006, 1, 1), datetime.date(2006, 12, 31)),
    DemoProposal(
        "SSC-2007-03",
        "partner",
        "PROCASUR",
        ContributionKind.COFINANCING,
        Stage.PLANNED,
        D("25000.00"),
        "USD",
        datetime.date(2007, 9, 1),
        note="PROCASUR's own funds for the route's facilitators.",
    ),
    DemoProposal(
        "SSC-2007-03",
        "partner",
        "PROCASUR",
        ContributionKind.IN_KIND,
        Stage.ALLOCATED,
        D("4000.00"),
        "USD",
        datetime.date(2007, 11, 5),
        valuation_method=InKindValuation.VENUE,
        valuation_basis="Closing workshop venue in Cusco, 2 days",
        decision=ProposalState.DECLINED,
        decided_by="cpm",
        reason="The venue is already in the ledger under IFAD's grant: it would count twice.",
    ),
)


# The records created and found unchanged, as the results demo reports them.
CounterpartsLoadReport = ResultsLoadReport


@dataclass
class _Context:
    users: Mapping[str, User]
    partners: Mapping[str, Partner]
    report: CounterpartsLoadReport

    def activity(self, ssc_id: str) -> Activity:
        return Activity.objects.get(ssc_id=ssc_id)

    def done(self, name: str, created: bool) -> None:
        (self.report.created if created else self.report.unchanged).append(name)


def _side(activity: Activity, step: DemoStep) -> Confirmation:
    sides = Confirmation.objects.with_side().select_related("activity").filter(activity=activity)
    if step.country:
        return sides.get(country_link__country__iso2=step.country)
    return sides.get(partner_link__partner__acronym=step.partner, partner_link__role=step.role)


def _play_step(step: DemoStep, context: _Context) -> None:
    confirmation = _side(context.activity(step.ssc_id), step)
    user = context.users[step.by]
    name = f"{step.ssc_id} {confirmation.side_label}: {step.action}"
    taken = ConfirmationStep.objects.filter(confirmation=confirmation, action=step.action, by=user)
    if taken.exists():
        context.done(name, False)
        return
    if step.action == StepAction.CONFIRMED:
        services.confirm(
            confirmation=confirmation, user=user, expected_version=None, comment=step.comment
        )
    elif step.action == StepAction.DISPUTED:
        services.dispute(
            confirmation=confirmation,
            user=user,
            fields=step.fields,
            comment=step.comment,
            expected_version=None,
        )
    else:
        services.answer(
            confirmation=confirmation, user=user, comment=step.comment, expected_version=None
        )
    context.done(name, True)


def _play_comment(comment: DemoComment, context: _Context) -> None:
    activity = context.activity(comment.ssc_id)
    user = context.users[comment.by]
    name = f"{comment.ssc_id} comment by {comment.by}"
    if Comment.objects.filter(activity=activity, author=user, body=comment.body).exists():
        context.done(name, False)
        return
    services.post_comment(
        activity=activity, user=user, body=comment.body, internal=comment.internal
    )
    context.done(name, True)


def _play_proposal(demo: DemoProposal, context: _Context) -> None:
    activity = context.activity(demo.ssc_id)
    contributor = context.partners[demo.contributor]
    name = f"{demo.ssc_id} proposal of {demo.amount} {demo.currency} by {demo.contributor}"
    proposal = ContributionProposal.objects.filter(
        activity=activity,
        contributor=contributor,
        kind=demo.kind,
        amount=demo.amount,
        currency=demo.currency,
        value_date=demo.value_date,
    ).first()
    created = proposal is None
    if proposal is None:
        data = services.ProposalData(
            contributor=contributor,
            kind=demo.kind,
            stage=demo.stage,
            amount=demo.amount,
            currency=demo.currency,
            value_date=demo.value_date,
            valuation_method=demo.valuation_method,
            valuation_basis=demo.valuation_basis,
            note=demo.note,
        )
        proposal = services.propose(activity=activity, user=context.users[demo.by], data=data)
    if demo.decision and proposal.state == ProposalState.PROPOSED:
        decider = context.users[demo.decided_by]
        if demo.decision == ProposalState.ACCEPTED:
            services.accept(proposal=proposal, user=decider, expected_version=None)
        else:
            services.decline(
                proposal=proposal, user=decider, reason=demo.reason, expected_version=None
            )
        created = True
    context.done(name, created)


def _play_dates(demo: DemoDates, context: _Context) -> None:
    activity = context.activity(demo.ssc_id)
    name = f"{demo.ssc_id} dates"
    if (activity.planned_start, activity.planned_end) == (demo.planned_start, demo.planned_end):
        context.done(name, False)
        return
    data = current_activity_data(activity)
    data.fields = {
        **data.fields,
        "planned_start": demo.planned_start,
        "planned_end": demo.planned_end,
    }
    activity_services.update_activity(
        activity=activity, data=data, user=context.users[demo.by], expected_version=None
    )
    context.done(name, True)


def load_demo_counterparts(
    *, users: Mapping[str, User], partners: Mapping[str, Partner]
) -> CounterpartsLoadReport:
    """Called by demo.loader once the activities, their partners and the accounts exist."""
    context = _Context(users, partners, CounterpartsLoadReport())
    for currency, month, units_per_usd in DEMO_RATES:
        ledger.set_rate(
            currency=currency,
            month=month,
            units_per_usd=units_per_usd,
            source="Bangladesh Bank, annual average (demo)",
            user=users["focal"],
        )
    for event in DEMO_STORY:
        if isinstance(event, DemoStep):
            _play_step(event, context)
        elif isinstance(event, DemoComment):
            _play_comment(event, context)
        elif isinstance(event, DemoProposal):
            _play_proposal(event, context)
        else:
            _play_dates(event, context)
    return context.report
