"""The TOSSD extract and the SDG 17.3.1 aggregate, for the demo data and a generated portfolio:
their totals equal the ledger's for the same selection to the cent, every code is in its full
list, and the checks pass (nothing to list)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db.models import Sum

from activities.models import Activity
from finance.codebook import CRS_CHANNELS
from finance.models import FinancialEntry, Stage
from standards import sdg1731
from standards.build import sdg_contents, tossd_contents, totals
from standards.selection import Selection

pytestmark = pytest.mark.django_db

CODELISTS = Path(__file__).resolve().parents[3] / "shared" / "iati" / "codelists"


def full_list(name: str) -> set[str]:
    """Every code of IATI's full codelist `name` (withdrawn ones included)."""
    root = ElementTree.parse(CODELISTS / f"{name}.xml").getroot()  # noqa: S314 - our own file
    return {item.findtext("code") or "" for item in root.iter("codelist-item")}


def ledger(selection: Selection, stage: str) -> Decimal:
    found = (
        FinancialEntry.objects.filter(stage=stage)
        .filter(activity__in=selection.activities().values("pk"))
        .filter(**({"fiscal_year__in": selection.years} if selection.years else {}))
        .aggregate(total=Sum("amount_usd"))["total"]
    )
    return found or Decimal("0.00")


@pytest.fixture
def generated() -> None:
    call_command("generate_synthetic", activities=60, entries=900, seed=7, stdout=io.StringIO())


def assert_reconciled(selection: Selection) -> None:
    extract = tossd_contents(selection)
    # The only problems: activities migrated without a type (no type of aid), each named.
    untyped = set(selection.activities().filter(activity_type="").values_list("ssc_id", flat=True))
    assert {(p.ssc_id, p.problem) for p in extract.problems} <= {
        (ssc_id, "type of aid (its activity type) is missing.") for ssc_id in untyped
    }
    money = totals(extract.rows, frozenset({"commitments_usd", "disbursements_usd"}))
    assert money["commitments_usd"] == ledger(selection, Stage.ALLOCATED)
    assert money["disbursements_usd"] == ledger(selection, Stage.SPENT)
    aggregate = sdg_contents(selection)
    assert aggregate.problems == []
    money = totals(aggregate.rows, sdg1731.MONEY_COLUMNS)
    assert money["committed_usd"] == ledger(selection, Stage.ALLOCATED)
    assert money["disbursed_usd"] == ledger(selection, Stage.SPENT)


def assert_codes_in_lists(rows: list[dict[str, Any]]) -> None:
    lists = {
        "sector_code": full_list("Sector"),
        "aid_type": full_list("AidType"),
        "finance_type": full_list("FinanceType"),
        "finance_types": full_list("FinanceType"),
        "collaboration_type": full_list("CollaborationType"),
        "sdg_focus": full_list("UNSDG-Targets"),
        "channel_code": set(CRS_CHANNELS),
    }
    countries = full_list("Country")
    assert rows
    for row in rows:
        for key, accepted in lists.items():
            for code in filter(None, str(row[key]).split("; ")):
                assert code in accepted, (key, code, row["project_number"])
        assert row["sector_code"] and row["finance_type"]
        assert row["recipient_iso3"] == "" or len(row["recipient_iso3"]) == 3
    assert countries  # ISO3 has no IATI list; ISO2 is checked through the country table


class TestOnTheDemo:
    """The demo's tests: the demo loaded once for them (conftest's shared_demo)."""

    def test_demo_exports_reconcile_with_the_ledger(self, demo: io.StringIO) -> None:
        assert FinancialEntry.objects.exists()
        assert_reconciled(Selection())
        year = FinancialEntry.objects.values_list("fiscal_year", flat=True).first()
        assert_reconciled(Selection(years=(year,)))

    def test_demo_codes_are_in_their_lists(self, demo: io.StringIO) -> None:
        assert_codes_in_lists(tossd_contents(Selection()).rows)


def test_generated_portfolio_reconciles_for_each_selection(generated: None) -> None:
    activity = Activity.objects.select_related("lead_division").order_by("pk").first()
    assert activity is not None
    country = activity.country_links.values_list("country_id", flat=True).first()
    assert_reconciled(Selection())
    assert_reconciled(Selection(division_id=activity.lead_division_id))
    assert_reconciled(Selection(country_id=country))
    years = tuple(FinancialEntry.objects.values_list("fiscal_year", flat=True).distinct()[:2])
    assert_reconciled(Selection(years=years))
    assert_codes_in_lists(tossd_contents(Selection()).rows)
