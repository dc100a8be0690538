"""The results app's parts of the IATI 2.03 file (finance.iati.ActivityPart): each public
activity's related activities and its results framework with its approved values. The project
layer hands them to the file's endpoint (ssc_portal.api_urls); finance never imports them.

What goes where:

- related-activity: each recorded relation, both ways, with the IATI RelatedActivityType of the
  other activity (models.IATI_RELATED_TYPE: the programme an activity is part of is its parent
  (1), its parts are its children (2); follow-ups, reciprocity and scaling up are siblings (3)),
  and the other activity's iati-identifier. Only related activities that are public themselves:
  the identifier of an internal one would name a record the file does not publish.
- result: type (IATI ResultType), aggregation-status (true when each of its indicators adopts
  a core indicator: those roll up across the portfolio), title, description; the side it is for
  (SSC's win-win-win) in our namespace. A result without indicators is left out (IATI needs one).
- indicator: measure (IndicatorMeasure), ascending, aggregation-status (adopts a core
  indicator), title, description; reference vocabulary 99 (reporting organisation) with the
  core indicator's code; baseline with its year (required by IATI: no year, no baseline), its
  value for a quantitative indicator (rule 8.8.1: a quantitative baseline without a value is
  left out) and comment. The portal records a baseline's year, not its day: no iso-date.
- period: period-start, period-end; a target with its value (rule 8.9.1: only when set) and
  comment, then one target per disaggregated target with its dimension; an actual from
  results.progress (approved updates that no revision replaced: the one definition), then
  one actual per dimension value. Qualitative indicators carry no value (rules 8.9.3, 8.10.3):
  the target's comment, the latest narrative as the actual's comment and whether it was
  achieved in our namespace (an element: the actual takes no
  attribute of ours). The evidence of the counting updates is the actual's
  document-link (category A08, results): a link given as evidence, or a public knowledge
  asset (its external address, else its page). Uploaded files stay behind the portal's sign-in.
"""

from __future__ import annotations

import mimetypes
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, Q
from lxml import etree

from accounts.text import file_text
from activities.models import Activity, Visibility
from finance.iati import EXTENSION_NS, iati_identifier
from knowledge.models import KnowledgeAsset

from .models import (
    IATI_CHILD,
    IATI_RELATED_TYPE,
    ActivityRelation,
    DimensionValue,
    Indicator,
    Period,
    RelationType,
    Result,
    TargetDisaggregation,
    Update,
)
from .progress import Actual, actuals, counting_updates

REPORTING_ORGANISATION = "99"  # IndicatorVocabulary
RESULTS_DOCUMENT = "A08"  # DocumentCategory: results, outcomes and outputs
WEB_PAGE = "text/html"


def _narrative(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    etree.SubElement(element, "narrative").text = file_text(text)
    return element


def _number(value: Decimal) -> str:
    """A value as IATI reads a number: no exponent, no trailing zeros (12, 12.5)."""
    return f"{value.normalize():f}"


def _flag(value: bool) -> str:
    return "1" if value else "0"


# --- related activities ------------------------------------------------------------------------


class RelatedActivities:
    """related-activity elements, from ActivityRelation rows in either direction."""

    def load(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """(IATI type, related activity's SSC ID) by activity id, public related ones only."""
        rows = (
            ActivityRelation.objects.filter(Q(activity_id__in=ids) | Q(related_id__in=ids))
            .values_list(
                "activity_id",
                "activity__ssc_id",
                "activity__visibility",
                "type",
                "related_id",
                "related__ssc_id",
                "related__visibility",
            )
            .order_by("pk")
        )
        wanted = set(ids)
        found: dict[int, dict[tuple[str, str], None]] = defaultdict(dict)
        for source, source_ssc, source_seen, kind, target, target_ssc, target_seen in rows:
            if source in wanted and target_seen == Visibility.PUBLIC:
                found[source][(IATI_RELATED_TYPE[RelationType(kind)], target_ssc)] = None
            if target in wanted and source_seen == Visibility.PUBLIC:
                # The other way round: a programme's part is its child, the rest siblings.
                back = (
                    IATI_CHILD
                    if kind == RelationType.PART_OF
                    else IATI_RELATED_TYPE[RelationType(kind)]
                )
                found[target][(back, source_ssc)] = None
        return {
            pk: sorted(pairs, key=lambda pair: (pair[1], pair[0])) for pk, pairs in found.items()
        }

    def write(
        self, element: etree._Element, activity: Activity, loaded: dict[int, list[tuple[str, str]]]
    ) -> None:
        for kind, ssc_id in loaded.get(activity.pk, []):
            etree.SubElement(
                element, "related-activity", ref=file_text(iati_identifier(ssc_id)), type=kind
            )


# --- results frameworks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    url: str
    title: str
    format: str


@dataclass
class Frameworks:
    """What the results part needs for a batch of activities."""

    results: dict[int, list[Result]] = field(default_factory=dict)  # by activity id
    actuals: dict[int, Actual] = field(default_factory=dict)  # by period id
    evidence: dict[int, list[Evidence]] = field(default_factory=dict)  # by period id
    values: dict[int, DimensionValue] = field(default_factory=dict)  # by id


# The media types evidence usually comes as, each a code of IATI's FileFormat codelist
# (IATI-Codelists-NonEmbedded@7aeece7, the commit of ../shared/iati's other codelists, which
# leave this one out); a link whose name says another type (or none) is a web page.
DOCUMENT_FORMATS = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
        "text/csv",
        "text/plain",
        "image/jpeg",
        "image/png",
        "video/mp4",
    }
)


