"""Demo results for the quickstart: frameworks on five sample activities, their updates in every
state of the approval workflow, expected benefits per side, scaling-up pathways, related
activities and the follow-ups of the Bangladesh learning route's action plans.

Unlike the knowledge demo, the figures here are illustrative: the reference documents describe
the activities but report no indicator values. They are chosen so that each demo account finds
work on its pages: `partner` (PROCASUR, implementer of SSC-2007-03) an update returned for
correction, `cpm` two submitted updates to approve, `cpm2` a draft to finish and overdue
follow-ups, the focal point a portfolio whose core indicators roll up.

Everything goes through results.services as the users would (reporters draft and submit, the
activity's CPM or the focal point return and approve), so the audit history shows the trail.
A framework is found again by its first result's title, benefits, pathways, relations and
follow-ups by what they hang on: a rerun changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import User
from activities.history import Through
from activities.models import Activity, Partner
from knowledge import services as knowledge_services
from knowledge.demo import ROUTE_TITLE
from knowledge.models import ActionPlan, KnowledgeAsset, LearningRoute, PlanStatus
from results import services
from results.models import (
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    DimensionValue,
    FollowUpOutcome,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    PlanFollowUp,
    RelationType,
    Result,
    ResultType,
    ScalingPathway,
    Side,
    Update,
)

D = Decimal


@dataclass(frozen=True)
class DemoUpdate:
    """One update and the state it ends in: "draft", "submitted", "returned" (with `reason`),
    "approved", or "revised" (approved, then corrected to `revised_value` for `reason`).
    `corrected_from` is a value the reporter first submitted and the approver returned."""

    state: str
    value: Decimal | None = None
    parts: Mapping[str, Decimal] = field(default_factory=dict)  # dimension value -> amount
    narrative: str = ""
    achieved: bool | None = None
    comment: str = ""
    evidence_url: str = ""
    evidence_asset: str = ""  # title of a demo knowledge asset
    reason: str = ""
    revised_value: Decimal | None = None
    revised_parts: Mapping[str, Decimal] = field(default_factory=dict)
    corrected_from: Decimal | None = None


@dataclass(frozen=True)
class DemoPeriod:
    year: int
    target: Decimal | None = None
    target_parts: Mapping[str, Decimal] = field(default_factory=dict)
    target_comment: str = ""
    updates: tuple[DemoUpdate, ...] = ()


@dataclass(frozen=True)
class DemoIndicator:
    title: str
    core: str = ""  # a core indicator's code: its kind, unit and measure are taken
    kind: str = IndicatorKind.QUANTITATIVE
    unit: str = ""
    dimensions: tuple[str, ...] = ()
    baseline: Decimal | None = None
    baseline_year: int | None = None
    periods: tuple[DemoPeriod, ...] = ()


@dataclass(frozen=True)
class DemoResult:
    type: str
    side: str
    title: str
    indicators: tuple[DemoIndicator, ...]


@dataclass(frozen=True)
class DemoPathway:
    description: str
    champion: str  # a demo partner's acronym
    investment: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class DemoFramework:
    ssc_id: str
    reporter: str  # demo username who drafts and submits
    approver: str  # demo username who returns and approves
    results: tuple[DemoResult, ...]
    benefits: tuple[tuple[str, str], ...] = ()  # (side, expected benefit)
    pathway: DemoPathway | None = None
    relations: tuple[tuple[str, str, str], ...] = ()  # (type, related SSC ID, note)


REPL_PAPER = "South-South cooperation in IFAD's business model (REPL.IX/3/R.3)"
TARGET_REVIEWED = "Reviewed with the partners at the inception workshop: the target stands."
SCALING_NOTE = "Scaling up note: smallholder institutions and organizations"

DEMO_FRAMEWORKS: tuple[DemoFramework, ...] = (
    DemoFramework(
        "SSC-2007-03",
        reporter="partner",
        approver="cpm",
        results=(
            DemoResult(
                ResultType.OUTCOME,
                Side.RECEIVER,
                "Guest organizations of Ecuador and Peru sell through new market channels",
                (
                    DemoIndicator(
                        "Farmers and technicians trained on the route",
                        core="people-trained",
                        dimensions=("Sex",),
                        periods=(
                            DemoPeriod(
                                2007,
                                D(40),
                                {"Women": D(20), "Men": D(20)},
                                updates=(
                                    DemoUpdate(
                                        "approved",
                                        D(36),
                                        {"Women": D(17), "Men": D(19)},
                                        comment="Two route groups, lists of participants signed.",
                                        corrected_from=D(38),
                                        reason="The signed lists count 36 participants, not 38.",
                                    ),
                                ),
                            ),
                            DemoPeriod(
                                2008,
                                D(60),
                                {"Women": D(30), "Men": D(30)},
                                updates=(
                                    DemoUpdate(
                                        "returned",
                                        D(52),
                                        {"Women": D(20), "Men": D(28)},
                                        comment="Third route group.",
                                        reason=(
                                            "The attached list counts 14 women, not 20: correct "
                                            "the breakdown and attach the signed list."
                                        ),
                                    ),
                                ),
                            ),
                        ),
                    ),
                    DemoIndicator(
                        "Sales agreements between guest organizations and buyers",
                        kind=IndicatorKind.QUALITATIVE,
                        periods=(
                            DemoPeriod(
                                2008,
                                target_comment="At least one agreement per guest country.",
                                updates=(
                                    DemoUpdate(
                                        "submitted",
                                        narrative=(
                                            "Two producer associations in Peru signed supply "
                                            "agreements with a regional buyer; Ecuador's are "
                                            "under negotiation."
                                        ),
                                        achieved=False,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        benefits=(
            (Side.RECEIVER, "Guest organizations learn market-access practices from their peers."),
            (Side.PROVIDER, "Host communities earn income from hosting and are recognized."),
            (Side.BROKER, "PROCASUR refines the learning route methodology for market access."),
        ),
        pathway=DemoPathway(
            "The market-access practices taken up by an IFAD-financed project in Peru.",
            "PROCASUR",
            "Loan-financed market access project (illustrative)",
            D("850000.00"),
            "PEN",
        ),
        relations=((RelationType.FOLLOW_UP_OF, "SSC-2006-02", "The second LAC learning route."),),
    ),
    DemoFramework(
        "SSC-2009-02",
        reporter="cpm",
        approver="cpm",
        results=(
            DemoResult(
                ResultType.OUTCOME,
                Side.ALL,
                "Smallholder food communities of India and Brazil organized for markets",
                (
                    DemoIndicator(
                        "Producer organizations strengthened",
                        core="institutions-strengthened",
                        dimensions=("Organization type",),
                        periods=(
                            DemoPeriod(
                                2009,
                                D(12),
                                updates=(
                                    DemoUpdate(
                                        "revised",
                                        D(14),
                                        {"Farmers' organization": D(11), "NGO": D(3)},
                                        evidence_url="https://www.slowfood.com",
                                        reason="Two cooperatives were counted twice.",
                                        revised_value=D(12),
                                        revised_parts={"Farmers' organization": D(9), "NGO": D(3)},
                                    ),
                                ),
                            ),
                        ),
                    ),
                    DemoIndicator(
                        "Food policy councils informed",
                        core="policies-influenced",
                        periods=(
                            DemoPeriod(
                                2009,
                                target_comment="A state food policy draws on the exchange.",
                                updates=(
                                    DemoUpdate(
                                        "submitted",
                                        narrative=(
                                            "The exchange's findings were presented to a state "
                                            "food security council."
                                        ),
                                        achieved=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        benefits=((Side.ALL, "Producers from both countries find buyers for traditional foods."),),
        pathway=DemoPathway(
            "Terra Madre networks carry the exchange to more food communities.",
            "Slow Food",
            "Slow Food International's network programme (illustrative)",
            D("120000.00"),
            "EUR",
        ),
        relations=(
            (RelationType.PART_OF, "SSC-2008-02", "Part of the cooperation with farmers' groups."),
        ),
    ),
    DemoFramework(
        "SSC-2010-05",
        reporter="cpm2",
        approver="cpm2",
        results=(
            DemoResult(
                ResultType.OUTPUT,
                Side.RECEIVER,
                "Staff of IFAD-supported projects trained in poverty reduction practice",
                (
                    DemoIndicator(
                        "Project staff trained",
                        core="people-trained",
                        dimensions=("Sex", "Age group"),
                        baseline=D(0),
                        baseline_year=2010,
                        periods=(
                            DemoPeriod(
                                2010,
                                D(50),
                                {"Women": D(25), "Men": D(25)},
                                updates=(
                                    DemoUpdate(
                                        "approved",
                                        D(46),
                                        {
                                            "Women": D(21),
                                            "Men": D(25),
                                            "Youth 15-35": D(19),
                                            "Adults 36+": D(27),
                                        },
                                        evidence_asset=REPL_PAPER,
                                    ),
                                ),
                            ),
                            DemoPeriod(
                                2011,
                                D(50),
                                updates=(
                                    DemoUpdate(
                                        "draft",
                                        D(30),
                                        {"Women": D(16), "Men": D(14)},
                                        comment="First half of the year; lists still coming.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                    DemoIndicator(
                        "Follow-up activities financed",
                        core="follow-up-activities-financed",
                        periods=(DemoPeriod(2010, D(2)), DemoPeriod(2011, D(2))),
                    ),
                ),
            ),
            DemoResult(
                ResultType.OUTCOME,
                Side.ALL,
                "Poverty reduction policy dialogue between China and its partners",
                (
                    DemoIndicator(
                        "Policies informed by the exchange",
                        core="policies-influenced",
                        periods=(
                            DemoPeriod(
                                2010,
                                updates=(
                                    DemoUpdate(
                                        "approved",
                                        narrative=(
                                            "Participants' ministries took the exchange's "
                                            "targeting approach into their programme guidelines."
                                        ),
                                        achieved=True,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        benefits=(
            (Side.PROVIDER, "IPRCC shares China's experience and builds its partnerships."),
            (Side.RECEIVER, "Guest projects adapt targeting and value-chain practices."),
        ),
        pathway=DemoPathway(
            "Guest countries' projects finance study tours and pilots of the practices.",
            "IPRCC",
            "South-South cooperation facility (illustrative)",
            D("2000000.00"),
            "CNY",
        ),
        relations=((RelationType.SCALING_UP_OF, "SSC-2008-01", "Builds on Cambodia - China."),),
    ),
    DemoFramework(
        "SSC-2010-02",
        reporter="focal",
        approver="focal",
        results=(
            DemoResult(
                ResultType.OUTCOME,
                Side.RECEIVER,
                "African research teams put Brazilian innovations to use",
                (
                    DemoIndicator(
                        "Innovations adopted by African partners",
                        core="innovations-adopted",
                        periods=(
                            DemoPeriod(
                                2010,
                                D(5),
                                updates=(
                                    DemoUpdate(
                                        "approved",
                                        D(3),
                                        evidence_url="https://www.embrapa.br",
                                        evidence_asset=SCALING_NOTE,
                                    ),
                                    DemoUpdate("approved", D(2), comment="Second call's projects."),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        benefits=(
            (Side.PROVIDER, "EMBRAPA's research finds new partners and fields of application."),
            (Side.RECEIVER, "African researchers gain tested technologies and co-funding."),
            (Side.BROKER, "The marketplace shows a model for other triangular programmes."),
        ),
        pathway=DemoPathway(
            "Marketplace projects that succeed are taken into national research programmes.",
            "EMBRAPA",
            "Co-funding of the marketplace's calls (illustrative)",
            D("1500000.00"),
            "BRL",
        ),
        relations=((RelationType.RECIPROCITY_FOR, "SSC-2005-01", "Demo link: guests now host."),),
    ),
    DemoFramework(
        "SSC-2006-02",
        reporter="cpm",
        approver="cpm",
        results=(
            DemoResult(
                ResultType.OUTPUT,
                Side.RECEIVER,
                "Route participants trained",
                (
                    DemoIndicator(
                        "Participants of the Palenque route",
                        core="people-trained",
                        dimensions=("Sex",),
                        periods=(DemoPeriod(2006, D(25), {"Women": D(12), "Men": D(13)}),),
                    ),
                ),
            ),
        ),
    ),
)

# The Bangladesh route's plans: what the follow-ups found. The FEDEC plan comes with the
# knowledge demo; a second participant's plan stays unfollowed, so its follow-ups are overdue.
FOLLOW_UP_RECORDS = {
    3: services.FollowUpData(
        FollowUpOutcome.PARTLY,
        datetime.date(2014, 12, 15),
        evidence="The Dhaka workshop of November 2014 took up two of the plan's five points.",
    ),
    6: services.FollowUpData(
        FollowUpOutcome.ADOPTED,
        datetime.date(2015, 3, 20),
        evidence="The project's 2015 work plan includes the crab value-chain improvements.",
        money_found=D("35000.00"),
        currency="USD",
    ),
}
SECOND_PLAN_TITLE = "Nawabenki Gonomukhi Foundation action plan from the learning route"


@dataclass
class ResultsLoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.unchanged)} unchanged"


class _Context:
    """What a framework's records are looked up in: users, partners, dimension values, core
    indicators and knowledge assets by their demo names."""

    def __init__(self, users: Mapping[str, User], partners: Mapping[str, Partner]):
        self.users = users
        self.partners = partners
        self.values = {
            v.value: v for v in DimensionValue.objects.select_related("dimension").order_by("pk")
        }
        self.dimensions = {d.name: d for d in Dimension.objects.all()}
        self.cores = {c.code: c for c in CoreIndicator.objects.all()}
        titles = [REPL_PAPER, SCALING_NOTE]
        self.assets = {a.title: a for a in KnowledgeAsset.objects.filter(title__in=titles)}

    def parts(self, amounts: Mapping[str, Decimal]) -> dict[DimensionValue, Decimal]:
        return {self.values[name]: amount for name, amount in amounts.items()}


def _update_data(context: _Context, demo: DemoUpdate, value: Decimal | None) -> services.UpdateData:
    return services.UpdateData(
        value=value,
        narrative=demo.narrative,
        achieved=demo.achieved,
        comment=demo.comment,
        parts=context.parts(demo.parts),
        evidence_url=demo.evidence_url,
        evidence_asset=context.assets.get(demo.evidence_asset),
    )


def _report_update(
    context: _Context, period: Period, demo: DemoUpdate, reporter: User, approver: User
) -> Update:
    """Take one update through the workflow to the state `demo` ends in."""
    first = demo.corrected_from if demo.corrected_from is not None else demo.value
    update = services.save_update(
        period=period, data=_update_data(context, demo, first), user=reporter
    )
    if demo.state == "draft":
        return update
    update = services.submit_update(update=update, user=reporter)
    if demo.corrected_from is not None:
        update = services.return_update(update=update, user=approver, reason=demo.reason)
        update = services.save_update(
            period=period,
            data=_update_data(context, demo, demo.value),
            user=reporter,
            update=update,
            expected_version=update.version,
        )
        update = services.submit_update(update=update, user=reporter)
    if demo.state == "submitted":
        return update
    if demo.state == "returned":
        return services.return_update(update=update, user=approver, reason=demo.reason)
    update = services.approve_update(update=update, user=approver)
    if demo.state == "revised":
        revision = services.revise_update(update=update, user=reporter, reason=demo.reason)
        data = _update_data(context, demo, demo.revised_value)
        data.parts = context.parts(demo.revised_parts)
        revision = services.save_update(
            period=period, data=data, user=reporter, update=revision, expected_version=1
        )
        revision = services.submit_update(update=revision, user=reporter)
        services.approve_update(update=revision, user=approver)
    return update


def _build_indicator(
    context: _Context, result: Result, demo: DemoIndicator, position: int, framework: DemoFramework
) -> None:
    core = context.cores.get(demo.core) if demo.core else None
    indicator = services.save_indicator(
        indicator=Indicator(
            result=result,
            core=core,
            title=demo.title,
            kind=demo.kind,
            unit=demo.unit,
            measure=Measure.QUALITATIVE if demo.kind == IndicatorKind.QUALITATIVE else Measure.UNIT,
            baseline_value=demo.baseline,
            baseline_year=demo.baseline_year,
            position=position,
        ),
        dimensions=[context.dimensions[name] for name in demo.dimensions],
    )
    reporter, approver = context.users[framework.reporter], context.users[framework.approver]
    for demo_period in demo.periods:
        period = services.save_period(
            period=Period(
                indicator=indicator,
                start=datetime.date(demo_period.year, 1, 1),
                end=datetime.date(demo_period.year, 12, 31),
                target_value=demo_period.target,
                target_comment=demo_period.target_comment,
            ),
            target_parts=context.parts(demo_period.target_parts),
        )
        for demo_update in demo_period.updates:
            _report_update(context, period, demo_update, reporter, approver)


def _build_framework(context: _Context, activity: Activity, framework: DemoFramework) -> None:
    editor = context.users[framework.approver]
    for position, demo in enumerate(framework.results):
        result = services.save_result(
            result=Result(
                activity=activity,
                type=demo.type,
                side=demo.side,
                title=demo.title,
                position=position,
            ),
            user=editor,
        )
        for index, indicator in enumerate(demo.indicators):
            _build_indicator(context, result, indicator, index, framework)


def _build_around(context: _Context, activity: Activity, framework: DemoFramework) -> None:
    """Benefits, the scaling-up pathway and related activities, each only where missing."""
    if framework.benefits and not activity.benefits.exists():
        services.save_benefits(
            activity=activity,
            benefits=[
                BenefitStream(side=side, description=text) for side, text in framework.benefits
            ],
        )
    demo = framework.pathway
    if demo and not ScalingPathway.objects.filter(activity=activity).exists():
        services.save_pathway(
            pathway=ScalingPathway(
                activity=activity,
                description=demo.description,
                champion=context.partners[demo.champion],
                investment=demo.investment,
                amount=demo.amount,
                currency=demo.currency,
            ),
            user=context.users[framework.approver],
        )
    for kind, ssc_id, note in framework.relations:
        related = Activity.objects.get(ssc_id=ssc_id)
        if not ActivityRelation.objects.filter(
            activity=activity, type=kind, related=related
        ).exists():
            services.add_relation(
                relation=ActivityRelation(activity=activity, type=kind, related=related, note=note)
            )


def _review_targets(context: _Context, activity: Activity, framework: DemoFramework) -> None:
    """The approver notes on the first period with a target that its target stands, on the
    period's form: the results history then shows a person's change, not only the loader's."""
    period = (
        Period.objects.filter(indicator__result__activity=activity, target_value__isnull=False)
        .order_by("indicator__result__position", "indicator__position", "start")
        .first()
    )
    if period is None:
        return
    period.target_comment = (period.target_comment + " " + TARGET_REVIEWED).strip()
    period._history_user = context.users[framework.approver]  # type: ignore[attr-defined]
    parts = {part.dimension_value: part.value for part in period.target_parts.all()}
    services.save_period(period=period, target_parts=parts, through=Through.FORM)


