"""Demo data for the quickstart (`make run`): accounts for every role, a few real partner
organizations, the 16 activities of the corporate spreadsheet sample, their knowledge
(knowledge.demo), their results (demo.frameworks), their sides' confirmations, conversation
and proposed contributions (demo.confirmations), and saved views of the list (demo.saved_views).

Everything goes through the services (so the demo shows real audit history) and is idempotent:
loading twice changes nothing. Demo accounts share a known password, so nothing here runs unless
DEBUG is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, User
from activities import services
from activities.models import (
    Activity,
    Country,
    Division,
    FundingNature,
    Partner,
    PartnerRole,
    PartnerType,
    Visibility,
)
from activities.services import ActivityData, PartnerLink
from finance.importer import ImportRefused, ImportSummary, import_legacy_workbook
from knowledge.demo import KnowledgeLoadReport, load_demo_knowledge

from .activity_data import current_activity_data
from .confirmations import CounterpartsLoadReport, load_demo_counterparts
from .duplicates import DuplicatesLoadReport, load_demo_duplicates
from .frameworks import ResultsLoadReport, load_demo_results
from .groups import GroupsLoadReport, load_demo_groups
from .in_kind import InKindLoadReport, load_demo_in_kind
from .saved_views import SavedViewsLoadReport, load_demo_saved_views
from .texts import TextsLoadReport, load_demo_texts

DEMO_PASSWORD = "demo"  # noqa: S105 - the published password of the demo accounts (DEBUG only)
SAMPLE_WORKBOOK = "ssc-corporate-spreadsheet-sample.xlsx"


class DemoDataError(Exception):
    """The demo data cannot be loaded; the message says why."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str
    first_name: str = ""
    last_name: str = ""
    superuser: bool = False
    staff: bool = False
    divisions: tuple[str, ...] = ()
    partner_acronym: str = ""
    country_iso2: str = ""  # a country counterpart's country


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin", Role.ADMIN, "administrator (superuser)", "Ada", "Admin", superuser=True, staff=True
    ),
    DemoAccount(
        "focal",
        Role.FOCAL_POINT,
        "corporate focal point, uses the admin",
        "Farah",
        "Focal",
        staff=True,
    ),
    DemoAccount("cpm", Role.CPM, "CPM, LAC division", "Carlos", "Mendes", divisions=("LAC",)),
    DemoAccount("cpm2", Role.CPM, "CPM, APR division", "Chen", "Wei", divisions=("APR",)),
    DemoAccount(
        "partner",
        Role.PARTNER,
        "partner user, PROCASUR",
        "Paula",
        "Rojas",
        partner_acronym="PROCASUR",
    ),
    DemoAccount("viewer", Role.VIEWER, "read-only viewer", "Victor", "Viewer"),
    # Bangladesh takes part in three demo activities and has an organization (INAFI
    # Bangladesh) to propose contributions for (demo.confirmations).
    DemoAccount(
        "counterpart",
        Role.COUNTERPART,
        "country counterpart, Bangladesh",
        "Nasreen",
        "Akter",
        country_iso2="BD",
    ),
)


@dataclass(frozen=True)
class DemoPartner:
    name: str
    acronym: str
    type: str
    country_iso2: str | None
    website: str = ""
    iati_identifier: str = ""
    aliases: tuple[str, ...] = ()  # former names and other names, found by the partner fields


# Organizations named in the reference documents (../shared/reference-docs/).
DEMO_PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner("PROCASUR Corporation", "PROCASUR", PartnerType.NGO, "CL"),
    DemoPartner(
        "Food and Agriculture Organization of the United Nations",
        "FAO",
        PartnerType.MULTILATERAL,
        None,
        website="https://www.fao.org",
        iati_identifier="XM-DAC-41301",
    ),
    DemoPartner(
        "Brazilian Agricultural Research Corporation",
        "EMBRAPA",
        PartnerType.RESEARCH,
        "BR",
        website="https://www.embrapa.br",
        aliases=("Empresa Brasileira de Pesquisa Agropecuária",),
    ),
    DemoPartner(
        "International Poverty Reduction Center in China", "IPRCC", PartnerType.GOVERNMENT, "CN"
    ),
    DemoPartner(
        "Slow Food International",
        "Slow Food",
        PartnerType.NGO,
        "IT",
        website="https://www.slowfood.com",
    ),
    DemoPartner(
        "International Network of Alternative Financial Institutions Bangladesh",
        "INAFI Bangladesh",
        PartnerType.NGO,
        "BD",
    ),
)

