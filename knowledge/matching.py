"""Proposing who could answer a learning demand, with a score and the reasons behind it.

An offer is only a candidate when it shares a theme with the demand. Points then add up to 100:

    themes shared          25, +5 for each further shared theme (at most 35)
    same IFAD division     15  (neighbours: similar contexts, shorter journeys)
    income group           10  when the offering country is in the same group or one ahead,
                           5   when two or more ahead (still useful, less alike)
    a common language      20  (otherwise a caution: interpretation needed)
    past activities        5 each, at most 10: activities that have happened (ongoing or done)
                           on a shared theme, in which the institution took part (funding aside)
                           or which the offer is about
    knowledge assets       5 each, at most 10: assets on a shared theme written by the
                           institution or linked to those past activities

Each point comes with its reason, so the CPM reads why, not just how much. The whole proposal
list costs a fixed number of queries whatever the number of offers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Activity, ActivityPartner, IncomeGroup, PartnerRole, Status, Theme

from .models import KnowledgeAsset, Language, LearningDemand, LearningOffer, local_title

if TYPE_CHECKING:
    from collections.abc import Iterable

    from activities.models import Country

THEME_POINTS = 25
EXTRA_THEME_POINTS = 5
MAX_THEME_POINTS = 35
DIVISION_POINTS = 15
INCOME_POINTS = 10
INCOME_FAR_POINTS = 5
LANGUAGE_POINTS = 20
PER_PAST_ACTIVITY = 5
MAX_PAST_ACTIVITY_POINTS = 10
PER_ASSET = 5
MAX_ASSET_POINTS = 10
DEFAULT_LIMIT = 10

INCOME_ORDER = [IncomeGroup.LIC, IncomeGroup.LMIC, IncomeGroup.UMIC, IncomeGroup.HIC]
# Activities whose experience exists to be shared.
PAST_STATUSES = (Status.ONGOING, Status.COMPLETED, Status.CLOSED)
NAMED_IN_REASON = 3


@dataclass
class Proposal:
    offer: LearningOffer
    score: int
    reasons: list[str]
    cautions: list[str]
    shared_themes: list[Theme]


@dataclass
class _Evidence:
    """Past activities and assets on the demand's themes, per institution and per activity."""

    activities_by_partner: dict[int, dict[int, str]] = field(default_factory=dict)
    past_offer_activities: dict[int, str] = field(default_factory=dict)
    assets_by_partner: dict[int, dict[int, str]] = field(default_factory=dict)
    assets_by_activity: dict[int, dict[int, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, offers: Iterable[LearningOffer], theme_ids: list[int]) -> _Evidence:
        offers = list(offers)
        partner_ids = {offer.institution_id for offer in offers}
        offer_activity_ids = {offer.activity_id for offer in offers if offer.activity_id}
        evidence = cls()
        by_partner: dict[int, dict[int, str]] = defaultdict(dict)
        rows = (
            ActivityPartner.objects.filter(
                partner_id__in=partner_ids,
                activity__themes__in=theme_ids,
                activity__status__in=PAST_STATUSES,
            )
            .exclude(role=PartnerRole.FUNDER)
            .values_list("partner_id", "activity_id", "activity__ssc_id")
            .distinct()
        )
        for partner_id, activity_id, ssc_id in rows:
            by_partner[partner_id][activity_id] = ssc_id
        evidence.activities_by_partner = dict(by_partner)
        evidence.past_offer_activities = dict(
            Activity.objects.filter(
                pk__in=offer_activity_ids, themes__in=theme_ids, status__in=PAST_STATUSES
            )
            .values_list("pk", "ssc_id")
            .distinct()
        )
        activity_ids = {a for acts in by_partner.values() for a in acts} | set(
            evidence.past_offer_activities
        )
        authored: dict[int, dict[int, str]] = defaultdict(dict)
        for partner_id, asset_id, title in (
            KnowledgeAsset.author_organizations.through.objects.filter(  # type: ignore[misc]
                partner_id__in=partner_ids, knowledgeasset__themes__in=theme_ids
            )
            .annotate(shown_title=local_title(asset_field="knowledgeasset_id"))
            .values_list("partner_id", "knowledgeasset_id", "shown_title")
            .distinct()
        ):
            authored[partner_id][asset_id] = title
        evidence.assets_by_partner = dict(authored)
        linked: dict[int, dict[int, str]] = defaultdict(dict)
        for activity_id, asset_id, title in (
            KnowledgeAsset.activities.through.objects.filter(  # type: ignore[misc]
                activity_id__in=activity_ids, knowledgeasset__themes__in=theme_ids
            )
            .annotate(shown_title=local_title(asset_field="knowledgeasset_id"))
            .values_list("activity_id", "knowledgeasset_id", "shown_title")
            .distinct()
        ):
            linked[activity_id][asset_id] = title
        evidence.assets_by_activity = dict(linked)
        return evidence

    def past_activities(self, offer: LearningOffer) -> dict[int, str]:
        found = dict(self.activities_by_partner.get(offer.institution_id, {}))
        if offer.activity_id in self.past_offer_activities:
            found[offer.activity_id] = self.past_offer_activities[offer.activity_id]
        return found

    def assets(self, offer: LearningOffer, past: Iterable[int]) -> dict[int, str]:
        found = dict(self.assets_by_partner.get(offer.institution_id, {}))
        for activity_id in past:
            found.update(self.assets_by_activity.get(activity_id, {}))
        return found


def _names(values: Iterable[str]) -> str:
    values = sorted(values)
    shown = ", ".join(values[:NAMED_IN_REASON])
    return shown + (" …" if len(values) > NAMED_IN_REASON else "")


def _score(
    demand: LearningDemand, offer: LearningOffer, wanted: set[int], evidence: _Evidence
) -> Proposal | None:
    shared = [theme for theme in offer.themes.all() if theme.pk in wanted]
    if not shared:
        return None
    reasons: list[str] = []
    cautions: list[str] = []
    score = min(THEME_POINTS + EXTRA_THEME_POINTS * (len(shared) - 1), MAX_THEME_POINTS)
    reasons.append(
        ngettext(
            "Shares the theme %(themes)s.", "Shares %(count)d themes: %(themes)s.", len(shared)
        )
        % {"count": len(shared), "themes": ", ".join(t.name for t in shared)}
    )
    demand_country, offer_country = demand.country, offer.country
    if demand_country.division_id and demand_country.division_id == offer_country.division_id:
        score += DIVISION_POINTS
        reasons.append(
            _("Same IFAD division (%(division)s): similar contexts, a shorter journey.")
            % {"division": demand_country.division}
        )
    score += _income_points(demand_country, offer_country, reasons, cautions)
    language = dict(Language.choices).get(demand.language, demand.language)
    if demand.language in offer.languages:
        score += LANGUAGE_POINTS
        reasons.append(_("Can work in %(language)s.") % {"language": language})
    else:
        cautions.append(
            _("No common language: %(language)s is not among %(offered)s; plan interpretation.")
            % {"language": language, "offered": ", ".join(offer.language_labels) or _("none")}
        )
    past = evidence.past_activities(offer)
    if past:
        score += min(PER_PAST_ACTIVITY * len(past), MAX_PAST_ACTIVITY_POINTS)
        reasons.append(
            ngettext(
                "%(count)d past activity on these themes: %(names)s.",
                "%(count)d past activities on these themes: %(names)s.",
                len(past),
            )
            % {"count": len(past), "names": _names(past.values())}
        )
    assets = evidence.assets(offer, past)
    if assets:
        score += min(PER_ASSET * len(assets), MAX_ASSET_POINTS)
        reasons.append(
            ngettext(
                "%(count)d knowledge asset on these themes: %(names)s.",
                "%(count)d knowledge assets on these themes: %(names)s.",
                len(assets),
            )
            % {"count": len(assets), "names": _names(f"“{t}”" for t in assets.values())}
        )
    return Proposal(
        offer=offer, score=score, reasons=reasons, cautions=cautions, shared_themes=shared
    )


def _income_points(
    demand_country: Country, offer_country: Country, reasons: list[str], cautions: list[str]
) -> int:
    """Points for an offering country in the asking one's income group or ahead of it, the
    most for the same group or one ahead; a country behind is a caution, not a refusal."""
    if not (demand_country.income_group and offer_country.income_group):
        return 0
    ahead = INCOME_ORDER.index(IncomeGroup(offer_country.income_group)) - INCOME_ORDER.index(
        IncomeGroup(demand_country.income_group)
    )
    labels = {
        "offer": offer_country.get_income_group_display(),
        "demand": demand_country.get_income_group_display(),
        "country": offer_country.name,
    }
    if ahead == 0:
        reasons.append(_("Same income group (%(offer)s).") % labels)
        return INCOME_POINTS
    if ahead == 1:
        reasons.append(
            _("%(country)s is one income group ahead (%(offer)s for %(demand)s).") % labels
        )
        return INCOME_POINTS
    if ahead > 1:
        reasons.append(
            _("%(country)s is further ahead (%(offer)s for %(demand)s): less alike.") % labels
        )
        return INCOME_FAR_POINTS
    cautions.append(
        _("%(country)s is in a lower income group (%(offer)s for %(demand)s).") % labels
    )
    return 0


def _candidates(theme_ids: list[int]) -> list[LearningOffer]:
    return list(
        LearningOffer.objects.filter(
            is_active=True,
            pk__in=LearningOffer.themes.through.objects.filter(theme_id__in=theme_ids).values(
                "learningoffer_id"
            ),
        )
        .select_related("institution__country", "country__division", "activity")
        .prefetch_related("themes")
    )


def propose_matches(demand: LearningDemand, *, limit: int = DEFAULT_LIMIT) -> list[Proposal]:
    """The best offers for the demand, best first (ties by title)."""
    theme_ids = [theme.pk for theme in demand.themes.all()]
    offers = _candidates(theme_ids)
    evidence = _Evidence.load(offers, theme_ids)
    wanted = set(theme_ids)
    proposals = [
        p for offer in offers if (p := _score(demand, offer, wanted, evidence)) is not None
    ]
    proposals.sort(key=lambda p: (-p.score, p.offer.title, p.offer.pk))
    return proposals[:limit]


def score_offer(demand: LearningDemand, offer: LearningOffer) -> Proposal | None:
    """The proposal for one offer (None when it shares no theme), as propose_matches scores it."""
    theme_ids = [theme.pk for theme in demand.themes.all()]
    return _score(demand, offer, set(theme_ids), _Evidence.load([offer], theme_ids))
