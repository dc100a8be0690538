"""The IATI 2.03 activity file of the public activities (/api/v1/iati/activities.xml).

What goes where:

- reporting-org: settings.ORGANISATION_IATI_ID / ORGANISATION_NAME / ORGANISATION_IATI_TYPE;
  each activity's identifier is that id, a hyphen and its SSC ID.
- participating-org: the reporting organisation is accountable (2), and funding (1) and
  extending (3) when it puts money in; partners that fund (their role, or cash cofinancing in
  the ledger) are funding (1); implementers are implementing (4).
- every code that depends on the portal's categories comes from the one code-mapping layer
  (finance.codebook, loaded once per file), so a focal point's change on the codes page shows up
  in the next file: collaboration-type from the modality (8, triangular co-operation, for
  triangular and trilateral activities by default), default-aid-type (vocabulary 1, OECD DAC)
  from the activity type (left out for an activity with no type), and each transaction's
  finance-type from its kind of contribution. Budgets and planned disbursements carry no
  finance-type in IATI 2.03.
- activity-status and activity-date from the status and the planned and actual dates; legacy
  records that only have a year get a planned start of 1 January of that year, saying so.
- recipient-country: the receiving countries (every country if none is marked receiving) with
  percentages from their shares, or equal; recipient-region 998 when no country is named.
- sector, vocabulary 1 (OECD DAC 5-digit purpose codes): the codebook's purpose shares (each
  theme's code, split equally over the themes and summed where themes share a code;
  DAC_PURPOSE_FALLBACK, rural development, for a theme without one), rounded to two decimals
  that add up to 100. Vocabulary 99 (ours): the themes themselves, split equally.
- tag, vocabulary 2: the SDGs the activity names. tag, vocabulary 3 (UN SDG targets, in
  TagVocabulary since 2.03): the targets of its themes (codebook.sdg_target), each once. A tag
  rather than sector vocabulary 8 (SDG target): IATI's guidance reads sectors as the split of
  the money (percentages of one vocabulary must sum to 100) while a tag is a plain label, and a
  theme's target says what the activity serves, not where its money goes; every theme's target
  would otherwise need an invented share.
- money, in each entry's own currency (US$ when IATI has no code for the currency), netted
  over corrections: IFAD's planned money is the budget (per fiscal year and currency, status
  indicative), others' planned money planned disbursements from them; allocated money is an
  outgoing commitment (2) of IFAD's or an incoming commitment (11) from a cofinancier; spent
  money a disbursement (3) of IFAD's (expenditure (4) for its administrative budget) or
  incoming funds (1) from a cofinancier.
- allocated or spent money dated after the day the file is written has not happened yet: IATI's
  transactions are actual flows (rules 11.2.1 and 11.2.2 refuse a future date), so it is a planned
  disbursement over the year of its date, from IFAD or the cofinancier, until that day comes.
- result: the outcomes text and the participants and adopted plans as indicators, for an
  activity no other part gave results to (the parts below).
- parts of other apps (`ActivityPart`): finance may not import the apps above it, so the
  project layer composes the file (ssc_portal.api_urls gives the endpoint the results app's
  parts: results frameworks and related activities). Each part loads a batch at once and
  writes its elements after the transactions, in the order the parts are given, before our
  own fallback result and our namespace's elements.
- What IATI has no code for goes into our own namespace (EXTENSION_NS, prefix "ssc") at the end
  of each activity: the SSC roles of countries (provider, receiver, both) and organisations
  (host, guest, broker), in-kind contributions with their valuation (the unit and net quantity
  given, and how it was valued: actual cost, rate card or not valued; a line not valued is
  published with its quantity and an amount of 0), the modality, type, funding nature and
  objectives.
- text: every user-written string passes through accounts.text.file_text, so that a row
  stored before the text validators cannot make the file invalid XML.
- document-link: not yet (the knowledge library that holds the documents is not there yet).

The file is written activity by activity with lxml's incremental writer, CHUNK activities per
batch of queries, so a large export streams in constant memory and a fixed number of queries
per batch.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet, Sum
from django.utils import timezone
from lxml import etree

from accounts.text import file_text
from activities.models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    Agreement,
    Partner,
    PartnerRole,
    PartnerType,
    Status,
    Theme,
)

from .codebook import CodeBook
from .export import DISPUTED_MARKER
from .iati_codelists import active_codes, code_names
from .models import (
    IFAD_KINDS,
    ContributionKind,
    FinancialEntry,
    Stage,
    ValuedBy,
)

IATI_VERSION = "2.03"
EXTENSION_NS = "urn:ssc-portal:iati-extension:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHUNK = 500
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

ACTIVITY_STATUS = {
    Status.PIPELINE: "1",
    Status.APPROVED: "1",  # approved, not started: still identification in IATI's terms
    Status.ONGOING: "2",
    Status.COMPLETED: "3",  # done, pending financial closure
    Status.CLOSED: "4",
    Status.CANCELLED: "5",
    Status.SUSPENDED: "6",
}
# ActivityDateType
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
# OrganisationRole
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"
ORGANISATION_TYPE = {
    PartnerType.GOVERNMENT: "10",
    PartnerType.LOCAL_GOVERNMENT: "11",
    PartnerType.PROJECT_UNIT: "15",  # other public sector
    PartnerType.RESEARCH: "80",
    PartnerType.PRIVATE: "70",
    PartnerType.MULTILATERAL: "40",
    PartnerType.BILATERAL: "10",  # donor agencies are governments
    PartnerType.FOUNDATION: "60",
    PartnerType.OTHER: "90",
}
CIVIL_SOCIETY = (PartnerType.NGO, PartnerType.FARMERS_ORG)
NATIONAL_NGO, INTERNATIONAL_NGO = "22", "21"
ODA = "10"  # FlowType
OECD_DAC_AID_TYPES = "1"  # AidTypeVocabulary
# TransactionType
INCOMING_FUNDS, COMMITMENT, DISBURSEMENT, EXPENDITURE, INCOMING_COMMITMENT = (
    "1",
    "2",
    "3",
    "4",
    "11",
)
ORIGINAL = "1"  # BudgetType
INDICATIVE = "1"  # BudgetStatus
OUTCOME = "2"  # ResultType
UNIT, QUALITATIVE = "1", "5"  # IndicatorMeasure
DEVELOPING_COUNTRIES_UNSPECIFIED, OECD_DAC_REGIONS = "998", "1"  # Region, RegionVocabulary
OECD_DAC_5_DIGIT, REPORTING_ORGANISATION_VOCABULARY = "1", "99"  # SectorVocabulary
SDG_GOALS, SDG_TARGETS = "2", "3"  # TagVocabulary


class NoActivities(Exception):
    """An IATI file needs at least one activity; nothing public matches."""


class ActivityPart(Protocol):
    """Elements another app adds to each activity of the file (the seam that keeps finance
    below the apps that use it).

    `load` reads what a batch of activities (ids) needs, in a fixed number of queries;
    `write` appends the part's elements to one activity's element from what `load` returned.
    Parts write after the transactions (IATI 2.03's order: document-link, related-activity,
    ..., result), in the order they are given: a part that writes `result` comes last."""

    def load(self, ids: Sequence[int]) -> Any: ...

    def write(self, element: etree._Element, activity: Activity, loaded: Any) -> None: ...


def iati_identifier(ssc_id: str) -> str:
    """An activity's iati-identifier: the publisher's id, a hyphen, its SSC ID."""
    return f"{settings.ORGANISATION_IATI_ID}-{ssc_id}"


@dataclass(frozen=True)
class MoneyLine:
    """Entries of one activity netted over their corrections, per what IATI tells apart."""

    kind: str
    contributor_id: int | None
    # A group of contributors' label (finance.models.groups): no organisation, so its lines
    # name it as a narrative, with no identifier or type.
    group_label: str | None
    stage: str
    currency: str
    value_date: datetime.date
    fiscal_year: int
    amount: Decimal
    usd: Decimal
    valuation_method: str
    valuation_basis: str
    unit: str
    valued_by: str
    quantity: Decimal


@dataclass(frozen=True)
class Publication:
    """What every activity of one file shares: the day it is written (money dated later has not
    happened yet) and the code-mapping layer's codes."""

    today: datetime.date
    codes: CodeBook


