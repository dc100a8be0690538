"""The SDG 17.3.1-style aggregate: by year, provider country, recipient country, component and
validation status, the money committed and disbursed (US$), the quantities given without a
value, and the number of activities.

Method (also written in the file and on the page, METHOD_NOTES):
- Component: `component()`, one rule.
- Provider: the ledger line's provider country (finance: the contributor's country unless the
  line names another); for a line with none (the agency's own resources), the activity's
  provider countries, split by their shares; with none either, "unspecified".
- Recipient: the activity's receiver countries, split by their shares; with none, unspecified.
- Splits are to the cent (quantities to the hundredth) by the largest remainder, so that every
  total, disputed figures included, equals the ledger's for the same selection.
- Validation status of a figure: disputed when its provider's or recipient's side disputes the
  activity, or the activity's sides are in dispute (Activity.agreement); confirmed by both sides
  when the provider's and the recipient's sides both confirmed; else provider only (as the
  provider, or the agency for it, reported it). Disputed figures are listed apart and left out
  of the totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from activities.models import ActivityType, Agreement
from counterparts.models import ConfirmationState
from finance.models import TECHNICAL_COOPERATION_UNITS, ContributionKind, Stage, ValuedBy

from .portfolio import ActivityFacts, LedgerGroup, Side, weights
from .splits import from_cents, split_units, to_cents

FINANCIAL, TECHNICAL, IN_KIND, KNOWLEDGE = (
    "financial",
    "technical_cooperation",
    "in_kind",
    "knowledge",
)
COMPONENTS = {
    FINANCIAL: gettext_lazy("Financial"),
    TECHNICAL: gettext_lazy("Technical cooperation"),
    IN_KIND: gettext_lazy("In-kind"),
    KNOWLEDGE: gettext_lazy("Knowledge sharing"),
}
BOTH, PROVIDER_ONLY, DISPUTED = "confirmed_both", "provider_only", "disputed"
STATUSES = {
    BOTH: gettext_lazy("Confirmed by both sides"),
    PROVIDER_ONLY: gettext_lazy("Provider only"),
    DISPUTED: gettext_lazy("Disputed (left out of the totals)"),
}
# The activity types whose purpose is sharing knowledge (learning routes, visits, fairs,
# conferences, policy dialogue, networks): their cash is the knowledge component. Training,
# technical assistance, mentoring and research deliver know-how through the lines themselves.
KNOWLEDGE_TYPES = frozenset(
    {
        ActivityType.LEARNING_ROUTE,
        ActivityType.EXPOSURE_VISIT,
        ActivityType.KNOWLEDGE_FAIR,
        ActivityType.CONFERENCE,
        ActivityType.POLICY_DIALOGUE,
        ActivityType.NETWORK,
    }
)
METHOD_NOTES = [
    gettext_lazy(
        "Components: an in-kind line whose unit is expert-days or expert-months is technical "
        "cooperation; any other in-kind line is in-kind; cash of an activity whose type shares "
        "knowledge (learning route, exposure visit, knowledge fair, conference, policy dialogue, "
        "network) is knowledge sharing; other cash is financial."
    ),
    gettext_lazy(
        "Provider: the ledger line's provider country, else the activity's provider countries "
        "split by their shares. Recipient: the activity's receiver countries split by their "
        "shares; unspecified when it has none. Splits are exact to the cent."
    ),
    gettext_lazy(
        "Money in US$ at the rates recorded in the ledger: committed is the allocated stage, "
        "disbursed the spent stage, net of corrections. Quantities are of in-kind given without "
        "a value (spent stage), by unit."
    ),
    gettext_lazy(
        "Validation: confirmed by both sides when the provider's and the recipient's sides "
        "confirmed the activity; disputed when either side, or the activity, is in dispute "
        "(listed apart, left out of the totals); otherwise provider only."
    ),
]


def component(kind: str, unit: str, activity_type: str) -> str:
    """Which component of SSC a ledger line counts in (the one rule; see METHOD_NOTES)."""
    if kind == ContributionKind.IN_KIND:
        return TECHNICAL if unit in TECHNICAL_COOPERATION_UNITS else IN_KIND
    return KNOWLEDGE if activity_type in KNOWLEDGE_TYPES else FINANCIAL


def validation_status(provider_state: str, recipient_state: str, agreement: str) -> str:
    disputed = ConfirmationState.DISPUTED
    if disputed in (provider_state, recipient_state) or agreement == Agreement.DISPUTED:
        return DISPUTED
    if provider_state == recipient_state == ConfirmationState.CONFIRMED:
        return BOTH
    return PROVIDER_ONLY


Key = tuple[int, int | None, int | None, str, str]  # year, provider, recipient, component, status


class Cell:
    """One row of the aggregate being summed (a plain class: an export makes hundreds of
    thousands of them)."""

    __slots__ = ("activities", "committed", "disbursed", "quantities")

    def __init__(self) -> None:
        self.committed = 0  # cents
        self.disbursed = 0
        self.quantities: dict[str, int] = {}  # hundredths, by unit
        self.activities: set[int] = set()


@dataclass
class Aggregate:
    cells: dict[Key, Cell] = field(default_factory=lambda: defaultdict(Cell))
    # Disputed figures by activity, to list them: {activity pk: (ssc id, title)}.
    disputed: dict[int, tuple[str, str]] = field(default_factory=dict)

    def add_activity(self, facts: ActivityFacts, groups: list[LedgerGroup]) -> None:
        """Each line's money (and unvalued quantity) split over its providers and the activity's
        recipients, into the cells of their keys. The statuses depend on the provider's and the
        recipient's sides only, so they are worked out once per provider side."""
        recipients: list[Side | None] = list(facts.receivers) or [None]
        recipient_ids = [side.country_id if side else None for side in recipients]
        recipient_weights = weights(facts.receivers) if facts.receivers else [1]
        statuses: dict[str, list[str]] = {}
        provider_states = {side.country_id: side.state for side in facts.providers}
        provider_weights = weights(facts.providers) if facts.providers else []
        cells = self.cells
        for group in groups:
            part = component(group.kind, group.unit, facts.activity_type)
            allocated = group.stage == Stage.ALLOCATED
            for provider, cents, hundredths in _by_provider(
                facts, group, provider_states, provider_weights
            ):
                by_recipient = statuses.get(provider[1])
                if by_recipient is None:
                    by_recipient = statuses[provider[1]] = [
                        validation_status(provider[1], side.state if side else "", facts.agreement)
                        for side in recipients
                    ]
                money = split_units(cents, recipient_weights)
                quantities = split_units(hundredths, recipient_weights) if hundredths else None
                for index, recipient_id in enumerate(recipient_ids):
                    cell = cells[(group.year, provider[0], recipient_id, part, by_recipient[index])]
                    cell.activities.add(facts.pk)
                    if allocated:
                        cell.committed += money[index]
                    else:
                        cell.disbursed += money[index]
                    if quantities:
                        units = cell.quantities
                        units[group.unit] = units.get(group.unit, 0) + quantities[index]
        if any(DISPUTED in by_recipient for by_recipient in statuses.values()):
            self.disputed[facts.pk] = (facts.ssc_id, facts.title)


