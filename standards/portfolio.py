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

from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce

from activities.models import Activity, ActivityCountry, ActivityPartner, CountryRole
from counterparts.models import Confirmation

from .selection import Selection


@dataclass(frozen=True)
class Side:
    """One of an activity's countries, with its share and its side's confirmation state."""

    country_id: int
    iso3: str
    name: str
    share: Decimal | None
    state: str  # counterparts.ConfirmationState, "" when the side has none


@dataclass(frozen=True)
class Organization:
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


@dataclass(frozen=True)
class LedgerGroup:
    """The net of one activity's entries sharing year, stage, kind, unit, method, provider
    country, contributor and currency."""

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
    country sides' confirmation states (1 query)."""
    found = Activity.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "country_links",
            queryset=ActivityCountry.objects.select_related("country").order_by("country__name"),
        ),
        Prefetch(
            "partner_links",
            queryset=ActivityPartner.objects.select_related("partner").order_by(
                "partner__name", "role"
            ),
        ),
        "themes",
    )
    states = dict(
        Confirmation.objects.filter(activity_id__in=ids, country_link__isnull=False).values_list(
            "country_link_id", "state"
        )
    )
    facts: dict[int, ActivityFacts] = {}
    for activity in found:
        item = ActivityFacts(
            pk=activity.pk,
            ssc_id=activity.ssc_id,
            title=activity.title,
            summary=activity.summary,
            activity_type=activity.activity_type,
            modality=activity.modality,
            agreement=activity.agreement,
            theme_ids=sorted(theme.pk for theme in activity.themes.all()),
            organizations=[
                Organization(link.partner.name, link.partner.type, link.role)
                for link in activity.partner_links.all()
            ],
        )
        for link in activity.country_links.all():
            side = Side(
                link.country_id,
                link.country.iso3,
                link.country.name,
                link.share,
                states.get(link.pk, ""),
            )
            if link.role in (CountryRole.PROVIDER, CountryRole.BOTH):
                item.providers.append(side)
            if link.role in (CountryRole.RECEIVER, CountryRole.BOTH):
                item.receivers.append(side)
        facts[activity.pk] = item
    return facts


def load_ledger(ids: list[int], selection: Selection) -> dict[int, list[LedgerGroup]]:
    """The batch's reported entries, netted by group (1 query), by activity."""
    rows = (
        selection.entries()
        .filter(activity_id__in=ids)
        .values(
            "activity_id",
            "fiscal_year",
            "stage",
            "kind",
            "unit",
            "valued_by",
            "provider_country_id",
            "contributor__type",
            "currency",
            # A group's line (finance.models.groups) names the group, and has no type.
            contributor_name=Coalesce("contributor__name", "contributor_group__label"),
        )
        .annotate(usd=Sum("amount_usd"), qty=Sum("quantity"))
        .order_by()
    )
    groups: dict[int, list[LedgerGroup]] = defaultdict(list)
    for row in rows:
        groups[row["activity_id"]].append(
            LedgerGroup(
                activity_id=row["activity_id"],
                year=row["fiscal_year"],
                stage=row["stage"],
                kind=row["kind"],
                unit=row["unit"],
                valued_by=row["valued_by"],
                provider_country_id=row["provider_country_id"],
                contributor_name=row["contributor_name"] or "",
                contributor_type=row["contributor__type"] or "",
                currency=row["currency"],
                usd=row["usd"] or Decimal("0.00"),
                quantity=row["qty"],
            )
        )
    return groups