def export_iati(
    activities: QuerySet[Activity], *, extra: Sequence[ActivityPart] = ()
) -> Iterator[bytes]:
    """The IATI file of `activities` (the caller chooses them: public ones), in chunks, with
    the elements of the `extra` parts.

    Raises NoActivities before the first byte when there is none.
    """
    ids = list(activities.order_by("ssc_id").values_list("pk", flat=True))
    if not ids:
        raise NoActivities
    return _stream(ids, extra)


def _stream(ids: list[int], parts: Sequence[ActivityPart]) -> Iterator[bytes]:
    buffer = io.BytesIO()
    now = timezone.now().replace(microsecond=0)
    generated = now.isoformat()
    publication = Publication(today=now.date(), codes=CodeBook.load())
    with etree.xmlfile(buffer, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(
            "iati-activities",
            {"version": IATI_VERSION, "generated-datetime": generated},
            nsmap={"ssc": EXTENSION_NS},
        ):
            for start in range(0, len(ids), CHUNK):
                batch = ids[start : start + CHUNK]
                loaded = [(part, part.load(batch)) for part in parts]
                for activity, money, contributors in _load(batch):
                    xml.write(activity_element(activity, money, contributors, publication, loaded))
                xml.flush()
                yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data


def _load(ids: Sequence[int]) -> Iterator[tuple[Activity, list[MoneyLine], dict[int, Partner]]]:
    """One batch of activities with everything the file shows: a fixed number of queries."""
    activities = (
        Activity.objects.filter(pk__in=ids)
        .order_by("ssc_id")
        .prefetch_related(
            Prefetch(
                "country_links",
                queryset=ActivityCountry.objects.select_related("country__division").order_by(
                    "country__iso2"
                ),
            ),
            Prefetch(
                "partner_links",
                queryset=ActivityPartner.objects.select_related("partner").order_by(
                    "partner__name", "partner_id", "role"
                ),
            ),
            "themes",
            "sdgs",
            "texts",
        )
    )
    rows = (
        FinancialEntry.objects.filter(activity_id__in=ids)
        .values(
            "activity_id",
            "kind",
            "contributor_id",
            "stage",
            "currency",
            "value_date",
            "fiscal_year",
            "valuation_method",
            "valuation_basis",
            "unit",
            "valued_by",
            group_label=F("contributor_group__label"),
        )
        .annotate(amount=Sum("amount"), usd=Sum("amount_usd"), quantity=Sum("quantity"))
        .order_by(
            "activity_id",
            "value_date",
            "kind",
            "contributor_id",
            "group_label",
            "stage",
            "currency",
        )
    )
    money: dict[int, list[MoneyLine]] = defaultdict(list)
    for row in rows:
        row["quantity"] = row["quantity"] or Decimal(0)
        # An in-kind line not valued has no money, only its quantity: it is still published.
        unvalued = row["valued_by"] == ValuedBy.NOT_VALUED and row["quantity"] > 0
        if row["amount"] <= 0 and not unvalued:
            continue  # reversed, or corrected down to nothing
        values: dict[str, Any] = dict(row)
        money[values.pop("activity_id")].append(MoneyLine(**values))
    contributor_ids = {line.contributor_id for lines in money.values() for line in lines}
    contributors = Partner.objects.in_bulk([pk for pk in contributor_ids if pk])
    for activity in activities:
        yield activity, money[activity.pk], contributors


# --- one activity ------------------------------------------------------------------------------


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    etree.SubElement(element, "narrative").text = file_text(text)
    return element


def _texts(element: etree._Element, activity: Activity) -> None:
    """The title and description with one narrative per language: the activity's own in its
    default language (the iati-activity's xml:lang), each other version with its xml:lang."""
    title = _text(element, "title", activity.title)
    description = _text(element, "description", activity.summary.strip() or activity.title)
    for version in activity.texts.all():
        lang = {XML_LANG: version.language}
        etree.SubElement(title, "narrative", lang).text = file_text(version.title)
        text = version.summary.strip() or version.title
        etree.SubElement(description, "narrative", lang).text = file_text(text)


def _amount(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _organisation_type(partner: Partner) -> str:
    if partner.type in CIVIL_SOCIETY:
        return NATIONAL_NGO if partner.country_id else INTERNATIONAL_NGO
    return ORGANISATION_TYPE.get(PartnerType(partner.type), "90")


def _organisation(parent: etree._Element, tag: str, partner: Partner, **attributes: str) -> None:
    if partner.iati_identifier:
        attributes["ref"] = file_text(partner.iati_identifier)
    attributes["type"] = _organisation_type(partner)
    _text(parent, tag, partner.name, **attributes)


def activity_element(
    activity: Activity,
    money: list[MoneyLine],
    contributors: dict[int, Partner],
    publication: Publication,
    parts: Sequence[tuple[ActivityPart, Any]] = (),
) -> etree._Element:
    element = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": activity.updated_at.replace(microsecond=0).isoformat(),
            XML_LANG: activity.language,
            "default-currency": "USD",
            "hierarchy": "1",
        },
        nsmap={"ssc": EXTENSION_NS},
    )
    etree.SubElement(element, "iati-identifier").text = file_text(iati_identifier(activity.ssc_id))
    _text(
        element,
        "reporting-org",
        settings.ORGANISATION_NAME,
        ref=settings.ORGANISATION_IATI_ID,
        type=settings.ORGANISATION_IATI_TYPE,
    )
    _texts(element, activity)
    _participants(element, activity, money, contributors)
    etree.SubElement(element, "activity-status", code=ACTIVITY_STATUS[Status(activity.status)])
    _dates(element, activity)
    _recipients(element, activity)
    codes = publication.codes
    _themes_and_sdgs(element, activity, codes)
    if collaboration := codes.collaboration(activity.modality):
        etree.SubElement(element, "collaboration-type", code=collaboration)
    etree.SubElement(element, "default-flow-type", code=ODA)
    if activity.activity_type and (aid_type := codes.aid_type(activity.activity_type)):
        etree.SubElement(element, "default-aid-type", code=aid_type, vocabulary=OECD_DAC_AID_TYPES)
    _budgets(element, money, contributors, publication.today)
    _transactions(element, money, contributors, publication.today, codes)
    for part, loaded in parts:
        part.write(element, activity, loaded)
    if element.find("result") is None:
        # The activity's results framework, when a part wrote it, says more than its text.
        _results(element, activity)
    # The schema takes elements of other namespaces after IATI's only: a part's elements of
    # ours move there (appending an element that has a parent moves it).
    for child in list(element):
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{EXTENSION_NS}}}"):
            element.append(child)
    _extension(element, activity, money, contributors)
    return element


