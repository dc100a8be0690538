"""The demo's in-kind as quantities (issue 21): rate cards for 2026, an activity with 40
expert-days valued by Brazil's card, venue-days not valued and scholarships at their actual
cost; then Brazil's card revised, so the rate cards page has lines to re-value (the recorded
value holds still until the focal point asks)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from activities.models import Activity, Country, Partner
from finance import in_kind, services
from finance.in_kind import CardData
from finance.models import ContributionKind, InKindUnit, RateCard, Stage, ValuedBy

ACTIVITY = "SSC-2010-02"  # EMBRAPA hosts it (demo.loader.DEMO_PARTNER_ROLES)
YEAR = 2026
DAY = datetime.date(YEAR, 3, 10)
REFERENCE = "demo-in-kind"

# (unit, provider country ISO or None for every country, value of one unit in US$, source)
CARDS: tuple[tuple[str, str | None, str, str], ...] = (
    (InKindUnit.EXPERT_DAYS, "BR", "250.00", "Brazil's technical cooperation fee scale 2026"),
    (InKindUnit.EXPERT_DAYS, None, "200.00", "Portfolio default for expert time"),
    (InKindUnit.PARTICIPANT_DAYS, None, "60.00", "Per diem and board, portfolio default"),
    (InKindUnit.VENUE_DAYS, None, "400.00", "Training venue, portfolio default"),
)
REVISED_BRAZIL_RATE = Decimal("275.00")


@dataclass
class InKindLoadReport:
    cards: int = 0
    lines: int = 0

    def summary(self) -> str:
        if not self.cards and not self.lines:
            return "unchanged"
        return f"{self.cards} rate cards, {self.lines} in-kind lines, Brazil's card revised"


def _cards(user: User) -> RateCard:
    """The four cards; Brazil's expert-days card is returned."""
    made = []
    for unit, iso2, amount, source in CARDS:
        country = Country.objects.get(iso2=iso2) if iso2 else None
        data = CardData(unit, country, YEAR, Decimal(amount), "USD", source)
        made.append(in_kind.save_rate_card(card=None, data=data, user=user, expected_version=None))
    return made[0]


def _lines(embrapa: Partner, fao: Partner) -> list[services.EntryData]:
    common = {
        "kind": ContributionKind.IN_KIND,
        "stage": Stage.ALLOCATED,
        "currency": "USD",
        "value_date": DAY,
        "reference": REFERENCE,
    }
    return [
        services.EntryData(
            **common,  # type: ignore[arg-type]
            amount=None,
            contributor=embrapa,
            unit=InKindUnit.EXPERT_DAYS,
            quantity=Decimal(40),
            valued_by=ValuedBy.RATE_CARD,
            note="Soil scientists' mission to the host farms.",
        ),
        services.EntryData(
            **common,  # type: ignore[arg-type]
            amount=None,
            contributor=embrapa,
            unit=InKindUnit.VENUE_DAYS,
            quantity=Decimal(5),
            valued_by=ValuedBy.NOT_VALUED,
            note="Training centre lent by the host government's research corporation.",
        ),
        services.EntryData(
            **common,  # type: ignore[arg-type]
            amount=Decimal("18000.00"),
            contributor=fao,
            unit=InKindUnit.SCHOLARSHIPS,
            quantity=Decimal(3),
            valued_by=ValuedBy.ACTUAL_COST,
            note="Three MSc scholarships, fees as invoiced.",
        ),
    ]


def load_demo_in_kind(
    *, users: Mapping[str, User], partners: Mapping[str, Partner]
) -> InKindLoadReport:
    """Once: a rerun finds Brazil's card and changes nothing."""
    report = InKindLoadReport()
    focal = users["focal"]
    if RateCard.objects.filter(unit=InKindUnit.EXPERT_DAYS, year=YEAR, country__iso2="BR").exists():
        return report
    brazil = _cards(focal)
    report.cards = len(CARDS)
    activity = Activity.objects.get(ssc_id=ACTIVITY)
    lines = _lines(partners["EMBRAPA"], partners["FAO"])
    services.record_entries(activity=activity, entries=lines, user=focal, expected_version=None)
    report.lines = len(lines)
    revised = CardData(
        brazil.unit, brazil.country, YEAR, REVISED_BRAZIL_RATE, "USD", "Fee scale revised in June"
    )
    in_kind.save_rate_card(card=brazil, data=revised, user=focal, expected_version=brazil.version)
    return report
