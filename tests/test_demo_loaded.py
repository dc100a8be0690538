"""What `manage.py load_demo_data` leaves for the activities and the knowledge library: the
sample's activities and accounts, the saved views (the LAC CPM's, shared by link, opens the list
for another user), the activities in several languages (a Spanish reader sees SSC-2006-02 in
Spanish), the likely duplicate (one open pair, suggested again on the New activity page, and
merging it keeps the money), the knowledge from the reference documents (assets, the Bangladesh
learning route, offers and a demand, three assets in other languages); and a rerun that changes
none of them, the accounts and the ledger included.

One loaded demo for all of them (conftest.shared_demo): loading it cost more than the cases."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from accounts.models import User
from activities.duplicate_pairs import MergedVia
from activities.duplicates import Facts, suggest
from activities.models import Activity, ActivityText, DuplicatePair, PairState
from activities.saved_views import SavedView
from activities.services import merge_activities
from demo.duplicates import ORIGINAL
from demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD
from finance import rollups
from finance.models import FinancialEntry
from knowledge.matching import propose_matches
from knowledge.models import (
    AssetText,
    KnowledgeAsset,
    LearningDemand,
    LearningOffer,
    LearningRoute,
)
from knowledge.record_history import (
    demand_history_entries,
    offer_history_entries,
    route_history_entries,
)

pytestmark = pytest.mark.django_db


class TestOnTheDemo:
    """The cases of one loaded demo (shared_demo), each in a savepoint of it."""

    def test_demo_saved_views_open(
        self, demo: io.StringIO, client_for: Callable[[User | None], Client]
    ) -> None:
        assert "Saved views of the activity list: 2 created, 0 unchanged" in demo.getvalue()
        shared = SavedView.objects.get(owner__username="cpm", name="LAC, ongoing")
        assert shared.shared and shared.query == "division=LAC&status=ongoing"
        viewer = User.objects.get(username="viewer")
        opened = client_for(viewer).get(shared.get_absolute_url())
        assert opened.status_code == 302
        page = client_for(viewer).get(opened["Location"])
        assert page.status_code == 200 and not page.context["filter_errors"]

    def test_every_demo_account_signs_in_with_the_published_password(
        self, demo: io.StringIO
    ) -> None:
        accounts = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        assert len(accounts) == len(DEMO_ACCOUNTS)
        assert all(user.check_password(DEMO_PASSWORD) for user in accounts)

    def test_demo_activities_read_in_the_readers_language(self, demo: io.StringIO) -> None:
        assert "Titles in other languages: SSC-2006-01, SSC-2006-02, SSC-2010-02." in (
            demo.getvalue()
        )
        assert ActivityText.objects.count() == 6
        palenque = Activity.objects.get(ssc_id="SSC-2006-02")
        with override_settings(LANGUAGES=[("en", "English"), ("es", "Spanish")]):
            reader = Client(headers={"accept-language": "es"})
            reader.force_login(User.objects.get(username="focal"))
            page = reader.get(palenque.get_absolute_url()).content.decode()
        assert '<h1 lang="es" dir="ltr">Ruta de aprendizaje de Palenque</h1>' in page

    def test_the_demo_has_an_open_pair_suggested_again(self, demo: io.StringIO) -> None:
        assert "SSC-2010-02 logged twice, one open pair to check." in demo.getvalue()
        pair = DuplicatePair.objects.get()
        assert pair.state == PairState.OPEN and pair.first.ssc_id == ORIGINAL
        focal = User.objects.get(username="admin")
        copy = Activity.objects.prefetch_related("country_links", "partner_links").get(
            pk=pair.second_id
        )
        again = Facts(
            title=copy.title, countries=Facts.of_activity(copy).countries,
            partners=frozenset(), years=Facts.of_activity(copy).years,
        )  # fmt: skip
        assert {m.activity.pk for m in suggest(again, focal)} >= {pair.first_id, pair.second_id}

    def test_merging_the_demo_duplicate_keeps_every_line_and_the_portfolio_total(
        self, demo: io.StringIO
    ) -> None:
        """The demo leaves its pair open (the report shows it); merging it works on the demo
        data. The original, with its money, is merged into the second log (the harder way): its
        lines move, the money of the portfolio is the same to the cent."""
        pair = DuplicatePair.objects.select_related("first", "second").get()
        focal = User.objects.get(username="admin")
        rollups.drain_refresh_requests()
        before = rollups.totals(focal, rollups.RollupFilters())
        lines = FinancialEntry.objects.filter(activity__in=[pair.first, pair.second]).count()
        assert FinancialEntry.objects.filter(activity=pair.first).exists()

        merge_activities(
            keep=pair.second,
            remove=pair.first,
            user=focal,
            keep_version=pair.second.version,
            remove_version=pair.first.version,
            via=MergedVia.FORM,
        )
        rollups.drain_refresh_requests()

        assert rollups.totals(focal, rollups.RollupFilters()) == before
        assert FinancialEntry.objects.filter(activity=pair.second).count() == lines
        assert not FinancialEntry.objects.filter(activity=pair.first).exists()
        pair.refresh_from_db()
        assert pair.state == PairState.MERGED
        assert not Activity.objects.visible_to(focal).filter(pk=pair.first_id).exists()
        assert rollups.compute_slices(None, verify_first=True) is False

    def test_demo_knowledge_comes_from_the_reference_documents(self, demo: io.StringIO) -> None:
        assert "Knowledge assets, learning route, offers, demand: 8 created" in demo.getvalue()
        assets = KnowledgeAsset.objects.order_by("title")
        assert assets.count() == 4
        assert set(assets.values_list("visibility", flat=True)) == {"public"}
        repl = KnowledgeAsset.objects.get(title__contains="REPL.IX/3/R.3")
        assert repl.activities.count() == 16
        assert "learning routes" in repl.body
        # Their text is searchable: Satkhira is only in the learning route report.
        found = KnowledgeAsset.objects.search("Satkhira")
        assert [a.title for a in found] == [
            "Scaling up Bangladesh rural development best practices: lessons learned by FEDEC "
            "in the development of value chains"
        ]
        route = LearningRoute.objects.get()
        assert route.host_cases.count() == 2 and route.participants.count() == 3
        assert route.plans.get(title__startswith="FEDEC").evidence_asset == found[0]
        demand = LearningDemand.objects.get()
        assert [p.offer.institution.acronym for p in propose_matches(demand)] == ["EMBRAPA"]
        assert LearningOffer.objects.count() == 2
        # Their History pages tell more than the recording: later steps by other people.
        offer = LearningOffer.objects.get(institution__acronym="EMBRAPA")
        for entries in (
            route_history_entries(route),
            demand_history_entries(demand),
            offer_history_entries(offer),
        ):
            assert len(entries) >= 2 and entries[-1].created
            assert len({entry.user for entry in entries}) >= 2

    def test_three_demo_assets_read_and_searched_in_other_languages(
        self, demo: io.StringIO
    ) -> None:
        assert "Knowledge assets with titles in other languages: 3." in demo.getvalue()
        assert AssetText.objects.count() == 4
        repl = KnowledgeAsset.objects.get(title__contains="REPL.IX/3/R.3")
        with translation.override("fr"):
            shown = repl.version_for_reader()
        assert shown.title.startswith("La coopération Sud-Sud")
        # "opérationnels" finds "opérationnel" through the French stemmer, in the French version.
        assert list(KnowledgeAsset.objects.search("modèles opérationnels")) == [repl]

    def test_the_demo_holds_the_sample_and_its_accounts(self, demo: io.StringIO) -> None:
        assert Activity.objects.count() == 17  # the sample's 16 and the copy demo.duplicates logs
        assert {"admin", "focal", "cpm", "cpm2", "partner", "viewer"} <= set(
            User.objects.values_list("username", flat=True)
        )
        assert User.objects.get(username="partner").partner is not None

    def test_loading_the_demo_again_changes_none_of_them(self, demo: io.StringIO) -> None:
        activities = Activity.objects.count()
        counts = (User.objects.count(), FinancialEntry.objects.count())
        again = io.StringIO()
        call_command("load_demo_data", stdout=again)
        # The accounts and the ledger.
        assert (User.objects.count(), FinancialEntry.objects.count()) == counts
        said = again.getvalue()
        # The saved views.
        assert "Saved views of the activity list: 0 created, 2 unchanged" in said
        assert SavedView.objects.count() == 2
        # The activities' other languages: no new version either.
        assert "Titles in other languages: unchanged." in said
        assert ActivityText.history.count() == 6  # type: ignore[attr-defined]
        # The likely duplicate.
        assert "Likely duplicates: unchanged." in said
        assert (Activity.objects.count(), DuplicatePair.objects.count()) == (activities, 1)
        # The knowledge, and its other languages.
        assert "8 unchanged" in said
        assert KnowledgeAsset.objects.count() == 4 and LearningRoute.objects.count() == 1
        assert "Knowledge assets with titles in other languages: unchanged." in said
        assert AssetText.history.count() == 4  # type: ignore[attr-defined]
