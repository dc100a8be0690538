"""`manage.py generate_synthetic --activities N [--entries M] [--results SHARE] [--seed S]`:
realistic data at scale.

A bulk fixture for benchmarks and for trying the pages with a real-sized portfolio. It writes with
bulk_create and so bypasses the services, their validation and the audit history ON PURPOSE:
going through create_activity would take hours for 100,000 activities and fill the history
tables with rows nobody wrote. Everything generated obeys the services' rules all the same
(unique SSC IDs, one role per country, one row per partner and role, at least one theme, lead
division consistent with the countries). `--entries` adds that many ledger entries spread over
the new activities (the roll-up benchmark's money), in the same batches; `--results` a results
framework with updates to that share of them (demo/synthetic_results.py). Never run it on a
production database.
"""

from __future__ import annotations

import io
import random
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from accounts.models import Role, User
from activities.models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    ActivityType,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Partner,
    PartnerRole,
    PartnerType,
    Status,
    StatusChange,
    Theme,
    Visibility,
    normalize_name,
)
from demo.synthetic_results import Library, LibraryMissing, ResultsGenerator
from finance.models import (
    IFAD_KINDS,
    ContributionKind,
    FinancialEntry,
    InKindUnit,
    InKindValuation,
    LedgerLock,
    Stage,
    ValuedBy,
    to_usd,
)

BATCH = 5000
FIRST_YEAR, LAST_YEAR = 2000, 2026
CPMS_PER_DIVISION = 8

# Countries that provide far more SSC than the rest; they are picked as providers more often.
LEADING_PROVIDERS = {"CN", "BR", "IN", "ZA", "MX", "AR", "CL", "TH", "MY", "ID", "KE", "MA", "EG"}

TOPICS = (
    "climate-resilient rice farming",
    "dairy value chains",
    "rural microfinance",
    "youth agripreneurship",
    "land tenure security",
    "small-scale irrigation",
    "post-harvest losses",
    "community seed banks",
    "aquaculture for smallholders",
    "pastoral livelihoods",
    "rural women's savings groups",
    "cassava processing",
    "coffee cooperatives",
    "soil and water conservation",
    "digital extension services",
    "remittances and rural investment",
    "indigenous peoples' food systems",
    "agroforestry",
    "rural roads and market access",
    "weather index insurance",
    "farmer field schools",
    "organic certification",
    "biogas and clean energy",
    "fisheries co-management",
    "drought-tolerant maize",
    "livestock health services",
    "rural finance regulation",
    "quinoa and Andean grains",
    "honey and non-timber forest products",
    "warehouse receipt systems",
)
NGO_WORDS = (
    ("Rural", "Women's", "Smallholder", "Community", "Sustainable", "Grassroots", "Andean",
     "Sahelian", "Coastal", "Highland", "Indigenous", "Youth"),
    ("Development", "Livelihoods", "Empowerment", "Resilience", "Solidarity", "Enterprise",
     "Land", "Water", "Food Security", "Microfinance"),
    ("Network", "Association", "Alliance", "Trust", "Centre", "Initiative", "Society",
     "Forum", "Collective", "Action Group"),
)  # fmt: skip
MINISTRIES = (
    "Agriculture",
    "Agriculture and Rural Development",
    "Rural Development",
    "Fisheries and Aquaculture",
    "Livestock",
    "Water Resources",
    "Environment",
    "Finance",
    "Planning and Development",
    "Agriculture and Food Security",
)
RESEARCH_FIELDS = ("Agricultural", "Rural Economics", "Soil", "Livestock", "Rice", "Dryland")
CROPS = ("Coffee", "Cocoa", "Rice", "Maize", "Cotton", "Milk", "Cassava", "Tea", "Quinoa", "Honey")
MULTILATERALS = (
    ("Food and Agriculture Organization of the United Nations", "FAO"),
    ("World Food Programme", "WFP"),
    ("United Nations Development Programme", "UNDP"),
    ("United Nations Office for South-South Cooperation", "UNOSSC"),
    ("World Bank", "WB"),
    ("African Development Bank", "AfDB"),
    ("Asian Development Bank", "ADB"),
    ("Inter-American Development Bank", "IDB"),
    ("Islamic Development Bank", "IsDB"),
    ("Forum for Agricultural Research in Africa", "FARA"),
    ("CGIAR", "CGIAR"),
    ("International Labour Organization", "ILO"),
)
FOUNDATIONS = ("Bill & Melinda Gates", "Rockefeller", "Ford", "Aga Khan", "Mastercard", "Kellogg")
PARTNER_TYPE_WEIGHTS = {
    PartnerType.GOVERNMENT: 22,
    PartnerType.LOCAL_GOVERNMENT: 8,
    PartnerType.NGO: 22,
    PartnerType.FARMERS_ORG: 14,
    PartnerType.RESEARCH: 12,
    PartnerType.PRIVATE: 8,
    PartnerType.BILATERAL: 4,
    PartnerType.FOUNDATION: 3,
    PartnerType.PROJECT_UNIT: 7,
}
STATUS_BY_AGE = (
    # (years since approval at least, statuses and weights)
    (8, {Status.CLOSED: 55, Status.COMPLETED: 35, Status.CANCELLED: 10}),
    (4, {Status.COMPLETED: 45, Status.CLOSED: 20, Status.ONGOING: 25, Status.CANCELLED: 5,
         Status.SUSPENDED: 5}),
    (1, {Status.ONGOING: 60, Status.APPROVED: 20, Status.SUSPENDED: 8, Status.COMPLETED: 12}),
    (0, {Status.PIPELINE: 45, Status.APPROVED: 40, Status.ONGOING: 15}),
)  # fmt: skip
COUNTRY_ROLE_CHOICES = (CountryRole.PROVIDER, CountryRole.RECEIVER, CountryRole.BOTH)
# Money: mostly IFAD's own, a third from partners; a few contributions in euros.
KIND_WEIGHTS = {
    ContributionKind.IFAD_GRANT: 35,
    ContributionKind.IFAD_LOAN: 15,
    ContributionKind.IFAD_ADMIN: 10,
    ContributionKind.COFINANCING: 25,
    ContributionKind.IN_KIND: 15,
}
STAGE_WEIGHTS = {Stage.PLANNED: 40, Stage.ALLOCATED: 35, Stage.SPENT: 25}
EUR_PER_USD = Decimal("0.9187")