def load_demo_frameworks(
    *, users: Mapping[str, User], partners: Mapping[str, Partner], report: ResultsLoadReport
) -> None:
    context = _Context(users, partners)
    activities = Activity.objects.in_bulk([f.ssc_id for f in DEMO_FRAMEWORKS], field_name="ssc_id")
    for framework in DEMO_FRAMEWORKS:
        activity = activities.get(framework.ssc_id)
        if activity is None:
            continue  # a workbook without this sample activity
        label = f"{framework.ssc_id} results"
        if Result.objects.filter(activity=activity, title=framework.results[0].title).exists():
            report.unchanged.append(label)
        else:
            _build_framework(context, activity, framework)
            _review_targets(context, activity, framework)
            report.created.append(label)
        _build_around(context, activity, framework)


def load_demo_follow_ups(*, users: Mapping[str, User], report: ResultsLoadReport) -> None:
    """Record the FEDEC plan's 3- and 6-month follow-ups (its 12-month one stays due) and add a
    second plan whose follow-ups nobody recorded: tasks for the route's CPM."""
    route = LearningRoute.objects.filter(title=ROUTE_TITLE).first()
    if route is None:
        return
    recorder = users["cpm2"]
    first = route.plans.order_by("pk").first()
    if first is not None:
        for follow_up in PlanFollowUp.objects.filter(plan=first, months__in=FOLLOW_UP_RECORDS):
            label = f"{first.title}: {follow_up.months} months"
            if follow_up.outcome:
                report.unchanged.append(label)
                continue
            services.record_follow_up(
                follow_up=follow_up, data=FOLLOW_UP_RECORDS[follow_up.months], user=recorder
            )
            report.created.append(label)
    if ActionPlan.objects.filter(route=route, title=SECOND_PLAN_TITLE).exists():
        report.unchanged.append(SECOND_PLAN_TITLE)
        return
    participant = route.participants.filter(organization__name__startswith="Nawabenki").first()
    if participant is None:
        return
    knowledge_services.save_action_plan(
        plan=None,
        route=route,
        fields={
            "participant": participant,
            "title": SECOND_PLAN_TITLE,
            "summary": "Improvements to the crab culture case drawn from the route's exchanges.",
            "status": PlanStatus.DRAFTED,
            "status_date": route.end_date,
        },
        user=users["admin"],
    )
    report.created.append(SECOND_PLAN_TITLE)


def load_demo_results(
    *, users: Mapping[str, User], partners: Mapping[str, Partner]
) -> ResultsLoadReport:
    """Called by demo.loader after the activities, their partners and the knowledge exist."""
    report = ResultsLoadReport()
    load_demo_frameworks(users=users, partners=partners, report=report)
    load_demo_follow_ups(users=users, report=report)
    return report
