"""The demo's money (load_demo_data). Its in-kind: rate cards for 2026, 40 expert-days valued
by Brazil's card, venue-days not valued, scholarships at their actual cost, and Brazil's card
revised so that the rate cards page has a line to re-value. Its contributor groups: the sample's
four group labels are groups, no fake partner; the marketplace's group is split among its four.
A rerun changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Partner
from finance.models import ContributorGroup, FinancialEntry, RateCard, ValuedBy
from finance.revaluation import lines_to_revalue

pytestmark = pytest.mark.django_db


class TestOnTheDemo:
    """The cases of one loaded demo (shared_demo)."""

    def test_demo_in_kind_lines_and_the_revised_card(self, demo: io.StringIO) -> None:
        assert "In-kind quantities and rate cards: 4 rate cards, 3 in-kind lines" in demo.getvalue()
        lines = FinancialEntry.objects.filter(
            reference="demo-in-kind", activity__ssc_id="SSC-2010-02"
        )
        by_method = {line.valued_by: line for line in lines}
        card_line = by_method[ValuedBy.RATE_CARD]
        assert (card_line.quantity, card_line.amount, card_line.unit_rate) == (
            Decimal(40),
            Decimal(10000),
            Decimal(250),
        )
        assert card_line.provider_country is not None and card_line.provider_country.iso2 == "BR"
        assert by_method[ValuedBy.NOT_VALUED].amount == 0
        assert by_method[ValuedBy.NOT_VALUED].unit == "venue_days"
        assert by_method[ValuedBy.ACTUAL_COST].unit == "scholarships"
        brazil = RateCard.objects.get(unit="expert_days", country__iso2="BR", year=2026)
        assert (brazil.amount, brazil.version) == (Decimal(275), 2)
        assert RateCard.objects.filter(country__isnull=True, year=2026).count() == 3
        assert lines_to_revalue(brazil) == [card_line]

    def test_the_rate_cards_page_shows_the_line_to_revalue(
        self, demo: io.StringIO, client: Client
    ) -> None:
        client.force_login(User.objects.get(username="focal"))
        page = client.get(reverse("finance:rate_cards")).content.decode()
        assert "1 line valued at an older rate" in page and "Re-value 1 line" in page

    def test_the_demo_shows_groups_and_a_split(self, demo: io.StringIO) -> None:
        assert "Contributor groups: 4 groups, Other contributors (EMBRAPA" in demo.getvalue()
        assert "split (10 lines)" in demo.getvalue()
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

    def test_a_rerun_changes_nothing_in_kind_nor_in_the_groups(self, demo: io.StringIO) -> None:
        before = (
            FinancialEntry.objects.count(),
            list(RateCard.objects.values_list("pk", "version")),
        )
        again = io.StringIO()
        call_command("load_demo_data", stdout=again)
        assert "In-kind quantities and rate cards: unchanged" in again.getvalue()
        assert "Contributor groups: 4 groups, none split now" in again.getvalue()
        after = (
            FinancialEntry.objects.count(),
            list(RateCard.objects.values_list("pk", "version")),
        )
        assert after == before