def _participants(
    element: etree._Element,
    activity: Activity,
    money: list[MoneyLine],
    contributors: dict[int, Partner],
) -> None:
    reporting = {
        "ref": settings.ORGANISATION_IATI_ID,
        "type": settings.ORGANISATION_IATI_TYPE,
    }
    funds = any(line.kind in IFAD_KINDS for line in money)
    for role in (FUNDING, ACCOUNTABLE, EXTENDING) if funds else (ACCOUNTABLE,):
        _text(element, "participating-org", settings.ORGANISATION_NAME, role=role, **reporting)
    roles: dict[int, set[str]] = defaultdict(set)
    partners: dict[int, Partner] = {}
    for link in activity.partner_links.all():
        partners[link.partner_id] = link.partner
        if link.role == PartnerRole.FUNDER:
            roles[link.partner_id].add(FUNDING)
        elif link.role == PartnerRole.IMPLEMENTER:
            roles[link.partner_id].add(IMPLEMENTING)
    for line in money:
        if line.kind == ContributionKind.COFINANCING and line.contributor_id:
            partners[line.contributor_id] = contributors[line.contributor_id]
            roles[line.contributor_id].add(FUNDING)
    for partner_id, partner in sorted(partners.items(), key=lambda item: item[1].name):
        for role in sorted(roles.get(partner_id, ())):
            _organisation(element, "participating-org", partner, role=role)


