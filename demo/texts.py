"""The demo's activities and knowledge assets in more than one language (issue 23): three sample
activities get their title and summary in the agency's other languages, as their CPMs would give
them, so that a French, Spanish or Arabic reader sees them in their language on the list and the
activity's page, and the IATI file carries one narrative per language; three library assets get
their title and abstract likewise, found by a search in those languages. A rerun changes
nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from accounts.models import User
from activities import services
from activities.models import Activity
from activities.services import TextVersion
from knowledge import services as knowledge_services
from knowledge.demo import DEMO_ASSETS
from knowledge.models import KnowledgeAsset
from knowledge.texts import TextVersion as AssetTextVersion

from .activity_data import current_activity_data

# SSC ID: versions (language, title, summary), as the CPMs of the regions wrote them.
DEMO_TEXTS: dict[str, tuple[TextVersion, ...]] = {
    "SSC-2006-02": (
        TextVersion(
            "es",
            "Ruta de aprendizaje de Palenque",
            "Ruta de aprendizaje en Colombia sobre el patrimonio cultural afrodescendiente "
            "como activo para el desarrollo rural.",
        ),
        TextVersion(
            "fr",
            "Route d'apprentissage de Palenque",
            "Route d'apprentissage en Colombie sur le patrimoine culturel afrodescendant, atout "
            "du développement rural.",
        ),
    ),
    "SSC-2006-01": (
        TextVersion(
            "ar",
            "التعاون بين منظمات المجتمع المدني في العراق وإيران",
            "تبادل الخبرات بين منظمات المجتمع المدني الريفية في البلدين.",
        ),
    ),
    "SSC-2010-02": (
        TextVersion(
            "fr",
            "Marché de l'innovation agricole Brésil-Afrique",
            "Des chercheurs brésiliens et africains montent ensemble des projets d'innovation "
            "agricole.",
        ),
        TextVersion(
            "es",
            "Mercado de innovación agrícola Brasil-África",
            "Investigadores brasileños y africanos preparan juntos proyectos de innovación "
            "agrícola.",
        ),
        TextVersion(
            "ar",
            "سوق الابتكار الزراعي بين البرازيل وأفريقيا",
            "باحثون من البرازيل وأفريقيا يعدّون معاً مشاريع للابتكار الزراعي.",
        ),
    ),
}


# Library assets (knowledge.demo.DEMO_ASSETS, by position): versions (language, title,
# abstract), as their division's staff would give them.
DEMO_ASSET_TEXTS: dict[str, tuple[AssetTextVersion, ...]] = {
    DEMO_ASSETS[0].title: (
        AssetTextVersion(
            "fr",
            "La coopération Sud-Sud dans le modèle opérationnel du FIDA (REPL.IX/3/R.3)",
            "Comment le FIDA soutient l'échange de savoirs et de technologies entre pays en "
            "développement au service de la réduction de la pauvreté rurale.",
        ),
        AssetTextVersion(
            "es",
            "La cooperación Sur-Sur en el modelo operativo del FIDA (REPL.IX/3/R.3)",
            "Cómo el FIDA apoya el intercambio de conocimientos y tecnologías entre países en "
            "desarrollo para reducir la pobreza rural.",
        ),
    ),
    DEMO_ASSETS[2].title: (
        AssetTextVersion(
            "fr",
            "Note sur la transposition à plus grande échelle : institutions et organisations de "
            "petits producteurs",
            "Ce que les organisations de petits producteurs apportent à la transposition à plus "
            "grande échelle, et comment les renforcer.",
        ),
    ),
    DEMO_ASSETS[3].title: (
        AssetTextVersion(
            "ar",
            "توسيع نطاق أفضل ممارسات التنمية الريفية في بنغلاديش: دروس من تطوير سلاسل القيمة",
            "ما تعلّمه المشاركون في مسار التعلم عام 2014 عن سلاسل القيمة والتمويل الريفي.",
        ),
    ),
}


@dataclass
class TextsLoadReport:
    given: list[str] = field(default_factory=list)
    assets_given: list[str] = field(default_factory=list)

    def summary(self) -> str:
        activities = ", ".join(self.given) or "unchanged"
        assets = len(self.assets_given) or "unchanged"
        return (
            f"Titles in other languages: {activities}. "
            f"Knowledge assets with titles in other languages: {assets}."
        )


def load_demo_texts(*, users: Mapping[str, User]) -> TextsLoadReport:
    report = TextsLoadReport()
    for activity in Activity.objects.filter(ssc_id__in=DEMO_TEXTS).order_by("ssc_id"):
        if activity.texts.exists():
            continue
        data = replace(
            current_activity_data(activity), ssc_id="", texts=DEMO_TEXTS[activity.ssc_id]
        )
        services.update_activity(
            activity=activity, data=data, user=users["admin"], expected_version=activity.version
        )
        report.given.append(activity.ssc_id)
    _load_asset_texts(users=users, report=report)
    return report


def _load_asset_texts(*, users: Mapping[str, User], report: TextsLoadReport) -> None:
    """The library's demo assets (loaded when the reference documents are there) that have no
    versions yet get theirs."""
    for asset in KnowledgeAsset.objects.filter(title__in=DEMO_ASSET_TEXTS).order_by("pk"):
        if asset.texts.exists():
            continue
        knowledge_services.save_asset(
            asset=asset,
            data=knowledge_services.asset_data_of(asset, texts=DEMO_ASSET_TEXTS[asset.title]),
            user=users["admin"],
        )
        report.assets_given.append(asset.title)
