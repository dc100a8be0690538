"""The demo's contributor groups (load_demo_data): the sample's four group labels are groups,
no fake partner; the marketplace's group is split among its four; a rerun changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum

from activities.models import Partner
from finance.models import ContributorGroup, FinancialEntry

pytestmark = pytest.mark.django_db


def load(settings: Any) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_demo_shows_groups_and_a_split_and_a_rerun_changes_nothing(settings: Any) -> None:
    first = load(settings)
    assert "Contributor groups: 4 groups, Other contributors (EMBRAPA" in first
    assert "split (10 lines)" in first
    assert not Partner.objects.filter(name__istartswith="other contributors").exists()
    fao = ContributorGroup.objects.get(label="Other contributors (FAO)")
    assert [m.acronym for m in fao.members.all()] == ["FAO"]
    marketplace = FinancialEntry.objects.filter(
        activity__ssc_id="SSC-2010-02", kind="cofinancing", stage="allocated"
    )
    by_partner = dict(
        marketplace.filter(contributor__isnull=False)
        .values_list("contributor__acronym")
        .annotate(usd=Sum("amount_usd"))
    )
    assert by_partner == {
        "EMBRAPA": Decimal("600000"),
        "World Bank": Decimal("450000"),
        "DFID": Decimal("300000"),
        "FARA": Decimal("150000"),
    }
    assert marketplace.aggregate(usd=Sum("amount_usd"))["usd"] == Decimal("1500000")
    count = FinancialEntry.objects.count()
    assert "Contributor groups: 4 groups, none split now" in load(settings)
    assert FinancialEntry.objects.count() == count
