"""The TOSSD-style extract: one row per activity x recipient country x fiscal year.

The columns are the items of the TOSSD Reporting Instructions the portal can fill (docs/
standards.md lists each with its source). Money is in US$ at the ledger's recorded rates:
commitments are the allocated stage, disbursements the spent stage, each net of corrections.
An activity-year's money is split over its receiver countries by their shares (equally when a
share is missing), to the cent by the largest remainder, so the rows add up exactly to the
ledger. An activity with no receiver country has one row per year with no recipient country
("developing countries, unspecified"): its money is not left out.

Sector: TOSSD records carry one sector; a row carries the activity's main DAC purpose (the
largest of codebook.purpose_shares, the lowest code on a tie) and lists the others with their
percentages. Type of finance: that of the kind with the most money, and all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from activities.models import PartnerRole
from finance.codebook import CodeBook
from finance.models import ContributionKind, Stage, ValuedBy

from .portfolio import ActivityFacts, LedgerGroup, Side, weights
from .splits import from_cents, split_units, to_cents

# The agency itself delivering (no implementing or contributing organization named): a UN
# specialised agency, CRS channel 41000 at the parent level codebook.CRS_CHANNELS keeps.
AGENCY_CHANNEL = "41000"
SECOND_PROVIDER_ROLES = (PartnerRole.FUNDER, PartnerRole.BROKER)

# (key, column heading): the order of the file's columns.
COLUMNS: list[tuple[str, Any]] = [
    ("year", gettext_lazy("Year")),
    ("provider_code", gettext_lazy("Provider organisation (identifier)")),
    ("provider_name", gettext_lazy("Provider organisation")),
    ("project_number", gettext_lazy("Project number (SSC ID)")),
    ("title", gettext_lazy("Title")),
    ("description", gettext_lazy("Description")),
    ("recipient_iso3", gettext_lazy("Recipient (ISO 3166-1 alpha-3)")),
    ("recipient_name", gettext_lazy("Recipient")),
    ("first_provider", gettext_lazy("First provider (provider countries)")),
    ("second_provider", gettext_lazy("Second provider (agency, funders, brokers)")),
    ("sector_code", gettext_lazy("Sector (DAC 5-digit purpose code)")),
    ("other_sectors", gettext_lazy("Other purposes of the activity (code: %)")),
    ("sdg_focus", gettext_lazy("SDG focus (targets)")),
    ("finance_type", gettext_lazy("Type of finance")),
    ("finance_types", gettext_lazy("All types of finance")),
    ("aid_type", gettext_lazy("Type of aid (modality)")),
    ("channel_code", gettext_lazy("Channel of delivery")),
    ("collaboration_type", gettext_lazy("Collaboration type")),
    ("commitments_usd", gettext_lazy("Commitments (US$)")),
    ("disbursements_usd", gettext_lazy("Disbursements (US$)")),
    ("currency", gettext_lazy("Currency of the amounts")),
    ("original_currencies", gettext_lazy("Currencies recorded")),
    ("in_kind_methods", gettext_lazy("In-kind valuation methods")),
    ("in_kind_quantities", gettext_lazy("In-kind quantities disbursed (unit: quantity)")),
    ("unvalued_in_kind", gettext_lazy("In-kind left unvalued")),
]
MONEY_COLUMNS = frozenset({"commitments_usd", "disbursements_usd"})
UNSPECIFIED_RECIPIENT = gettext_lazy("Developing countries, unspecified")


def main_purpose(shares: dict[str, Decimal]) -> str:
    return min(shares, key=lambda code: (-shares[code], code))


def channel_code(facts: ActivityFacts, groups: Iterable[LedgerGroup], book: CodeBook) -> str:
    """The implementing organization's channel; else the contributing organization's with the
    most money; else the agency's own."""
    for organization in facts.organizations:
        if organization.role == PartnerRole.IMPLEMENTER:
            return book.channel(organization.type)
    money: dict[str, Decimal] = defaultdict(Decimal)
    for group in groups:
        if group.contributor_type:
            money[group.contributor_type] += abs(group.usd)
    if money:
        return book.channel(max(sorted(money), key=lambda kind: money[kind]))
    return AGENCY_CHANNEL