@dataclass
class Reference:
    divisions: dict[str, Division]
    countries_by_division: dict[str, list[Country]]
    donor_countries: list[Country]
    themes: list[Theme]
    sdgs: list[SDG]


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@contextmanager
def _settable_timestamps() -> Iterator[None]:
    """Let bulk_create keep the spread of created/updated dates we give instead of "now": the
    list is ordered by updated_at, and a portfolio edited all in one second is not realistic."""
    fields = [Activity._meta.get_field("created_at"), Activity._meta.get_field("updated_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[union-attr]
    for f in fields:
        f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[union-attr]


class Generator:
    def __init__(
        self,
        rng: random.Random,
        ref: Reference,
        out: Any,
        results: ResultsGenerator | None = None,
    ):
        self.rng = rng
        self.ref = ref
        self.out = out
        self.results = results
        self.with_results = 0
        self.regional = [
            code for code in ref.countries_by_division if ref.countries_by_division[code]
        ]

    # --- partners ---------------------------------------------------------------------------

    def partner_name(self, kind: str, country: Country | None) -> tuple[str, str]:
        rng = self.rng
        where = country.name if country else ""
        if kind == PartnerType.GOVERNMENT:
            return f"Ministry of {rng.choice(MINISTRIES)}, {where}", ""
        if kind == PartnerType.LOCAL_GOVERNMENT:
            side = rng.choice(("Northern", "Southern", "Eastern", "Western", "Central", "Upper"))
            unit = rng.choice(("Province", "Region", "District", "County"))
            return f"{side} {unit} Government, {where}", ""
        if kind == PartnerType.NGO:
            words = [rng.choice(group) for group in NGO_WORDS]
            name = " ".join(words)
            return f"{name} {where}".strip(), "".join(w[0] for w in " ".join(words).split())
        if kind == PartnerType.FARMERS_ORG:
            if rng.random() < 0.5:
                return f"National Federation of {rng.choice(CROPS)} Producers of {where}", ""
            return f"{where} Farmers' Union", ""
        if kind == PartnerType.RESEARCH:
            if rng.random() < 0.5:
                return f"{where} Institute of {rng.choice(RESEARCH_FIELDS)} Research", ""
            return f"University of Agriculture of {where}", ""
        if kind == PartnerType.PRIVATE:
            stem = rng.choice(("Agro", "Harvest", "Green", "Sun", "Delta", "Savanna", "Terra"))
            tail = rng.choice(("Foods", "Trading", "Seeds", "Agribusiness", "Processing"))
            return f"{stem}{tail} {where} Ltd", ""
        if kind == PartnerType.BILATERAL:
            return f"{where} Agency for International Cooperation", ""
        if kind == PartnerType.FOUNDATION:
            return f"{rng.choice(FOUNDATIONS)} Foundation", ""
        topic = rng.choice(TOPICS)
        return f"{topic.capitalize()} Project Management Unit, {where}", ""

    def partners(self, count: int) -> list[Partner]:
        taken: set[tuple[str, int | None]] = set(
            Partner.objects.values_list("name_key", "country_id")
        )
        rows: list[Partner] = []
        for name, acronym in MULTILATERALS:
            key: tuple[str, int | None] = (normalize_name(name), None)
            if key not in taken and len(rows) < count:
                taken.add(key)
                rows.append(
                    Partner(
                        name=name, name_key=key[0], acronym=acronym, type=PartnerType.MULTILATERAL
                    )
                )
        programme = [c for code in self.regional for c in self.ref.countries_by_division[code]]
        while len(rows) < count:
            kind = _weighted(self.rng, PARTNER_TYPE_WEIGHTS)
            if kind == PartnerType.BILATERAL:
                country: Country | None = self.rng.choice(self.ref.donor_countries or programme)
            elif kind == PartnerType.FOUNDATION:
                country = None
            else:
                country = self.rng.choice(programme)
            name, acronym = self.partner_name(kind, country)
            base, suffix = name, 2
            # Many generated names repeat (one ministry per country); a numbered office keeps
            # the name and country pair unique, as the model's constraint requires.
            while (normalize_name(name), country.pk if country else None) in taken:
                name, suffix = f"{base} (office {suffix})", suffix + 1
            key = (normalize_name(name), country.pk if country else None)
            taken.add(key)
            rows.append(
                Partner(name=name, name_key=key[0], acronym=acronym, type=kind, country=country)
            )
        Partner.objects.bulk_create(rows, batch_size=BATCH)
        return list(Partner.objects.select_related("country"))

    # --- users ------------------------------------------------------------------------------

    def cpms(self) -> dict[str, list[User]]:
        """A few CPM accounts per regional division (no usable password), reused on reruns."""
        by_division: dict[str, list[User]] = defaultdict(list)
        for code in self.regional:
            for number in range(1, CPMS_PER_DIVISION + 1):
                username = f"synthetic-cpm-{code.lower()}-{number:02d}"
                user, created = User.objects.get_or_create(
                    username=username, defaults={"role": Role.CPM, "last_name": f"CPM {code}"}
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    user.divisions.set([self.ref.divisions[code]])
                by_division[code].append(user)
        return by_division

    # --- activities -------------------------------------------------------------------------

    def countries_for(self, division: str) -> tuple[list[Country], str]:
        """1-6 countries and the lead division they imply: mostly within one region."""
        rng = self.rng
        pool = self.ref.countries_by_division[division]
        scope = rng.choices(("national", "intra", "inter", "global"), weights=(25, 45, 20, 10))[0]
        if scope == "national":
            return [rng.choice(pool)], division
        if scope == "intra":
            return rng.sample(pool, min(len(pool), rng.randint(2, 6))), division
        others = [code for code in self.regional if code != division]
        picked = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        extra_divisions = rng.sample(others, 1 if scope == "inter" else min(2, len(others)))
        for code in extra_divisions:
            more = rng.sample(self.ref.countries_by_division[code], rng.randint(1, 2))
            picked.extend(c for c in more if c not in picked)
        picked = picked[:6]
        lead = division if scope == "inter" else "GLB"
        return picked, lead

    def country_roles(self, countries: Sequence[Country]) -> list[tuple[Country, str]]:
        rng = self.rng
        if len(countries) == 1:
            return [(countries[0], rng.choice(COUNTRY_ROLE_CHOICES))]
        ranked = sorted(countries, key=lambda c: (c.iso2 not in LEADING_PROVIDERS, rng.random()))
        providers = rng.randint(1, max(1, len(ranked) // 2))
        roles: list[tuple[Country, str]] = []
        for index, country in enumerate(ranked):
            role: str = CountryRole.PROVIDER if index < providers else CountryRole.RECEIVER
            if rng.random() < 0.12:
                role = CountryRole.BOTH
            roles.append((country, role))
        return roles

    def status_for(self, year: int) -> str:
        age = LAST_YEAR - year
        for min_age, weights in STATUS_BY_AGE:
            if age >= min_age:
                return str(_weighted(self.rng, weights))
        return Status.PIPELINE

    def activity(
        self,
        ssc_id: str,
        year: int,
        division: str,
        lead: str,
        countries: Sequence[Country],
        cpms: dict[str, list[User]],
    ) -> Activity:
        rng = self.rng
        kind = rng.choice(ActivityType.values)
        nature = rng.choices(FundingNature.values, weights=(55, 35, 10))[0]
        names = " - ".join(c.name for c in countries[:3])
        title = f"{ActivityType(kind).label}: {rng.choice(TOPICS)} ({names})"
        start = date(year, rng.randint(1, 12), rng.randint(1, 28))
        end = start + timedelta(days=rng.randint(5, 900))
        status = self.status_for(year)
        started = status in (Status.ONGOING, Status.COMPLETED, Status.CLOSED, Status.SUSPENDED)
        finished = status in (Status.COMPLETED, Status.CLOSED)
        women = rng.randint(0, 120) if finished else None
        men = rng.randint(0, 120) if finished else None
        # Last edited some time in the six years after approval, never in the future; to the
        # second, so that the list's default order (newest first) has few ties.
        created = datetime(year, 1, 1, tzinfo=UTC)
        horizon = min(datetime.now(UTC), created + timedelta(days=6 * 365)) - created
        updated = created + timedelta(seconds=rng.randint(0, max(0, int(horizon.total_seconds()))))
        activity = Activity(
            ssc_id=ssc_id,
            title=title[:300],
            summary=(
                f"Exchange of experience on {rng.choice(TOPICS)} between rural organizations "
                f"and government services of {names}."
            ),
            activity_type=kind,
            modality=rng.choices(Modality.values, weights=(50, 40, 10))[0],
            funding_nature=nature,
            project_id=f"{2000000000 + rng.randint(0, 9999999)}"
            if nature == FundingNature.IN_PROJECT
            else "",
            lead_division=self.ref.divisions[lead],
            responsible_cpm=rng.choice(cpms[division]) if rng.random() < 0.7 else None,
            status=status,
            approval_year=year,
            planned_start=start,
            planned_end=end,
            actual_start=start + timedelta(days=rng.randint(0, 90)) if started else None,
            actual_end=end if finished else None,
            participants_women=women,
            participants_men=men,
            participants_youth=rng.randint(0, (women or 0) + (men or 0)) if finished else None,
            visibility=Visibility.PUBLIC if rng.random() < 0.15 else Visibility.INTERNAL,
            created_at=created,
            updated_at=updated,
        )
        # A short exchange that started late ends when it started, not before (Activity.clean's
        # rule); fixed here rather than drawn again, so a seed still makes the same portfolio.
        if activity.actual_start and activity.actual_end:
            activity.actual_end = max(activity.actual_end, activity.actual_start)
        return activity

    def entries(
        self, activities: Sequence[Activity], count: int, partners: Sequence[Partner]
    ) -> list[tuple[Any, ...]]:
        """`count` ledger entries (values of ENTRY_FIELDS) spread evenly over the activities (one
        more for the first `count % len(activities)`), in the years from approval to three later."""
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        each, extra = divmod(count, len(activities))
        for index, activity in enumerate(activities):
            first = activity.approval_year or FIRST_YEAR
            for _ in range(each + (1 if index < extra else 0)):
                kind = _weighted(rng, KIND_WEIGHTS)
                euros = rng.random() < 0.15
                rate = EUR_PER_USD if euros else Decimal(1)
                amount = Decimal(rng.randrange(100_000, 50_000_000, 100)) / 100
                # Never past LAST_YEAR: recent activities simply have fewer years of money
                # (capping instead piled their later years onto the last one).
                year = first + rng.randint(0, max(0, min(3, LAST_YEAR - first)))
                partner = None if kind in IFAD_KINDS else rng.choice(partners)
                quantity = _in_kind_quantity(rng) if kind == ContributionKind.IN_KIND else None
                if quantity is not None and quantity[2] == ValuedBy.NOT_VALUED:
                    amount, euros, rate = Decimal(0), False, Decimal(1)
                rows.append(
                    (
                        activity.pk,
                        partner.pk if partner else None,
                        kind,
                        rng.choice(InKindValuation.values)
                        if kind == ContributionKind.IN_KIND
                        else "",
                        _weighted(rng, STAGE_WEIGHTS),
                        amount,
                        "EUR" if euros else "USD",
                        date(year, rng.randint(1, 12), 1),
                        year,
                        rate,
                        to_usd(amount, rate),
                        *(quantity or ("", None, "")),
                        partner.country_id if quantity and partner else None,
                    )
                )
        return rows

    def run(self, total: int, entries: int = 0) -> None:
        rng = self.rng
        started = time.monotonic()
        partners = self.partners(max(20, total // 20))
        self.out.write(
            f"{len(partners)} partners in the database ({time.monotonic() - started:.1f} s)"
        )
        partners_by_country: dict[int | None, list[Partner]] = defaultdict(list)
        for partner in partners:
            partners_by_country[partner.country_id].append(partner)
        cpms = self.cpms()
        next_number: dict[int, int] = defaultdict(int)
        for code in Activity.objects.filter(ssc_id__startswith="SSC-").values_list(
            "ssc_id", flat=True
        ):
            parts = code.split("-")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                year = int(parts[1])
                next_number[year] = max(next_number[year], int(parts[2]))
        division_weights = {"APR": 30, "ESA": 20, "LAC": 20, "NEN": 12, "WCA": 18}
        division_weights = {k: v for k, v in division_weights.items() if k in self.regional}
        done = 0
        while done < total:
            size = min(BATCH, total - done)
            rows: list[tuple[Activity, list[tuple[Country, str]]]] = []
            for _ in range(size):
                year = rng.randint(FIRST_YEAR, LAST_YEAR)
                next_number[year] += 1
                division = _weighted(rng, division_weights)
                countries, lead = self.countries_for(division)
                ssc_id = f"SSC-{year}-{next_number[year]:02d}"
                activity = self.activity(ssc_id, year, division, lead, countries, cpms)
                rows.append((activity, self.country_roles(countries)))
            # This batch's share of the entries, so that the total is exactly `entries`.
            quota = entries * (done + size) // total - entries * done // total
            with transaction.atomic(), _settable_timestamps():
                Activity.objects.bulk_create([activity for activity, _ in rows])
                self.links(rows, partners, partners_by_country)
                if quota:
                    money = self.entries([activity for activity, _ in rows], quota, partners)
                    insert_entries(money)
                    # The ledger's version row, as the first recorded entry would create it.
                    LedgerLock.objects.bulk_create(
                        [LedgerLock(activity_id=pk, version=1) for pk in {e[0] for e in money}],
                        batch_size=BATCH,
                    )
                if self.results:
                    batch = [activity for activity, _ in rows]
                    self.with_results += self.results.add(batch, date.today())
            done += size
            elapsed = time.monotonic() - started
            self.out.write(f"{done:>8,} / {total:,} activities ({elapsed:.1f} s)")

    def links(
        self,
        rows: list[tuple[Activity, list[tuple[Country, str]]]],
        partners: list[Partner],
        partners_by_country: dict[int | None, list[Partner]],
    ) -> None:
        rng = self.rng
        countries: list[ActivityCountry] = []
        partner_links: list[ActivityPartner] = []
        theme_links = []
        sdg_links = []
        statuses: list[StatusChange] = []
        themes_through = Activity.themes.through
        sdgs_through = Activity.sdgs.through
        for activity, roles in rows:
            for country, role in roles:
                countries.append(ActivityCountry(activity=activity, country=country, role=role))
            # Partners mostly come from the activity's own countries, some are international.
            for _ in range(rng.randint(1, 3)):
                country_id = rng.choice(roles)[0].pk if rng.random() < 0.7 else None
                partner = rng.choice(partners_by_country.get(country_id) or partners)
                for role in rng.sample(PartnerRole.values, rng.choice((1, 1, 1, 2))):
                    partner_links.append(
                        ActivityPartner(activity=activity, partner=partner, role=role)
                    )
            for theme in rng.sample(self.ref.themes, rng.randint(1, 2)):
                theme_links.append(themes_through(activity_id=activity.pk, theme_id=theme.pk))
            for sdg in rng.sample(self.ref.sdgs, rng.randint(0, 3)):
                sdg_links.append(sdgs_through(activity_id=activity.pk, sdg_id=sdg.pk))
            statuses.append(
                StatusChange(
                    activity=activity,
                    from_status="",
                    to_status=activity.status,
                    note="Generated (synthetic data)",
                )
            )
        ActivityCountry.objects.bulk_create(countries, batch_size=BATCH)
        # The same partner drawn twice in one activity would repeat a role: let the unique
        # constraint drop the repeat rather than tracking pairs here.
        ActivityPartner.objects.bulk_create(partner_links, batch_size=BATCH, ignore_conflicts=True)
        themes_through.objects.bulk_create(theme_links, batch_size=BATCH)
        sdgs_through.objects.bulk_create(sdg_links, batch_size=BATCH)
        StatusChange.objects.bulk_create(statuses, batch_size=BATCH)


ENTRY_FIELDS = (
    "activity_id", "contributor_id", "kind", "valuation_method", "stage", "amount", "currency",
    "value_date", "fiscal_year", "units_per_usd", "amount_usd", "unit", "quantity", "valued_by",
    "provider_country_id",
)  # fmt: skip


def _in_kind_quantity(rng: random.Random) -> tuple[str, Decimal | None, str]:
    """An in-kind line's unit, quantity and valuation method: two in three lines count a
    quantity, and one in ten of those is not valued (its amount is 0)."""
    if rng.random() < 1 / 3:
        return "", None, ValuedBy.ACTUAL_COST
    unit = rng.choice(InKindUnit.values)
    method = ValuedBy.NOT_VALUED if rng.random() < 0.1 else ValuedBy.ACTUAL_COST
    return unit, Decimal(rng.randint(1, 400)), method


def insert_entries(rows: list[tuple[Any, ...]]) -> None:
    """Write ledger entries in bulk: COPY on PostgreSQL (a million rows take seconds instead of
    minutes through bulk_create's model instances and parameter lists), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        FinancialEntry.objects.bulk_create(
            [FinancialEntry(**dict(zip(ENTRY_FIELDS, row, strict=True))) for row in rows],
            batch_size=BATCH,
        )
        return
    # The columns Django would fill from the fields' defaults. No value holds a tab, a newline or
    # a backslash (choice values, numbers, dates), so COPY's text format needs no escaping.
    defaults = {"valuation_basis": "", "reference": "", "note": "", "reason": "",
                "entry_type": "original", "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    columns = [*ENTRY_FIELDS, *defaults]
    tail = "\t".join(defaults.values())
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
        buffer.write(f"\t{tail}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(  # type: ignore[attr-defined]
            f"COPY {FinancialEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer
        )


def load_reference() -> Reference:
    divisions = {division.code: division for division in Division.objects.all()}
    by_division: dict[str, list[Country]] = defaultdict(list)
    donors: list[Country] = []
    for country in Country.objects.select_related("division").order_by("iso2"):
        # Programme countries: a regional division and a low or middle income (territories
        # and high-income countries do not borrow from the Fund).
        if (
            country.division
            and country.division.is_regional
            and country.income_group
            in (
                "LIC",
                "LMIC",
                "UMIC",
            )
        ):
            by_division[country.division.code].append(country)
        elif country.income_group == "HIC":
            donors.append(country)
    themes, sdgs = list(Theme.objects.all()), list(SDG.objects.all())
    if not by_division or not themes or "GLB" not in divisions:
        raise CommandError("Reference data is missing: run `manage.py migrate` first.")
    return Reference(divisions, dict(by_division), donors, themes, sdgs)


class Command(BaseCommand):
    help = (
        "Generate N realistic synthetic activities with partners, countries, themes and CPMs, "
        "in bulk (no audit history). For benchmarks and load tests; never in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", type=int, required=True, help="How many to add.")
        parser.add_argument(
            "--entries", type=int, default=0, help="Ledger entries to add over them (default 0)."
        )
        parser.add_argument(
            "--results",
            type=float,
            default=0.0,
            metavar="SHARE",
            help="Share of the new activities (0 to 1) that get a results framework (default 0).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args: Any, **options: Any) -> None:
        total: int = options["activities"]
        if total < 1:
            raise CommandError("--activities must be at least 1.")
        entries: int = options["entries"]
        if entries < 0:
            raise CommandError("--entries cannot be negative.")
        share: float = options["results"]
        if not 0 <= share <= 1:
            raise CommandError("--results is a share between 0 and 1.")
        started = time.monotonic()
        results = None
        if share:
            try:
                library = Library.load()
            except LibraryMissing as error:
                raise CommandError(str(error)) from error
            # A generator of its own: the portfolio stays the one this seed makes without results.
            results = ResultsGenerator(random.Random(f"results-{options['seed']}"), library, share)
        generator = Generator(
            random.Random(options["seed"]), load_reference(), self.stdout, results
        )
        generator.run(total, entries)
        money = f" and {entries:,} ledger entries" if entries else ""
        if results:
            money += f", results on {generator.with_results:,} of them"
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total:,} activities{money} in {time.monotonic() - started:.1f} s."
            )
        )
