"""What the exports read of a batch of activities, in a fixed number of queries per batch: the
activities with their countries, partners, themes and country sides' confirmations, and their
reported ledger entries summed by what the exports tell apart.

Corrections copy their original's kind, unit, method, provider, contributor and stage
(finance.services.correct_entry), so summing by those keys nets every correction into its line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Sum
from django.db.models.functions import Coalesce

from activities.models import Activity, ActivityCountry, ActivityPartner, CountryRole
from counterparts.models import Confirmation

from .selection import Selection


class Side(NamedTuple):
    """One of an activity's countries, with its share and its side's confirmation state."""

    country_id: int
    iso3: str
    name: str
    share: Decimal | None
    state: str  # counterparts.ConfirmationState, "" when the side has none


class Organization(NamedTuple):
    name: str
    type: str  # activities.PartnerType
    role: str  # activities.PartnerRole


@dataclass
class ActivityFacts:
    pk: int
    ssc_id: str
    title: str
    summary: str
    activity_type: str
    modality: str
    agreement: str
    theme_ids: list[int]
    providers: list[Side] = field(default_factory=list)
    receivers: list[Side] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)


class LedgerGroup(NamedTuple):
    """The net of one activity's entries sharing year, stage, kind, unit, method, provider
    country, contributor and currency. (Named tuples: an export builds hundreds of thousands of
    these and a frozen dataclass's constructor costs several times a tuple's.)"""

    activity_id: int
    year: int
    stage: str
    kind: str
    unit: str
    valued_by: str
    provider_country_id: int | None
    contributor_name: str
    contributor_type: str
    currency: str
    usd: Decimal
    quantity: Decimal | None


def weights(sides: list[Side]) -> list[int]:
    """The weights money is split by: the sides' shares when every side has one (in hundredths
    of a percent), else equal parts, as the activity form says ("leave empty to split equally")."""
    shares = [side.share for side in sides]
    if shares and all(share is not None for share in shares):
        hundredths = [int((share or 0) * 100) for share in shares]
        if sum(hundredths) > 0:
            return hundredths
    return [1] * len(sides)


def load_activities(ids: list[int]) -> dict[int, ActivityFacts]:
    """The batch's activities (4 queries: activities, countries, partners, themes) and their
    country sides' confirmation states (1 query), read as plain values: building a model
    instance per row was most of an export's reading time."""
    facts = {
        pk: ActivityFacts(pk, ssc_id, title, summary, activity_type, modality, agreement, [])
        for pk, ssc_id, title, summary, activity_type, modality, agreement in (
            Activity.objects.filter(pk__in=ids).values_list(
                "pk", "ssc_id", "title", "summary", "activity_type", "modality", "agreement"
            )
        )
    }
    themes = Activity.themes.through.objects.filter(activity_id__in=ids)
    for activity_id, theme_id in themes.values_list("activity_id", "theme_id"):
        facts[activity_id].theme_ids.append(theme_id)
    for item in facts.values():
        item.theme_ids.sort()
    partners = ActivityPartner.objects.filter(activity_id__in=ids).order_by("partner__name", "role")
    for activity_id, name, partner_type, role in partners.values_list(
        "activity_id", "partner__name", "partner__type", "role"
    ):
        facts[activity_id].organizations.append(Organization(name, partner_type, role))
    states = dict(
        Confirmation.objects.filter(activity_id__in=ids, country_link__isnull=False).values_list(
            "country_link_id", "state"
        )
    )
    countries = ActivityCountry.objects.filter(activity_id__in=ids).order_by("country__name")
    for pk, activity_id, role, country_id, iso3, name, share in countries.values_list(
        "pk", "activity_id", "role", "country_id", "country__iso3", "country__name", "share"
    ):
        side = Side(country_id, iso3, name, share, states.get(pk, ""))
        item = facts[activity_id]
        if role in (CountryRole.PROVIDER, CountryRole.BOTH):
            item.providers.append(side)
        if role in (CountryRole.RECEIVER, CountryRole.BOTH):
            item.receivers.append(side)
    return facts


def load_ledger(ids: list[int], selection: Selection) -> dict[int, list[LedgerGroup]]:
    """The batch's reported entries, netted by group (1 query), by activity."""
    rows = (
        selection.entries()
        .filter(activity_id__in=ids)
        .values_list(
            "activity_id",
            "fiscal_year",
            "stage",
            "kind",
            "unit",
            "valued_by",
            "provider_country_id",
            # A group's line (finance.models.groups) names the group, and has no type.
            Coalesce("contributor__name", "contributor_group__label"),
            "contributor__type",
            "currency",
        )
        .annotate(usd=Sum("amount_usd"), qty=Sum("quantity"))
        .order_by()
    )
    groups: dict[int, list[LedgerGroup]] = defaultdict(list)
    zero = Decimal("0.00")
    for row in rows:  # the values in LedgerGroup's field order, then the two sums
        name, kind_of, usd = row[7] or "", row[8] or "", row[10] or zero
        group = LedgerGroup._make((*row[:7], name, kind_of, row[9], usd, row[11]))
        groups[group.activity_id].append(group)
    return groups