def activity_fields(facts: ActivityFacts, book: CodeBook) -> dict[str, Any]:
    """The columns that are the same on every row of the activity."""
    shares = book.purpose_shares(facts.theme_ids)
    main = main_purpose(shares)
    second = [settings.ORGANISATION_NAME] + [
        o.name for o in facts.organizations if o.role in SECOND_PROVIDER_ROLES
    ]
    return {
        "provider_code": settings.ORGANISATION_IATI_ID,
        "provider_name": settings.ORGANISATION_NAME,
        "project_number": facts.ssc_id,
        "title": facts.title,
        "description": facts.summary,
        "first_provider": "; ".join(side.name for side in facts.providers),
        "second_provider": "; ".join(dict.fromkeys(second)),
        "sector_code": main,
        "other_sectors": "; ".join(
            f"{code}: {shares[code]:.2f}" for code in sorted(shares) if code != main
        ),
        "sdg_focus": "; ".join(
            sorted({t for t in (book.sdg_target(i) for i in facts.theme_ids) if t})
        ),
        "aid_type": book.aid_type(facts.activity_type),
        "collaboration_type": book.collaboration(facts.modality),
        "currency": "USD",
    }


def _finance_types(groups: list[LedgerGroup], book: CodeBook) -> tuple[str, str]:
    money: dict[str, Decimal] = defaultdict(Decimal)
    for group in groups:
        money[book.finance_type(group.kind)] += abs(group.usd)
    ordered = sorted(money, key=lambda code: (-money[code], code))
    return (ordered[0] if ordered else ""), "; ".join(sorted(money))


def _in_kind(groups: list[LedgerGroup]) -> tuple[str, bool, dict[str, Decimal]]:
    """The in-kind lines' methods, whether any is unvalued, and the disbursed quantities."""
    methods: set[str] = set()
    quantities: dict[str, Decimal] = defaultdict(Decimal)
    for group in groups:
        if group.kind != ContributionKind.IN_KIND:
            continue
        methods.add(group.valued_by or ValuedBy.ACTUAL_COST)
        if group.unit and group.quantity is not None and group.stage == Stage.SPENT:
            quantities[group.unit] += group.quantity
    unvalued = ValuedBy.NOT_VALUED in methods
    return "; ".join(sorted(methods)), unvalued, {u: q for u, q in quantities.items() if q}


def _split_quantities(quantities: dict[str, Decimal], weight: list[int]) -> list[str]:
    """Each recipient's quantities as text, "expert_days: 12.50; scholarships: 1.00"."""
    parts: list[list[str]] = [[] for _ in weight]
    for unit in sorted(quantities):
        for index, units in enumerate(split_units(to_cents(quantities[unit]), weight)):
            if units:
                parts[index].append(f"{unit}: {from_cents(units)}")
    return ["; ".join(part) for part in parts]


def activity_rows(
    facts: ActivityFacts, groups: list[LedgerGroup], book: CodeBook
) -> list[dict[str, Any]]:
    """The activity's rows, one per recipient and year with reported money."""
    common = activity_fields(facts, book)
    common["channel_code"] = channel_code(facts, groups, book)
    recipients: list[Side | None] = list(facts.receivers) or [None]
    weight = weights(facts.receivers) if facts.receivers else [1]
    by_year: dict[int, list[LedgerGroup]] = defaultdict(list)
    for group in groups:
        by_year[group.year].append(group)
    rows = []
    for year in sorted(by_year):
        year_groups = by_year[year]
        committed = sum((g.usd for g in year_groups if g.stage == Stage.ALLOCATED), Decimal(0))
        disbursed = sum((g.usd for g in year_groups if g.stage == Stage.SPENT), Decimal(0))
        commitments = split_units(to_cents(committed), weight)
        disbursements = split_units(to_cents(disbursed), weight)
        finance_type, finance_types = _finance_types(year_groups, book)
        methods, unvalued, quantities = _in_kind(year_groups)
        quantity_text = _split_quantities(quantities, weight)
        currencies = "; ".join(sorted({g.currency for g in year_groups}))
        for index, recipient in enumerate(recipients):
            rows.append(
                {
                    **common,
                    "year": year,
                    "recipient_iso3": recipient.iso3 if recipient else "",
                    "recipient_name": recipient.name if recipient else str(UNSPECIFIED_RECIPIENT),
                    "finance_type": finance_type,
                    "finance_types": finance_types,
                    "commitments_usd": from_cents(commitments[index]),
                    "disbursements_usd": from_cents(disbursements[index]),
                    "original_currencies": currencies,
                    "in_kind_methods": methods,
                    "in_kind_quantities": quantity_text[index],
                    "unvalued_in_kind": unvalued,
                }
            )
    return rows