def _by_provider(
    facts: ActivityFacts, group: LedgerGroup, states: dict[int, str], provider_weights: list[int]
) -> list[tuple[tuple[int | None, str], int, int]]:
    """The line's providers ((country id, its side's state)) with their cents and the
    hundredths of its unvalued quantity (spent stage)."""
    cents = to_cents(group.usd)
    unvalued = (
        group.valued_by == ValuedBy.NOT_VALUED
        and group.stage == Stage.SPENT
        and group.quantity is not None
    )
    hundredths = to_cents(group.quantity) if unvalued and group.quantity is not None else 0
    if group.provider_country_id is not None:
        provider = (group.provider_country_id, states.get(group.provider_country_id, ""))
        return [(provider, cents, hundredths)]
    if not facts.providers:
        return [((None, ""), cents, hundredths)]
    return [
        ((side.country_id, side.state), money, quantity)
        for side, money, quantity in zip(
            facts.providers,
            split_units(cents, provider_weights),
            split_units(hundredths, provider_weights),
            strict=True,
        )
    ]


def aggregate_rows(
    aggregate: Aggregate, countries: dict[int, tuple[str, str]], slice_country: int | None
) -> list[dict[str, Any]]:
    """The aggregate's rows (a counterpart's slice: its country as provider only), in order."""
    rows = []
    for key in sorted(aggregate.cells, key=lambda k: (k[0], k[1] or 0, k[2] or 0, k[3], k[4])):
        year, provider, recipient, part, status = key
        if slice_country is not None and provider != slice_country:
            continue
        cell = aggregate.cells[key]
        rows.append(
            {
                "year": year,
                "provider_iso3": countries[provider][0] if provider else "",
                "provider_name": countries[provider][1] if provider else "",
                "recipient_iso3": countries[recipient][0] if recipient else "",
                "recipient_name": countries[recipient][1] if recipient else "",
                "component": part,
                "status": status,
                "committed_usd": from_cents(cell.committed),
                "disbursed_usd": from_cents(cell.disbursed),
                "unvalued_quantities": "; ".join(
                    f"{unit}: {from_cents(q)}" for unit, q in sorted(cell.quantities.items()) if q
                ),
                "activities": len(cell.activities),
            }
        )
    return rows


COLUMNS: list[tuple[str, Any]] = [
    ("year", gettext_lazy("Year")),
    ("provider_iso3", gettext_lazy("Provider country (ISO3)")),
    ("provider_name", gettext_lazy("Provider country")),
    ("recipient_iso3", gettext_lazy("Recipient country (ISO3)")),
    ("recipient_name", gettext_lazy("Recipient country")),
    ("component", gettext_lazy("Component")),
    ("status", gettext_lazy("Validation status")),
    ("committed_usd", gettext_lazy("Committed (US$)")),
    ("disbursed_usd", gettext_lazy("Disbursed (US$)")),
    ("unvalued_quantities", gettext_lazy("Quantities given without a value (unit: quantity)")),
    ("activities", gettext_lazy("Activities")),
]
MONEY_COLUMNS = frozenset({"committed_usd", "disbursed_usd"})
