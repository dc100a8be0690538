"""The data commands: demo data only with DEBUG (what it loads, and that a rerun changes nothing:
tests/test_demo_loaded.py), bad files are refused."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from activities.models import Activity, Country
from finance.models import FinancialEntry, LedgerLock, to_usd

pytestmark = pytest.mark.django_db


def test_demo_data_is_refused_when_debug_is_off(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo_data")
    assert not User.objects.exists()


def test_income_groups_file_with_a_bad_row_changes_nothing(tmp_path: Path) -> None:
    before = Country.objects.get(iso3="BRA").income_group
    path = tmp_path / "groups.csv"
    path.write_text("iso3,income_group,fiscal_year\nBRA,HIC,2027\nXXX,LIC,2027\n")
    with pytest.raises(CommandError):
        call_command("load_income_groups", str(path))
    assert Country.objects.get(iso3="BRA").income_group == before


def test_synthetic_data_fills_the_database(settings) -> None:  # type: ignore[no-untyped-def]
    call_command("generate_synthetic", "--activities", "30", "--seed", "1", stdout=io.StringIO())
    assert Activity.objects.count() == 30
    assert all(a.country_links.exists() for a in Activity.objects.all())


def test_synthetic_entries_are_exactly_as_many_as_asked_and_valid_ledger_lines() -> None:
    call_command("generate_synthetic", "--activities", "7", "--entries", "30", stdout=io.StringIO())
    entries = FinancialEntry.objects.select_related("activity")
    assert entries.count() == 30
    counts = Counter(entries.values_list("activity_id", flat=True))
    assert sorted(counts.values()) == [4, 4, 4, 4, 4, 5, 5]  # spread evenly
    for entry in entries:
        assert (entry.contributor_id is None) == entry.is_ifad
        assert bool(entry.valuation_method) == (entry.kind == "in_kind")
        assert entry.amount_usd == to_usd(entry.amount, entry.units_per_usd)
        assert entry.fiscal_year == entry.value_date.year
        assert entry.activity.approval_year <= entry.fiscal_year
    assert LedgerLock.objects.filter(version=1).count() == 7