# SSC ID -> {partner acronym: roles}: who took part in the sample activities, per the paper.
DEMO_PARTNER_ROLES: dict[str, dict[str, frozenset[str]]] = {
    "SSC-2006-02": {"PROCASUR": frozenset({PartnerRole.BROKER})},
    # PROCASUR also implements SSC-2007-03 in the demo, so that the partner account reports on
    # its results (demo.frameworks).
    "SSC-2007-03": {"PROCASUR": frozenset({PartnerRole.BROKER, PartnerRole.IMPLEMENTER})},
    "SSC-2007-01": {"FAO": frozenset({PartnerRole.IMPLEMENTER})},
    "SSC-2007-02": {"FAO": frozenset({PartnerRole.FUNDER})},
    "SSC-2009-02": {"Slow Food": frozenset({PartnerRole.IMPLEMENTER})},
    "SSC-2010-02": {"EMBRAPA": frozenset({PartnerRole.HOST})},
    "SSC-2010-05": {"IPRCC": frozenset({PartnerRole.HOST, PartnerRole.IMPLEMENTER})},
}

# Public activities; SSC-2007-03 stays internal so that the partner account shows an activity
# it reads only because PROCASUR takes part in it.
DEMO_PUBLIC = frozenset({"SSC-2006-02", "SSC-2009-02", "SSC-2010-01", "SSC-2010-02"})

# Which demo CPM is responsible for the activities led by each division.
DEMO_CPM_BY_DIVISION = {"LAC": "cpm", "APR": "cpm2"}


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def sample_workbook_path() -> Path:
    """The shared legacy sample beside the repository, else the copy shipped with the app."""
    shared = Path(settings.BASE_DIR).parent / "shared" / "legacy" / SAMPLE_WORKBOOK
    if shared.exists():
        return shared
    return Path(__file__).resolve().parent / "data" / SAMPLE_WORKBOOK


# --- accounts and partners --------------------------------------------------------------------


def ensure_demo_partners(*, user: User | None) -> dict[str, Partner]:
    """The demo organizations by acronym, created through the service when missing."""
    countries = Country.objects.in_bulk(
        [p.country_iso2 for p in DEMO_PARTNERS if p.country_iso2], field_name="iso2"
    )
    partners: dict[str, Partner] = {}
    for demo in DEMO_PARTNERS:
        country = countries[demo.country_iso2] if demo.country_iso2 else None
        existing = services.find_duplicate_partner(demo.name, country)
        if existing and not set(demo.aliases) <= set(existing.aliases):
            # Portals loaded before partners had other names get them; a rerun changes nothing.
            existing = services.update_partner(
                partner=existing, user=user, aliases=[*existing.aliases, *demo.aliases]
            )
        partners[demo.acronym] = existing or services.create_partner(
            user=user,
            name=demo.name,
            acronym=demo.acronym,
            aliases=list(demo.aliases),
            type=demo.type,
            country=country,
            website=demo.website,
            iati_identifier=demo.iati_identifier,
        )
    return partners