def _format(url: str) -> str:
    """The media type a link's name says (a PDF, a spreadsheet), else a web page."""
    guessed, _encoding = mimetypes.guess_type(urlsplit(url).path)
    return guessed if guessed in DOCUMENT_FORMATS else WEB_PAGE


def _evidence(update: Update) -> list[Evidence]:
    found = []
    if update.evidence_url:
        found.append(Evidence(update.evidence_url, "Evidence", _format(update.evidence_url)))
    asset = update.evidence_asset
    if asset is not None and asset.visibility == Visibility.PUBLIC:
        url = asset.external_url or settings.SITE_URL.rstrip("/") + asset.get_absolute_url()
        found.append(Evidence(url, asset.title, _format(url)))
    return found


class ResultsFramework:
    """result elements: the activity's framework with targets and approved actuals."""

    def load(self, ids: Sequence[int]) -> Frameworks:
        targets = TargetDisaggregation.objects.select_related("dimension_value__dimension")
        periods = Period.objects.prefetch_related(Prefetch("target_parts", queryset=targets))
        indicators = Indicator.objects.select_related("core").prefetch_related(
            Prefetch("periods", queryset=periods)
        )
        results = Result.objects.filter(activity_id__in=ids).prefetch_related(
            Prefetch("indicators", queryset=indicators)
        )
        loaded = Frameworks()
        every_period: list[Period] = []
        for result in results:
            loaded.results.setdefault(result.activity_id, []).append(result)
            for indicator in result.indicators.all():
                every_period.extend(indicator.periods.all())
        if not every_period:
            return loaded
        loaded.actuals = actuals(every_period)
        updates = counting_updates(p.pk for p in every_period)
        assets = {
            asset.pk: asset
            for asset in _assets({u.evidence_asset_id for u in updates if u.evidence_asset_id})
        }
        for update in updates:
            update.evidence_asset = assets.get(update.evidence_asset_id or 0)
            found = _evidence(update)
            if found:
                loaded.evidence.setdefault(update.period_id, []).extend(found)
        value_ids = {pk for actual in loaded.actuals.values() for pk in actual.parts}
        loaded.values = DimensionValue.objects.select_related("dimension").in_bulk(value_ids)
        return loaded

    def write(self, element: etree._Element, activity: Activity, loaded: Frameworks) -> None:
        for result in loaded.results.get(activity.pk, []):
            indicators = list(result.indicators.all())
            if indicators:
                _result(element, result, indicators, loaded)


def _assets(ids: set[int]) -> list[KnowledgeAsset]:
    if not ids:
        return []
    return list(
        KnowledgeAsset.objects.filter(pk__in=ids).only("pk", "title", "visibility", "external_url")
    )


