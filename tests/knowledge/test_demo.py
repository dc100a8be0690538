"""The demo knowledge loaded by `manage.py load_demo_data`: the reference documents as assets,
the Bangladesh learning route, offers and a demand; a rerun changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from knowledge.matching import propose_matches
from knowledge.models import (
    AssetText,
    KnowledgeAsset,
    LearningDemand,
    LearningOffer,
    LearningRoute,
)

pytestmark = pytest.mark.django_db


def test_demo_knowledge_comes_from_the_reference_documents(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Knowledge assets, learning route, offers, demand: 8 created" in out.getvalue()
    assets = KnowledgeAsset.objects.order_by("title")
    assert assets.count() == 4
    assert set(assets.values_list("visibility", flat=True)) == {"public"}
    repl = KnowledgeAsset.objects.get(title__contains="REPL.IX/3/R.3")
    assert repl.activities.count() == 16
    assert "learning routes" in repl.body
    # Their text is searchable: Satkhira is only in the learning route report.
    found = KnowledgeAsset.objects.search("Satkhira")
    assert [a.title for a in found] == [
        "Scaling up Bangladesh rural development best practices: lessons learned by FEDEC in "
        "the development of value chains"
    ]
    route = LearningRoute.objects.get()
    assert route.host_cases.count() == 2 and route.participants.count() == 3
    assert route.plans.get(title__startswith="FEDEC").evidence_asset == found[0]
    demand = LearningDemand.objects.get()
    assert [p.offer.institution.acronym for p in propose_matches(demand)] == ["EMBRAPA"]
    assert LearningOffer.objects.count() == 2
    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert "8 unchanged" in again.getvalue()
    assert KnowledgeAsset.objects.count() == 4 and LearningRoute.objects.count() == 1


def test_three_demo_assets_read_and_searched_in_other_languages(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Knowledge assets with titles in other languages: 3." in out.getvalue()
    assert AssetText.objects.count() == 4
    repl = KnowledgeAsset.objects.get(title__contains="REPL.IX/3/R.3")
    with translation.override("fr"):
        shown = repl.version_for_reader()
    assert shown.title.startswith("La coopération Sud-Sud")
    # "opérationnels" finds "opérationnel" through the French stemmer, in the French version.
    assert list(KnowledgeAsset.objects.search("modèles opérationnels")) == [repl]
    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert "Knowledge assets with titles in other languages: unchanged." in again.getvalue()
    assert AssetText.history.count() == 4  # type: ignore[attr-defined]
