"""Results in the IATI file: each public activity's framework (results, indicators, baselines,
periods with targets and approved actuals, disaggregated as dimensions, evidence as document
links) and its related activities, valid against the 2.03 schema, its codelists and the
Standard's rulesets, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree

from accounts.models import User
from activities.models import Activity, Visibility
from finance import iati as finance_iati
from results import services
from results.models import ActivityRelation, Indicator, RelationType, Update
from tests.factories import ActivityFactory
from tests.finance.test_iati import URL, assert_publishable, export
from tests.knowledge.factories import make_asset
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db

SSC = f"{{{finance_iati.EXTENSION_NS}}}"


def approved(indicator: Indicator, user: User, **data: object) -> Update:
    """An update drafted, submitted and approved through the services."""
    update = services.save_update(
        period=indicator.periods.get(), data=services.UpdateData(**data), user=user
    )
    update = services.submit_update(update=update, user=user)
    return services.approve_update(update=update, user=user)


def women_men(women: str, men: str) -> dict:
    sex = sex_dimension()
    return {value_of(sex, "Women"): Decimal(women), value_of(sex, "Men"): Decimal(men)}


def public_activity(**extra: object) -> Activity:
    return dated(ActivityFactory(visibility=Visibility.PUBLIC, countries=["BR"], **extra))


@pytest.fixture
def reported(focal: User) -> Activity:
    """A public activity whose framework has approved values with evidence, a baseline, and
    relations to a public and an internal activity."""
    activity = public_activity(outcomes="Two cooperatives adopted the storage method.")
    trained, policy = framework(activity)
    trained.baseline_value, trained.baseline_year = Decimal(10), 2024
    trained.baseline_comment = "Trained before the exchange."
    services.save_indicator(indicator=trained)
    public_brief = make_asset(title="Public brief", visibility=Visibility.PUBLIC, user=focal)
    internal_note = make_asset(title="Internal note", user=focal)
    approved(
        trained,
        focal,
        value=Decimal(30),
        parts=women_men("20", "10"),
        evidence_url="https://example.org/attendance.pdf",
        evidence_asset=internal_note,
    )
    approved(trained, focal, value=Decimal("12.5"), parts=women_men("7", "5.5"))
    approved(
        policy,
        focal,
        narrative="The seed law was drafted with the guests.",
        achieved=True,
        evidence_asset=public_brief,
    )
    # Not counted: a draft, and a submitted update waiting for approval.
    services.save_update(
        period=trained.periods.get(), data=services.UpdateData(value=Decimal(500)), user=focal
    )
    waiting = services.save_update(
        period=trained.periods.get(), data=services.UpdateData(value=Decimal(700)), user=focal
    )
    services.submit_update(update=waiting, user=focal)
    programme = ActivityFactory(visibility=Visibility.PUBLIC, ssc_id="SSC-2024-90")
    hidden = ActivityFactory(visibility=Visibility.INTERNAL, ssc_id="SSC-2024-91")
    follow_up = ActivityFactory(visibility=Visibility.PUBLIC, ssc_id="SSC-2024-92")
    for relation in (
        ActivityRelation(activity=activity, type=RelationType.PART_OF, related=programme),
        ActivityRelation(activity=activity, type=RelationType.SCALING_UP_OF, related=hidden),
        ActivityRelation(activity=follow_up, type=RelationType.FOLLOW_UP_OF, related=activity),
    ):
        services.add_relation(relation=relation)
    return activity


def _activity(document: etree._Element, activity: Activity) -> etree._Element:
    identifier = finance_iati.iati_identifier(activity.ssc_id)
    found = document.xpath("iati-activity[iati-identifier=$id]", id=identifier)
    assert len(found) == 1
    return found[0]


def test_the_file_with_results_is_valid_and_passes_the_rulesets(reported: Activity) -> None:
    document = export()
    assert len(document.findall("iati-activity")) == 3  # the internal related one is not
    assert_publishable(document)
    element = _activity(document, reported)
    # The framework replaces the outcomes text: one result, the framework's.
    assert [r.findtext("title/narrative") for r in element.findall("result")] == ["Skills"]
    tags = [child.tag for child in element]
    assert tags.index("related-activity") < tags.index("result") < tags.index(f"{SSC}exchange")


def test_a_quantitative_indicator_carries_its_baseline_targets_and_approved_actuals(
    reported: Activity,
) -> None:
    result = _activity(export(), reported).find("result")
    assert (result.get("type"), result.get("aggregation-status")) == ("2", "0")
    assert result.get(f"{SSC}side") == "receiver"
    indicator = result.xpath("indicator[title/narrative='Farmers trained']")[0]
    assert indicator.attrib == {"measure": "1", "ascending": "1", "aggregation-status": "1"}
    reference = indicator.find("reference")
    assert (reference.get("vocabulary"), reference.get("code")) == ("99", "people-trained")
    baseline = indicator.find("baseline")
    assert (baseline.get("year"), baseline.get("value")) == ("2024", "10")
    assert baseline.findtext("comment/narrative") == "Trained before the exchange."
    period = indicator.find("period")
    assert period.find("period-start").get("iso-date") == "2025-01-01"
    assert period.find("period-end").get("iso-date") == "2025-12-31"

    def values(tag: str) -> list[tuple[str, str | None]]:
        return [
            (
                e.get("value"),
                e.find("dimension").get("value") if len(e.xpath("dimension")) else None,
            )
            for e in period.findall(tag)
        ]

    assert values("target") == [("100", None), ("60", "Women"), ("40", "Men")]
    # The two approved updates add up (cumulative); the draft and the submitted one do not.
    assert values("actual") == [("42.5", None), ("27", "Women"), ("15.5", "Men")]
    assert {d.get("name") for d in period.iter("dimension")} == {"Sex"}
    # Evidence: the link given; the internal knowledge asset is not published.
    links = period.findall("actual/document-link")
    assert [(d.get("url"), d.get("format")) for d in links] == [
        ("https://example.org/attendance.pdf", "application/pdf")
    ]
    assert links[0].find("category").get("code") == "A08"


def test_a_qualitative_indicator_reports_its_narrative_without_values(reported: Activity) -> None:
    result = _activity(export(), reported).find("result")
    indicator = result.xpath("indicator[title/narrative='Seed law drafted']")[0]
    assert indicator.get("measure") == "5"
    assert indicator.find("reference") is None  # no core indicator adopted
    assert indicator.find("baseline") is None
    actual = indicator.find("period/actual")
    assert actual.get("value") is None
    assert actual.findtext(f"{SSC}achieved") == "true"
    assert actual.findtext("comment/narrative") == "The seed law was drafted with the guests."
    link = actual.find("document-link")
    assert link.get("url") == "https://example.org/asset"  # the public asset's address
    assert link.findtext("title/narrative") == "Public brief"


def test_related_activities_name_public_ones_with_their_iati_type(reported: Activity) -> None:
    document = export()
    related = [
        (e.get("ref"), e.get("type"))
        for e in _activity(document, reported).findall("related-activity")
    ]
    assert related == [
        ("XM-DAC-988-SSC-2024-90", "1"),  # the programme it is part of: its parent
        ("XM-DAC-988-SSC-2024-92", "3"),  # a follow-up of it: a sibling
    ]
    programme = Activity.objects.get(ssc_id="SSC-2024-90")
    children = _activity(document, programme).findall("related-activity")
    assert [(e.get("ref"), e.get("type")) for e in children] == [
        (finance_iati.iati_identifier(reported.ssc_id), "2")
    ]


def test_an_activity_without_a_framework_keeps_its_outcomes_result(focal: User) -> None:
    public_activity(outcomes="Two cooperatives adopted the storage method.")
    element = export().find("iati-activity")
    assert element.findtext("result/description/narrative").startswith("Two coop")
    assert_publishable(element.getparent())


def test_unapproved_and_revised_values_stay_out_of_the_file(focal: User) -> None:
    activity = public_activity()
    trained, _policy = framework(activity)
    first = approved(trained, focal, value=Decimal(30))
    revision = services.revise_update(update=first, user=focal, reason="Counted twice")
    revision = services.save_update(
        period=revision.period,
        update=revision,
        data=services.UpdateData(value=Decimal(20)),
        user=focal,
    )
    actual = export().find(".//indicator[@measure='1']/period/actual")
    assert actual.get("value") == "30"  # the revision waits for approval
    services.approve_update(update=services.submit_update(update=revision, user=focal), user=focal)
    actual = export().find(".//indicator[@measure='1']/period/actual")
    assert actual.get("value") == "20"  # the revised value retired


def test_a_quantitative_indicator_without_target_or_baseline_value_omits_them(
    focal: User,
) -> None:
    """Rules 8.8.1 and 8.9.1: a measured baseline or target needs a value."""
    activity = public_activity()
    trained, _policy = framework(activity)
    trained.baseline_year = 2024  # a year, no value
    services.save_indicator(indicator=trained)
    period = trained.periods.get()
    period.target_value = None
    services.save_period(period=period, target_parts={})
    document = export()
    assert_publishable(document)
    indicator = document.find(".//indicator[@measure='1']")
    assert indicator.find("baseline") is None
    assert indicator.find("period/target") is None
    assert indicator.find("period/actual") is None  # nothing approved yet


def test_the_file_makes_a_fixed_number_of_queries_with_frameworks(focal: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            b"".join(Client().get(URL).streaming_content)
        return len(queries)

    def add(number: int) -> None:
        for _ in range(number):
            activity = public_activity()
            trained, policy = framework(activity)
            approved(trained, focal, value=Decimal(3), parts=women_men("2", "1"))
            approved(policy, focal, narrative="Done", achieved=True, evidence_url="https://x.org")
            other = ActivityFactory(visibility=Visibility.PUBLIC)
            services.add_relation(
                relation=ActivityRelation(
                    activity=activity, type=RelationType.PART_OF, related=other
                )
            )

    add(2)
    few = count()
    add(6)
    assert count() == few


def test_a_file_in_several_chunks_keeps_each_activitys_results(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finance_iati, "CHUNK", 2)
    for number in range(5):
        activity = public_activity()
        trained, _policy = framework(activity)
        approved(trained, focal, value=Decimal(number + 1))
    document = export()
    assert_publishable(document)
    actuals = [
        element.find(".//indicator[@measure='1']/period/actual").get("value")
        for element in document.findall("iati-activity")
    ]
    assert actuals == ["1", "2", "3", "4", "5"]
