"""The key facts each side confirms (counterparts.models.Fact), read for many sides at once.

A side confirms the activity as it stands: who takes part in which role, the dates, the status,
and its own contribution in the ledger (an organization's entries; for a country, the entries of
its organizations). They are compared as plain values, so what a side confirmed can be stored
with its confirmation and any later change named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Sum

from activities.models import Activity, ActivityCountry, ActivityPartner
from finance.models import FinancialEntry

from ..models import Confirmation, Fact

Facts = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def key_facts(confirmations: Iterable[Confirmation]) -> dict[int, Facts]:
    """Each confirmation's key facts by its id, in four queries whatever their number."""
    confirmations = list(confirmations)
    ids = {c.activity_id for c in confirmations}
    if not ids:
        return {}
    shared: dict[int, Facts] = {}
    for row in Activity.objects.filter(pk__in=ids).values(
        "pk", "planned_start", "planned_end", "actual_start", "actual_end", "status"
    ):
        dates = [row[n] for n in ("planned_start", "planned_end", "actual_start", "actual_end")]
        shared[row["pk"]] = {
            Fact.DATES: [_iso(value) for value in dates],
            Fact.STATUS: row["status"],
        }
    roles: dict[int, list[list[str]]] = defaultdict(list)
    for activity_id, country_id, role, share in ActivityCountry.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "country_id", "role", "share"):
        roles[activity_id].append(["country", str(country_id), role, str(share or "")])
    for activity_id, partner_id, role in ActivityPartner.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "partner_id", "role"):
        roles[activity_id].append(["partner", str(partner_id), role, ""])
    money = _money(ids)
    facts: dict[int, Facts] = {}
    for confirmation in confirmations:
        side = (
            ("country", confirmation.country_id)
            if confirmation.country_link_id is not None
            else ("partner", confirmation.partner_id)
        )
        facts[confirmation.pk] = {
            **shared[confirmation.activity_id],
            Fact.ROLES: sorted(roles[confirmation.activity_id]),
            Fact.MONEY: sorted(money[(confirmation.activity_id, *side)]),
        }
    return facts


def _money(activity_ids: set[int]) -> dict[tuple[int, str, int | None], list[list[str]]]:
    """Each side's ledger lines, summed by kind, stage and currency, with their count (so that
    a correction netting to zero still counts as a change)."""
    money: dict[tuple[int, str, int | None], list[list[str]]] = defaultdict(list)
    rows = (
        FinancialEntry.objects.filter(activity_id__in=activity_ids, contributor__isnull=False)
        .values(
            "activity_id", "contributor_id", "contributor__country_id", "kind", "stage", "currency"
        )
        .annotate(lines=Count("pk"), total=Sum("amount"))
        .values_list(
            "activity_id",
            "contributor_id",
            "contributor__country_id",
            "kind",
            "stage",
            "currency",
            "lines",
            "total",
        )
        .order_by()
    )
    for activity_id, partner_id, country_id, kind, stage, currency, lines, total in rows:
        line = [kind, stage, currency, str(lines), f"{total:.2f}"]
        money[(activity_id, "partner", partner_id)].append(line)
        if country_id is not None:
            money[(activity_id, "country", country_id)].append(line)
    return money


def changed_facts(before: Facts, after: Facts) -> list[str]:
    """The facts (Fact values, in their order) that differ; none when nothing was confirmed."""
    if not before:
        return []
    return [fact for fact in Fact.values if before.get(fact) != after.get(fact)]
