"""Portfolios with money for the dashboard and report tests, rolled up and ready to read."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.core.management import call_command

from activities.models import Activity, ActivityCountry, Partner
from finance import rollups
from finance.models import ContributionKind, FinancialEntry, Stage, to_usd
from tests.factories import ActivityFactory, division, theme


def generate_ledger(*, activities: int, entries_per_activity: int, seed: int) -> None:
    """Synthetic activities (the project's generator) with money: every kind and stage, several
    fiscal years, euros at a rate with cents, negative corrections, and country shares."""
    call_command(
        "generate_synthetic", "--activities", str(activities), "--seed", str(seed),
        stdout=io.StringIO(),
    )  # fmt: skip
    rng = random.Random(seed)
    partners = list(Partner.objects.values_list("pk", flat=True)[:50])
    entries = []
    for activity in Activity.objects.filter(financial_entries__isnull=True).order_by("pk"):
        for _ in range(entries_per_activity):
            kind = rng.choice(ContributionKind.values)
            euros = rng.random() < 0.3
            amount = Decimal(rng.randint(1, 900_000)) + Decimal(rng.randint(0, 99)) / 100
            rate = Decimal("0.91873") if euros else Decimal(1)
            year = rng.randint(2018, 2025)
            entries.append(
                FinancialEntry(
                    activity=activity,
                    contributor_id=None if kind.startswith("ifad") else rng.choice(partners),
                    kind=kind,
                    stage=rng.choice(Stage.values),
                    amount=amount,
                    currency="EUR" if euros else "USD",
                    value_date=datetime.date(year, 6, 1),
                    fiscal_year=year,
                    units_per_usd=rate,
                    amount_usd=to_usd(amount, rate),
                )
            )
    originals = FinancialEntry.objects.bulk_create(entries)
    corrections = [
        FinancialEntry(
            activity_id=entry.activity_id,
            contributor_id=entry.contributor_id,
            kind=entry.kind,
            stage=entry.stage,
            amount=-entry.amount,
            currency=entry.currency,
            value_date=entry.value_date,
            fiscal_year=entry.fiscal_year,
            units_per_usd=entry.units_per_usd,
            amount_usd=-entry.amount_usd,
            entry_type="reversal",
            corrects=entry,
            reason="Cancelled",
        )
        for entry in originals[::7]
    ]
    FinancialEntry.objects.bulk_create(corrections)
    # Shares on some activities with several countries: 70 % to the first, the rest equally.
    for activity_id in Activity.objects.values_list("pk", flat=True)[::3]:
        links = list(ActivityCountry.objects.filter(activity_id=activity_id).order_by("pk"))
        if len(links) >= 2:
            rest = (Decimal(30) / (len(links) - 1)).quantize(Decimal("0.01"))
            shares = [Decimal(100) - rest * (len(links) - 1)] + [rest] * (len(links) - 1)
            for link, share in zip(links, shares, strict=True):
                ActivityCountry.objects.filter(pk=link.pk).update(share=share)
    rollups.rebuild_all()


def small_portfolio() -> tuple[Activity, Activity]:
    """A LAC activity in Brazil and Mozambique, an APR one in India; rolled up."""
    lac = ActivityFactory(
        title="Learning route on cassava", countries=["BR", ("MZ", "receiver")],
        themes=[theme(1), theme(2)], modality="triangular",
    )  # fmt: skip
    apr = ActivityFactory(title="Rice exchange", countries=["IN"], lead_division=division("APR"))
    for activity, amounts in ((lac, ("1000.00", "2800.00")), (apr, ("500.00", "0"))):
        for kind, amount in zip(("ifad_grant", "cofinancing"), amounts, strict=True):
            FinancialEntry.objects.create(
                activity=activity, kind=kind, stage="allocated", amount=Decimal(amount),
                currency="USD", value_date=datetime.date(2024, 2, 1), fiscal_year=2024,
                units_per_usd=1, amount_usd=Decimal(amount),
            )  # fmt: skip
    rollups.rebuild_all()
    return lac, apr
