"""Demo knowledge for the quickstart: the four reference documents (../shared/reference-docs) as
library assets, the 2014 Bangladesh learning route they describe, two offers from sample
activities with a host, and one open learning demand to match them against.

Called by demo.loader.load_demo_data after the sample activities and demo partners exist.
Everything goes through knowledge.services; records are found again by title, so a rerun changes
nothing. Only what the documents say is recorded: where a document gives only a year, the date is
1 January of that year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from activities import services as activity_services
from activities.models import Activity, Country, Division, PartnerType, Theme, Visibility

from . import services
from .models import (
    AssetType,
    DemandStatus,
    KnowledgeAsset,
    Language,
    LearningDemand,
    LearningOffer,
    LearningRoute,
    Licence,
    PlanStatus,
)

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Partner

ABSTRACT_CHARS = 700


@dataclass(frozen=True)
class DemoAsset:
    filename: str
    title: str
    asset_type: str
    published_on: datetime.date
    division: str
    themes: tuple[str, ...]
    countries: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()  # SSC IDs of the sample activities it describes
    authors: tuple[str, ...] = ()  # demo partner acronyms
    licence: str = Licence.COPYRIGHT
    abstract_from: str = ""  # where the abstract starts: after the document's own title


# The sample workbook's 16 activities are the illustrative examples of REPL.IX/3/R.3's Annex I.
ANNEX_I = (
    "SSC-2005-01",
    "SSC-2006-01",
    "SSC-2006-02",
    "SSC-2007-01",
    "SSC-2007-02",
    "SSC-2007-03",
    "SSC-2008-01",
    "SSC-2008-02",
    "SSC-2009-01",
    "SSC-2009-02",
    "SSC-2009-03",
    "SSC-2010-01",
    "SSC-2010-02",
    "SSC-2010-03",
    "SSC-2010-04",
    "SSC-2010-05",
)

DEMO_ASSETS: tuple[DemoAsset, ...] = (
    DemoAsset(
        "ifad-ssc-in-the-business-model-REPL.IX-3-R.3.txt",
        "South-South cooperation in IFAD's business model (REPL.IX/3/R.3)",
        AssetType.POLICY_BRIEF,
        datetime.date(2011, 1, 1),  # the paper gives the year only
        "GLB",
        ("agri-production", "value-chains", "producer-organizations", "financial-services"),
        activities=ANNEX_I,
        abstract_from="support to poverty reduction is focused",
    ),
    DemoAsset(
        "ids-civil-society-south-south-learning-briefing.txt",
        "Innovation, solidarity and South-South learning: the role of civil society from "
        "middle-income countries",
        AssetType.POLICY_BRIEF,
        datetime.date(2014, 1, 1),  # the latest event it mentions is of April 2014
        "GLB",
        ("producer-organizations", "agri-production"),
        countries=("MX", "HT", "IN", "BD", "KH", "ZA", "BR", "MZ"),
        abstract_from="This briefing aims",
    ),
    DemoAsset(
        "ifad-scaling-up-note-smallholder-organizations.txt",
        "Scaling up note: smallholder institutions and organizations",
        AssetType.TOOLKIT,
        datetime.date(2014, 1, 1),  # the latest work it cites is of 2014
        "GLB",
        ("producer-organizations",),
        countries=("ET", "IN"),
        activities=("SSC-2008-02",),
        abstract_from="IFAD's comparative advantage",
    ),
    DemoAsset(
        "inafi-procasur-fedec-learning-route-bangladesh-2014.txt",
        "Scaling up Bangladesh rural development best practices: lessons learned by FEDEC in "
        "the development of value chains",
        AssetType.LESSON_LEARNED,
        datetime.date(2014, 9, 11),  # the last day of the route it reports on
        "APR",
        ("value-chains", "financial-services"),
        countries=("BD",),
        authors=("INAFI Bangladesh", "PROCASUR"),
        abstract_from="INAFI (International Network",
    ),
)

ROUTE_TITLE = "Learning route: lessons learned by FEDEC in the development of value chains"
# Organizations the route report names that the demo partners do not include.
ROUTE_ORGANIZATIONS = {
    "NGF": ("Nawabenki Gonomukhi Foundation", PartnerType.NGO),
    "RRF": ("Rural Reconstruction Firm", PartnerType.NGO),
    "PKSF": ("Palli Karma-Sahayak Foundation", PartnerType.GOVERNMENT),
}
# Past sample activities whose host can share the experience: (SSC ID, what is offered).
DEMO_OFFERS = (
    ("SSC-2010-02", "Agricultural innovation marketplace linking Brazilian research and Africa"),
    ("SSC-2010-05", "Knowledge sharing on poverty reduction and agricultural production"),
)
DEMAND_TITLE = "Organizing agricultural innovation marketplaces for smallholder research"


@dataclass
class KnowledgeLoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.unchanged)} unchanged"


def reference_docs_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "reference-docs"


def _abstract(text: str, start: str) -> str:
    """The opening paragraphs from `start`, cut at a sentence end near ABSTRACT_CHARS."""
    flat = " ".join(text.split())
    flat = flat[max(flat.find(start), 0) :]
    if len(flat) <= ABSTRACT_CHARS:
        return flat
    cut = flat.rfind(". ", 0, ABSTRACT_CHARS)
    return flat[: cut + 1] if cut > 0 else flat[:ABSTRACT_CHARS] + " …"


def _partner(name: str, kind: str, country: Country | None, user: User | None) -> Partner:
    existing = activity_services.find_duplicate_partner(name, country)
    return existing or activity_services.create_partner(
        user=user, name=name, type=kind, country=country
    )


def load_demo_assets(
    *, folder: Path, partners: dict[str, Partner], user: User | None, report: KnowledgeLoadReport
) -> None:
    themes = {theme.code: theme for theme in Theme.objects.all()}
    divisions = {division.code: division for division in Division.objects.all()}
    for demo in DEMO_ASSETS:
        if KnowledgeAsset.objects.filter(title=demo.title).exists():
            report.unchanged.append(demo.title)
            continue
        text = (folder / demo.filename).read_text(encoding="utf-8")
        services.save_asset(
            asset=None,
            data=services.AssetData(
                fields={
                    "asset_type": demo.asset_type,
                    "title": demo.title,
                    "abstract": _abstract(text, demo.abstract_from),
                    "body": text.strip(),
                    "language": Language.ENGLISH,
                    "published_on": demo.published_on,
                    "division": divisions[demo.division],
                    "licence": demo.licence,
                    "visibility": Visibility.PUBLIC,
                },
                themes=[themes[code] for code in demo.themes],
                countries=list(Country.objects.filter(iso2__in=demo.countries)),
                activities=list(Activity.objects.filter(ssc_id__in=demo.activities)),
                author_organizations=[partners[acronym] for acronym in demo.authors],
            ),
            user=user,
        )
        report.created.append(demo.title)


def load_demo_route(
    *,
    partners: dict[str, Partner],
    user: User | None,
    report: KnowledgeLoadReport,
    planner: User | None = None,
) -> None:
    """The route as its report tells it: two host cases in Satkhira and Jessore, FEDEC (PKSF)
    and the hosts' technical officers among the participants, action plans presented. The plan
    is recorded by `planner` (the route's CPM), after the route: a step of its History page."""
    if LearningRoute.objects.filter(title=ROUTE_TITLE).exists():
        report.unchanged.append(ROUTE_TITLE)
        return
    bangladesh = Country.objects.get(iso2="BD")
    value_chains = Theme.objects.get(code="value-chains")
    orgs = {
        key: _partner(name, kind, bangladesh, user)
        for key, (name, kind) in ROUTE_ORGANIZATIONS.items()
    }
    route = services.save_route(
        route=None,
        data=services.RouteData(
            fields={
                "title": ROUTE_TITLE,
                "summary": (
                    "INAFI Bangladesh and PROCASUR, with IFAD support, shared the value-chain "
                    "innovations of FEDEC, an IFAD-funded project of PKSF, with the staff of "
                    "the IFAD projects in Bangladesh, at Satkhira and Jessore."
                ),
                "organizer": partners["INAFI Bangladesh"],
                "division": Division.objects.get(code="APR"),
                "start_date": datetime.date(2014, 9, 7),
                "end_date": datetime.date(2014, 9, 11),
                "visibility": Visibility.PUBLIC,
            },
            themes=[value_chains, Theme.objects.get(code="financial-services")],
            host_cases=[
                services.HostCaseData(
                    "Crab culture value chain, Munshiganj union (Satkhira)",
                    orgs["NGF"],
                    bangladesh,
                    value_chains,
                ),
                services.HostCaseData(
                    "High-value flower cultivation and marketing, Panishara union (Jessore)",
                    orgs["RRF"],
                    bangladesh,
                    value_chains,
                ),
            ],
            participants=[
                services.ParticipantData(orgs["PKSF"], bangladesh),
                services.ParticipantData(orgs["NGF"], bangladesh),
                services.ParticipantData(orgs["RRF"], bangladesh),
            ],
        ),
        user=user,
    )
    fedec = route.participants.get(organization=orgs["PKSF"])
    services.save_action_plan(
        plan=None,
        route=route,
        fields={
            "participant": fedec,
            "title": "FEDEC action plan from the learning route",
            "summary": (
                "Areas of improvement identified by the project, with innovative solutions "
                "drawn from the crab and flower cases."
            ),
            "status": PlanStatus.DRAFTED,
            "status_date": datetime.date(2014, 9, 11),
            "evidence": "Presented on the last day of the route to a panel of five participants.",
            "evidence_asset": KnowledgeAsset.objects.filter(title=DEMO_ASSETS[3].title).first(),
        },
        user=planner or user,
    )
    report.created.append(ROUTE_TITLE)


def load_demo_matching(*, users: dict[str, User], report: KnowledgeLoadReport) -> None:
    """Offers from the sample activities that recorded a host, and one open demand."""
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for ssc_id, title in DEMO_OFFERS:
        activity = Activity.objects.filter(ssc_id=ssc_id).first()
        if activity is None or LearningOffer.objects.filter(title=title).exists():
            report.unchanged.append(title)
            continue
        services.save_offer(
            offer=None,
            fields={
                "activity": activity,
                "title": title,
                "languages": [Language.ENGLISH, Language.PORTUGUESE]
                if ssc_id == "SSC-2010-02"
                else [Language.ENGLISH],
            },
            themes=list(activity.themes.all()),
            user=users["focal"],
        )
        report.created.append(title)
    if LearningDemand.objects.filter(title=DEMAND_TITLE).exists():
        report.unchanged.append(DEMAND_TITLE)
        return
    services.save_demand(
        demand=None,
        fields={
            "country": Country.objects.get(iso2="PE"),
            "title": DEMAND_TITLE,
            "description": "A demo demand: try the proposed matches.",
            "audience": "Research and extension staff of the country programme",
            "language": Language.ENGLISH,
            "status": DemandStatus.OPEN,
        },
        themes=[themes["agri-technologies"]],
        user=users["cpm"],
    )
    _demo_edits(users)
    report.created.append(DEMAND_TITLE)


def _demo_edits(users: dict[str, User]) -> None:
    """A few later changes by other people, so that the demand's and an offer's History pages
    show more than their recording (none of them changes which offers match)."""
    demand = LearningDemand.objects.get(title=DEMAND_TITLE)
    services.save_demand(
        demand=demand,
        fields={
            "needed_by": datetime.date(2027, 6, 30),
            "audience": "Research and extension staff and farmer leaders of the country programme",
        },
        themes=list(demand.themes.all()),
        user=users["focal"],
    )
    offer = LearningOffer.objects.filter(title=DEMO_OFFERS[0][1]).first()
    if offer is not None:
        services.save_offer(
            offer=offer,
            fields={
                "description": "Researchers and farmers' organizations meet at a yearly "
                "marketplace to match innovations with the projects that need them."
            },
            themes=list(offer.themes.all()),
            user=users["cpm"],
        )


def load_demo_knowledge(
    *, partners: dict[str, Partner], users: dict[str, User], folder: Path | None = None
) -> KnowledgeLoadReport:
    report = KnowledgeLoadReport()
    folder = folder or reference_docs_path()
    if folder.exists():
        load_demo_assets(folder=folder, partners=partners, user=users["admin"], report=report)
    load_demo_route(
        partners=partners, user=users["admin"], planner=users.get("cpm2"), report=report
    )
    load_demo_matching(users=users, report=report)
    return report
