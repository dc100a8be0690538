"""The demo's activities in more than one language (issue 23): three sample activities get
their title and summary in the agency's other languages, as their CPMs would give them, so that
a French, Spanish or Arabic reader sees them in their language on the list and the activity's
page, and the IATI file carries one narrative per language. A rerun changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from accounts.models import User
from activities import services
from activities.models import Activity
from activities.services import TextVersion

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


@dataclass
class TextsLoadReport:
    given: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.given:
            return "Titles in other languages: unchanged."
        return f"Titles in other languages: {', '.join(self.given)}."


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
    return report
