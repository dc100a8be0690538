"""Re-valuing the lines a rate card valued, when the card changed: the explicit, logged step
that moves recorded values (finance.in_kind says why nothing else does).

Each line is brought to the card's rate by a correction (services.correct_entry) that says from
which rate and version to which, so the ledger and its history tell the whole story and every
rule of a correction holds: a line in a closed period is left as it is, and said why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from . import services
from .errors import FinanceError
from .in_kind import current_rate, net_quantity
from .models import CENT, EntryType, FinancialEntry, RateCard

if TYPE_CHECKING:
    from accounts.models import User
    from activities.history import Through


def lines_to_revalue(card: RateCard) -> list[FinancialEntry]:
    """The card's lines whose rate is not the card's today, oldest first."""
    lines = (
        FinancialEntry.objects.filter(rate_card=card, entry_type=EntryType.ORIGINAL)
        .select_related("activity", "provider_country")
        .order_by("value_date", "pk")
    )
    return [line for line in lines if current_rate(line)[0] != card.amount]


@dataclass(frozen=True)
class Revaluation:
    corrections: list[FinancialEntry]
    refused: list[tuple[FinancialEntry, str]]  # a line left as it is, and why


@transaction.atomic
def revalue(*, card: RateCard, user: User | None, through: Through | None = None) -> Revaluation:
    """Bring every line valued by `card` to the card's rate today: one correction per line,
    dated as the line (a line in a closed period is left as it is and said why), with the rate
    it was at and the one it moves to, and what the re-valuation came through."""
    corrections: list[FinancialEntry] = []
    refused: list[tuple[FinancialEntry, str]] = []
    for line in lines_to_revalue(card):
        if not net_quantity(line):
            continue  # reversed: nothing left to value
        before, version = current_rate(line)
        reason = _(
            "Re-valued by rate card version %(version)d: %(new)s %(currency)s per unit "
            "(was %(old)s, version %(old_version)s)."
        ) % {
            "version": card.version,
            "new": f"{card.amount:,}",
            "currency": card.currency,
            "old": f"{before:,}" if before is not None else "-",
            "old_version": version or "-",
        }
        new_amount = (net_quantity(line) * card.amount).quantize(CENT, rounding=ROUND_HALF_UP)
        try:
            corrections.append(
                services.correct_entry(
                    entry=line,
                    new_amount=new_amount,
                    reason=reason,
                    user=user,
                    expected_version=None,
                    rate=(card.amount, card.version),
                    through=through,
                )
            )
        except FinanceError as error:
            refused.append((line, " ".join(m for ms in error.errors.values() for m in ms)))
    return Revaluation(corrections, refused)


def stale_counts(card_ids: Iterable[int]) -> dict[int, int]:
    """card id -> how many of its lines stand at another rate than the card's today, in one
    query (the rate cards list shows it for every card of its page; `lines_to_revalue` reads
    each line's corrections, which is right for one card, not for a page of them)."""
    last_rate = (
        FinancialEntry.objects.filter(corrects=OuterRef("pk"), unit_rate__isnull=False)
        .order_by("-created_at", "-pk")
        .values("unit_rate")[:1]
    )
    rows = (
        FinancialEntry.objects.filter(
            rate_card_id__in=list(card_ids), entry_type=EntryType.ORIGINAL
        )
        .annotate(standing=Coalesce(Subquery(last_rate), F("unit_rate")))
        .exclude(standing=F("rate_card__amount"))
        .values("rate_card_id")
        .annotate(lines=Count("pk"))
        .values_list("rate_card_id", "lines")
    )
    return dict(rows)