def _dates(element: etree._Element, activity: Activity) -> None:
    dates = (
        (PLANNED_START, activity.planned_start),
        (ACTUAL_START, activity.actual_start),
        (PLANNED_END, activity.planned_end),
        (ACTUAL_END, activity.actual_end),
    )
    written = False
    for kind, day in dates:
        if day is not None:
            etree.SubElement(element, "activity-date", type=kind, **{"iso-date": day.isoformat()})
            written = True
    if written:
        return
    # IATI needs a date; the legacy workbook recorded only the year.
    year = activity.year
    day = datetime.date(year, 1, 1) if year else activity.created_at.date()
    note = (
        f"Only the year ({year}) is recorded; 1 January stands for it."
        if year
        else "No date is recorded; the date the record was created stands for it."
    )
    _text(element, "activity-date", note, type=PLANNED_START, **{"iso-date": day.isoformat()})


def _split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Percentages of `weights` adding up to exactly `total`, to two decimals (the rounding
    remainder goes to the last)."""
    weight_sum = sum(weights)
    shares = [
        (total * weight / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP) for weight in weights
    ]
    shares[-1] += total - sum(shares)
    return shares


def _recipients(element: etree._Element, activity: Activity) -> None:
    known = active_codes("Country")
    links = [link for link in activity.country_links.all() if link.country.iso2 in known]
    receiving = [link for link in links if link.is_receiver] or links
    if not receiving:
        etree.SubElement(
            element,
            "recipient-region",
            code=DEVELOPING_COUNTRIES_UNSPECIFIED,
            vocabulary=OECD_DAC_REGIONS,
            percentage="100",
        )
        return
    if all(link.share for link in receiving):
        weights = [Decimal(link.share or 0) for link in receiving]
    else:
        weights = [Decimal(1)] * len(receiving)
    for link, percentage in zip(receiving, _split(HUNDRED, weights), strict=True):
        _text(
            element,
            "recipient-country",
            link.country.name,
            code=link.country.iso2,
            percentage=str(percentage),
        )


def _dac_sectors(element: etree._Element, themes: Sequence[Theme], codes: CodeBook) -> None:
    """Vocabulary 1, which IATI asks of every activity (rule 102.1.1): the codebook's shares,
    rounded to two decimals that add up to exactly 100."""
    shares = sorted(codes.purpose_shares(theme.pk for theme in themes).items())
    percentages = _split(HUNDRED, [share for _code, share in shares])
    for (code, _share), percentage in zip(shares, percentages, strict=True):
        etree.SubElement(
            element, "sector", vocabulary=OECD_DAC_5_DIGIT, code=code, percentage=str(percentage)
        )


def _themes_and_sdgs(element: etree._Element, activity: Activity, codes: CodeBook) -> None:
    themes = list(activity.themes.all())
    _dac_sectors(element, themes, codes)
    uri = f"{settings.SITE_URL.rstrip('/')}/api/v1/themes/"
    if themes:
        for theme, percentage in zip(
            themes, _split(HUNDRED, [Decimal(1)] * len(themes)), strict=True
        ):
            _text(
                element,
                "sector",
                theme.name,
                vocabulary=REPORTING_ORGANISATION_VOCABULARY,
                **{"vocabulary-uri": uri, "code": theme.code, "percentage": str(percentage)},
            )
    for sdg in activity.sdgs.all():
        _text(element, "tag", sdg.name, vocabulary=SDG_GOALS, code=str(sdg.number))
    targets = {codes.sdg_target(theme.pk) for theme in themes} - {""}
    names = code_names("UNSDG-Targets")
    for target in sorted(targets, key=_target_order):
        _text(element, "tag", names.get(target, target), vocabulary=SDG_TARGETS, code=target)


def _target_order(target: str) -> tuple[int, bool, int, str]:
    """SDG targets in the SDGs' order: 2.3 before 2.10 before 10.1; a goal's lettered targets
    (2.a) after its numbered ones."""
    goal, _dot, rest = target.partition(".")
    number = int(rest) if rest.isdigit() else 0
    return (int(goal) if goal.isdigit() else 99, not rest.isdigit(), number, rest)


def _value(parent: etree._Element, line: MoneyLine, tag: str = "value") -> None:
    """The amount in its own currency, or in US$ when IATI has no code for that currency
    (the original currency and amount then go in our namespace)."""
    value = etree.SubElement(parent, tag, {"value-date": line.value_date.isoformat()})
    if line.currency in active_codes("Currency"):
        value.set("currency", line.currency)
        value.text = _amount(line.amount)
    else:
        value.set("currency", "USD")
        value.set(f"{{{EXTENSION_NS}}}currency", line.currency)
        value.set(f"{{{EXTENSION_NS}}}amount", _amount(line.amount))
        value.text = _amount(line.usd)


def _year_period(parent: etree._Element, year: int) -> None:
    etree.SubElement(parent, "period-start", {"iso-date": f"{year}-01-01"})
    etree.SubElement(parent, "period-end", {"iso-date": f"{year}-12-31"})


def _is_future(line: MoneyLine, today: datetime.date) -> bool:
    """Allocated or spent money dated after `today`: not a flow yet (see the module's doc)."""
    return line.stage != Stage.PLANNED and line.value_date > today


def _budgets(
    element: etree._Element,
    money: list[MoneyLine],
    contributors: dict[int, Partner],
    today: datetime.date,
) -> None:
    planned = [line for line in money if line.stage == Stage.PLANNED]
    # IFAD's own budget: one per fiscal year and currency (IATI budgets span a year at most).
    grouped: dict[tuple[int, str], list[MoneyLine]] = defaultdict(list)
    for line in planned:
        if line.kind in IFAD_KINDS:
            grouped[(line.fiscal_year, line.currency)].append(line)
    for (year, _currency), lines in sorted(grouped.items()):
        budget = etree.SubElement(element, "budget", type=ORIGINAL, status=INDICATIVE)
        _year_period(budget, year)
        _value(
            budget,
            replace(
                lines[0],
                value_date=min(line.value_date for line in lines),
                amount=sum((line.amount for line in lines), Decimal(0)),
                usd=sum((line.usd for line in lines), Decimal(0)),
            ),
        )
    for line in money:
        if line.kind == ContributionKind.IN_KIND:
            continue  # no IATI code: in our namespace
        if line.stage == Stage.PLANNED and line.kind == ContributionKind.COFINANCING:
            year = line.fiscal_year
        elif _is_future(line, today):
            year = line.value_date.year
        else:
            continue
        disbursement = etree.SubElement(element, "planned-disbursement", type=ORIGINAL)
        _year_period(disbursement, year)
        _value(disbursement, line)
        if line.contributor_id:
            _organisation(disbursement, "provider-org", contributors[line.contributor_id])
        elif line.group_label:
            _text(disbursement, "provider-org", line.group_label)
        else:
            _text(
                disbursement,
                "provider-org",
                settings.ORGANISATION_NAME,
                ref=settings.ORGANISATION_IATI_ID,
                type=settings.ORGANISATION_IATI_TYPE,
            )


def _transaction_type(line: MoneyLine) -> str | None:
    if line.kind in IFAD_KINDS:
        if line.stage == Stage.ALLOCATED:
            return COMMITMENT
        if line.stage == Stage.SPENT:
            return EXPENDITURE if line.kind == ContributionKind.IFAD_ADMIN else DISBURSEMENT
    if line.kind == ContributionKind.COFINANCING:
        if line.stage == Stage.ALLOCATED:
            return INCOMING_COMMITMENT
        if line.stage == Stage.SPENT:
            return INCOMING_FUNDS
    return None  # planned money is a budget; in-kind has no IATI code


def _transactions(
    element: etree._Element,
    money: list[MoneyLine],
    contributors: dict[int, Partner],
    today: datetime.date,
    codes: CodeBook,
) -> None:
    for line in money:
        code = _transaction_type(line)
        if code is None or _is_future(line, today):
            continue
        transaction = etree.SubElement(element, "transaction")
        etree.SubElement(transaction, "transaction-type", code=code)
        etree.SubElement(transaction, "transaction-date", {"iso-date": line.value_date.isoformat()})
        _value(transaction, line)
        if line.contributor_id:
            _organisation(transaction, "provider-org", contributors[line.contributor_id])
        elif line.group_label:
            _text(transaction, "provider-org", line.group_label)
        if finance_type := codes.finance_type(line.kind):
            etree.SubElement(transaction, "finance-type", code=finance_type)


def _results(element: etree._Element, activity: Activity) -> None:
    indicators = [
        (title, value)
        for title, value in (
            ("Women taking part", activity.participants_women),
            ("Men taking part", activity.participants_men),
            ("Young people taking part (among the women and men)", activity.participants_youth),
            ("Action or innovation plans adopted", activity.action_plans_adopted),
        )
        if value is not None
    ]
    outcomes = activity.outcomes.strip()
    if not indicators and not outcomes:
        return
    result = etree.SubElement(element, "result", type=OUTCOME, **{"aggregation-status": "false"})
    _text(result, "title", "Outcomes and results")
    if outcomes:
        _text(result, "description", outcomes)
    start, end = _result_period(activity)
    for title, value in indicators:
        indicator = etree.SubElement(result, "indicator", measure=UNIT)
        _text(indicator, "title", title)
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start", {"iso-date": start.isoformat()})
        etree.SubElement(period, "period-end", {"iso-date": end.isoformat()})
        etree.SubElement(period, "actual", value=str(value))
    if not indicators:
        # IATI needs an indicator in a result: the outcomes are reported as text only.
        indicator = etree.SubElement(result, "indicator", measure=QUALITATIVE)
        _text(indicator, "title", "Outcomes as reported")


def _result_period(activity: Activity) -> tuple[datetime.date, datetime.date]:
    for start, end in (
        (activity.actual_start, activity.actual_end),
        (activity.planned_start, activity.planned_end),
    ):
        if start and end and start <= end:
            return start, end
    year = activity.year or activity.created_at.year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _ssc(tag: str) -> str:
    return f"{{{EXTENSION_NS}}}{tag}"


def _extension(
    element: etree._Element,
    activity: Activity,
    money: list[MoneyLine],
    contributors: dict[int, Partner],
) -> None:
    """What IATI has no code for, in our namespace."""
    attributes: dict[str, Any] = {
        "modality": activity.modality,
        "funding-nature": activity.funding_nature,
        "scope": activity.scope,
    }
    if activity.activity_type:
        attributes["activity-type"] = activity.activity_type
    exchange = etree.SubElement(element, _ssc("exchange"), attributes)
    for link in activity.country_links.all():
        country = etree.SubElement(
            exchange, _ssc("country"), code=link.country.iso2, role=link.role
        )
        if link.share is not None:
            country.set("share", _amount(Decimal(link.share)))
    for partner_link in activity.partner_links.all():
        if partner_link.role in (PartnerRole.HOST, PartnerRole.GUEST, PartnerRole.BROKER):
            partner = partner_link.partner
            organisation = etree.SubElement(
                exchange,
                _ssc("organisation"),
                role=partner_link.role,
                type=_organisation_type(partner),
            )
            if partner.iati_identifier:
                organisation.set("ref", file_text(partner.iati_identifier))
            organisation.text = file_text(partner.name)
    for line in money:
        if line.kind != ContributionKind.IN_KIND:
            continue
        in_kind = etree.SubElement(
            exchange,
            _ssc("in-kind"),
            {
                "stage": line.stage,
                "currency": line.currency,
                "amount": _amount(line.amount),
                "value-date": line.value_date.isoformat(),
                "value-usd": _amount(line.usd),
                "valued-as": line.valuation_method,
            },
        )
        if line.valued_by:
            in_kind.set("valued-by", line.valued_by)
        if line.unit:
            in_kind.set("unit", line.unit)
            in_kind.set("quantity", _amount(line.quantity))
        if line.contributor_id:
            contributor = contributors[line.contributor_id]
            etree.SubElement(in_kind, _ssc("contributor")).text = file_text(contributor.name)
        elif line.group_label:
            etree.SubElement(in_kind, _ssc("contributor")).text = file_text(line.group_label)
        if line.valuation_basis:
            etree.SubElement(in_kind, _ssc("basis")).text = file_text(line.valuation_basis)
    if activity.objectives.strip():
        etree.SubElement(exchange, _ssc("objectives")).text = file_text(activity.objectives.strip())
    # Whether the sides confirmed the record (activities.Agreement); a disputed one says so.
    agreement = etree.SubElement(exchange, _ssc("agreement"), state=activity.agreement)
    if activity.agreement == Agreement.DISPUTED:
        agreement.text = DISPUTED_MARKER