def _result(
    parent: etree._Element, result: Result, indicators: list[Indicator], loaded: Frameworks
) -> None:
    aggregated = all(indicator.core_id for indicator in indicators)
    element = etree.SubElement(
        parent,
        "result",
        {
            "type": result.type,
            "aggregation-status": _flag(aggregated),
            f"{{{EXTENSION_NS}}}side": result.side,
        },
    )
    _narrative(element, "title", result.title)
    if result.description.strip():
        _narrative(element, "description", result.description)
    for indicator in indicators:
        _indicator(element, indicator, loaded)


def _indicator(parent: etree._Element, indicator: Indicator, loaded: Frameworks) -> None:
    element = etree.SubElement(
        parent,
        "indicator",
        {
            "measure": indicator.measure,
            "ascending": _flag(indicator.ascending),
            "aggregation-status": _flag(indicator.core_id is not None),
        },
    )
    _narrative(element, "title", indicator.title)
    if indicator.description.strip():
        _narrative(element, "description", indicator.description)
    if indicator.core is not None:
        etree.SubElement(
            element, "reference", vocabulary=REPORTING_ORGANISATION, code=indicator.core.code
        )
    _baseline(element, indicator)
    for period in indicator.periods.all():
        _period(element, indicator, period, loaded)


def _baseline(parent: etree._Element, indicator: Indicator) -> None:
    if indicator.baseline_year is None:
        return
    if indicator.is_quantitative and indicator.baseline_value is None:
        return
    baseline = etree.SubElement(parent, "baseline", year=str(indicator.baseline_year))
    if indicator.is_quantitative and indicator.baseline_value is not None:
        baseline.set("value", _number(indicator.baseline_value))
    if indicator.baseline_comment.strip():
        _narrative(baseline, "comment", indicator.baseline_comment)


def _dimension(parent: etree._Element, value: DimensionValue) -> None:
    etree.SubElement(
        parent,
        "dimension",
        name=file_text(value.dimension.name),
        value=file_text(value.value),
    )


def _period(
    parent: etree._Element, indicator: Indicator, period: Period, loaded: Frameworks
) -> None:
    element = etree.SubElement(parent, "period")
    etree.SubElement(element, "period-start", {"iso-date": period.start.isoformat()})
    etree.SubElement(element, "period-end", {"iso-date": period.end.isoformat()})
    _targets(element, indicator, period)
    actual = loaded.actuals.get(period.pk)
    if actual is not None and actual.reported:
        _actuals(element, indicator, actual, loaded.evidence.get(period.pk, []), loaded.values)


def _targets(parent: etree._Element, indicator: Indicator, period: Period) -> None:
    comment = period.target_comment.strip()
    if indicator.is_quantitative:
        if period.target_value is None:
            return
        target = etree.SubElement(parent, "target", value=_number(period.target_value))
        if comment:
            _narrative(target, "comment", comment)
        for part in period.target_parts.all():
            split = etree.SubElement(parent, "target", value=_number(part.value))
            _dimension(split, part.dimension_value)
    elif comment:
        _narrative(etree.SubElement(parent, "target"), "comment", comment)


def _actuals(
    parent: etree._Element,
    indicator: Indicator,
    actual: Actual,
    evidence: list[Evidence],
    values: dict[int, DimensionValue],
) -> None:
    element = etree.SubElement(parent, "actual")
    if indicator.is_quantitative and actual.value is not None:
        element.set("value", _number(actual.value))
    elif not indicator.is_quantitative and actual.narrative.strip():
        _narrative(element, "comment", actual.narrative)
    for link in evidence:
        _document_link(element, link)
    if not indicator.is_quantitative:
        if actual.achieved is not None:
            # An actual takes our elements at its end, not our attributes (the schema's rule).
            achieved = etree.SubElement(element, f"{{{EXTENSION_NS}}}achieved")
            achieved.text = "true" if actual.achieved else "false"
        return
    for value_id, amount in sorted(actual.parts.items()):
        value = values.get(value_id)
        if value is not None:
            split = etree.SubElement(parent, "actual", value=_number(amount))
            _dimension(split, value)


def _document_link(parent: etree._Element, evidence: Evidence) -> None:
    link = etree.SubElement(
        parent, "document-link", url=file_text(evidence.url), format=evidence.format
    )
    _narrative(link, "title", evidence.title)
    etree.SubElement(link, "category", code=RESULTS_DOCUMENT)


# The parts, in the order the file takes them (related-activity comes before result).
PARTS = (RelatedActivities(), ResultsFramework())