def ensure_demo_accounts(partners: Mapping[str, Partner]) -> dict[str, User]:
    """Create the demo users that are missing; existing ones keep their password."""
    divisions = {division.code: division for division in Division.objects.all()}
    countries = Country.objects.in_bulk(
        [a.country_iso2 for a in DEMO_ACCOUNTS if a.country_iso2], field_name="iso2"
    )
    users: dict[str, User] = {}
    # The demo accounts share one published password: hashed once for all of them, as hashing it
    # (a million rounds of PBKDF2) was the largest part of loading the demo. The accounts then
    # share one salt too, which tells nothing the published password does not.
    password: str | None = None
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(username=account.username, email=f"{account.username}@example.org")
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
        values = {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "role": account.role,
            "is_superuser": account.superuser,
            "is_staff": account.staff,
            "is_active": True,
            "partner": partners[account.partner_acronym] if account.partner_acronym else None,
            "counterpart_country": countries.get(account.country_iso2),
        }
        if user.pk is None or any(getattr(user, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(user, name, value)
            user.save()
        wanted = {divisions[code].pk for code in account.divisions}
        if wanted != set(user.divisions.values_list("pk", flat=True)):
            user.divisions.set(wanted)
        users[account.username] = user
    return users


# --- the spreadsheet sample -------------------------------------------------------------------


NATURES = {
    "grant-funded": FundingNature.GRANT,
    "in project": FundingNature.IN_PROJECT,
    "administrative budget": FundingNature.ADMIN_BUDGET,
}
COLUMNS = {
    "ssc_id": "ssc id",
    "title": "activity",
    "nature": "nature of activity",
    "year": "year",
    "division": "lead division",
    "providers": "provider countries",
    "receivers": "receiver countries",
    "modality": "modality",
    "theme": "theme",
    "status": "status",
    "notes": "notes",
}


def _same(current: ActivityData, wanted: ActivityData) -> bool:
    def fields(data: ActivityData) -> dict[str, Any]:
        return {
            name: getattr(value, "pk", value)
            for name, value in data.fields.items()
            if name in wanted.fields
        }

    def countries(data: ActivityData) -> set[tuple[int, str, Any]]:
        return {(link.country.pk, link.role, link.share) for link in data.countries}

    def partners(data: ActivityData) -> set[tuple[int, frozenset[str]]]:
        return {(link.partner.pk, link.roles) for link in data.partners}

    return (
        fields(current) == fields(wanted)
        and countries(current) == countries(wanted)
        and partners(current) == partners(wanted)
        and {t.pk for t in current.themes} == {t.pk for t in wanted.themes}
        and {s.pk for s in current.sdgs} == {s.pk for s in wanted.sdgs}
    )


def _upsert(wanted: ActivityData, *, user: User | None, report: LoadReport) -> Activity:
    """Create the activity, or bring the existing one with this SSC ID to `wanted`."""
    activity = Activity.objects.filter(ssc_id=wanted.ssc_id).first()
    if activity is None:
        activity = services.create_activity(data=wanted, user=user)
        report.created.append(wanted.ssc_id)
        return activity
    current = current_activity_data(activity)
    if _same(current, wanted):
        report.unchanged.append(wanted.ssc_id)
        return activity
    report.updated.append(wanted.ssc_id)
    return services.update_activity(
        activity=activity, data=wanted, user=user, expected_version=activity.version
    )


def load_sample_activities(path: Path, *, user: User | None) -> ImportSummary:
    """Import the spreadsheet sample through the finance app's workbook importer: the same path
    the focal point's upload takes, so the demo carries the sample's money too. A rerun changes
    nothing (upsert on SSC ID)."""
    try:
        with path.open("rb") as handle:
            summary = import_legacy_workbook(
                handle=handle, filename=path.name, user=user, dry_run=False
            )
    except ImportRefused as error:
        problems = "\n".join(error.problems)
        raise DemoDataError(f"The sample workbook was refused:\n{problems}") from error
    return summary


# --- putting it together ----------------------------------------------------------------------


def apply_demo_roles(
    *, partners: Mapping[str, Partner], users: Mapping[str, User], user: User | None
) -> LoadReport:
    """Partners in their roles, public activities and responsible CPMs on the sample activities."""
    report = LoadReport()
    activities = Activity.objects.filter(ssc_id__in=[*DEMO_PARTNER_ROLES, *DEMO_PUBLIC])
    activities |= Activity.objects.filter(lead_division__code__in=DEMO_CPM_BY_DIVISION)
    for activity in activities.select_related("lead_division").order_by("ssc_id"):
        wanted = current_activity_data(activity)
        roles = DEMO_PARTNER_ROLES.get(activity.ssc_id, {})
        wanted.partners = [PartnerLink(partners[acronym], r) for acronym, r in roles.items()]
        cpm = DEMO_CPM_BY_DIVISION.get(activity.lead_division.code)
        wanted.fields = {
            **wanted.fields,
            "visibility": Visibility.PUBLIC
            if activity.ssc_id in DEMO_PUBLIC
            else Visibility.INTERNAL,
            "responsible_cpm": users[cpm] if cpm else wanted.fields["responsible_cpm"],
        }
        _upsert(wanted, user=user, report=report)
    return report


@dataclass
class DemoResult:
    accounts: list[tuple[DemoAccount, User]]
    partners: dict[str, Partner]
    activities: ImportSummary
    roles: LoadReport
    knowledge: KnowledgeLoadReport
    results: ResultsLoadReport
    counterparts: CounterpartsLoadReport
    in_kind: InKindLoadReport
    groups: GroupsLoadReport
    saved_views: SavedViewsLoadReport
    duplicates: DuplicatesLoadReport
    texts: TextsLoadReport


@transaction.atomic
def load_demo_data(*, workbook: Path | None = None) -> DemoResult:
    """Load (or bring up to date) all the demo data. Refuses unless DEBUG is on."""
    if not settings.DEBUG:
        raise DemoDataError(
            "Demo data is only loaded with DEBUG on: the demo accounts have a published "
            "password and must never exist in production."
        )
    path = workbook or sample_workbook_path()
    if not path.exists():
        raise DemoDataError(f"The spreadsheet sample {path} does not exist.")
    # The organizations come first (the partner account belongs to one); their history shows no
    # author until the admin account exists.
    admin = User.objects.filter(username="admin").first()
    partners = ensure_demo_partners(user=admin)
    users = ensure_demo_accounts(partners)
    activities = load_sample_activities(path, user=users["admin"])
    roles = apply_demo_roles(partners=partners, users=users, user=users["admin"])
    knowledge = load_demo_knowledge(partners=partners, users=users)
    return DemoResult(
        accounts=[(account, users[account.username]) for account in DEMO_ACCOUNTS],
        partners=partners,
        activities=activities,
        roles=roles,
        knowledge=knowledge,
        results=load_demo_results(users=users, partners=partners),
        counterparts=load_demo_counterparts(users=users, partners=partners),
        in_kind=load_demo_in_kind(users=users, partners=partners),
        groups=load_demo_groups(users=users, partners=partners),
        saved_views=load_demo_saved_views(users=users),
        duplicates=load_demo_duplicates(users=users),
        texts=load_demo_texts(users=users),
    )
