"""Two logs of one activity, for the merge's tests (service, pages, API)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from accounts.models import User
from activities.models import Activity, CountryRole, DuplicatePair, FoundVia, PairState, PartnerRole
from finance import rollups, services
from finance.models import ContributionKind, RollupRefresh, Stage
from tests.factories import ActivityFactory, PartnerFactory, division, theme
from tests.helpers import sides_asked


def _entry(amount: str, currency: str = "USD", *, year: int = 2024, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "kind": ContributionKind.IFAD_GRANT,
        "stage": Stage.ALLOCATED,
        "amount": Decimal(amount),
        "currency": currency,
        "value_date": datetime.date(year, 3, 1),
    }
    values.update(extra)
    return services.EntryData(**values)


def make_merge_pair(focal: User) -> tuple[Activity, Activity]:
    """Two logs of one activity, in two divisions, with money in two currencies and years, an
    open duplicate pair, and the roll-ups computed."""
    shared = PartnerFactory(name="Procasur")
    keep = sides_asked(
        ActivityFactory(
            title="Learning route on rural finance",
            countries=["BR", ("MZ", CountryRole.RECEIVER)],
            partners=[shared],
            themes=[theme(1)],
        )
    )
    remove = sides_asked(
        ActivityFactory(
            title="Learning route on rural finances",
            countries=["BR", ("PE", CountryRole.RECEIVER)],
            partners=[shared, (PartnerFactory(name="FAO"), PartnerRole.BROKER)],
            themes=[theme(1), theme(2)],
            lead_division=division("ESA"),
        )
    )
    services.record_entries(
        activity=keep, entries=[_entry("100.00")], user=focal, expected_version=None
    )
    services.record_entries(
        activity=remove,
        entries=[_entry("33.33", year=2023), _entry("7.01", stage=Stage.SPENT)],
        user=focal,
        expected_version=None,
    )
    DuplicatePair.objects.create(
        first=keep, second=remove, score=91, found_via=FoundVia.IMPORT, state=PairState.OPEN
    )
    rollups.rebuild_all()
    RollupRefresh.objects.all().delete()
    keep.refresh_from_db()
    remove.refresh_from_db()
    return keep, remove
