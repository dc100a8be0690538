"""The IATI file takes its codes from the one code-mapping layer (finance.codebook): what the
focal point changes on the codes page is in the next file, and the file stays valid; in-kind
lines say their unit, quantity and how they were valued."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from accounts.models import User
from activities.models import Activity, ActivityType, Modality, Visibility
from finance import codebook, iati, services
from finance.models import CodeScheme, ContributionKind, InKindUnit, Stage, ValuedBy
from tests.factories import ActivityFactory, PartnerFactory, country, theme
from tests.finance.test_iati import NS, assert_publishable, export

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 15)


def _money(activity: Activity, user: User, *lines: services.EntryData) -> None:
    services.record_entries(activity=activity, entries=lines, user=user, expected_version=None)


def _grant(stage: str = Stage.ALLOCATED) -> services.EntryData:
    return services.EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=stage,
        amount=Decimal("1000"),
        currency="USD",
        value_date=DAY,
    )


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(
        visibility=Visibility.PUBLIC,
        modality=Modality.SOUTH_SOUTH,
        activity_type=ActivityType.TECHNICAL_ASSISTANCE,
        themes=[theme(1), theme(2)],
    )


def _only(document: etree._Element) -> etree._Element:
    [element] = document.findall("iati-activity")
    return element


def test_the_defaults_of_the_codebook_are_in_the_file(activity: Activity, focal: User) -> None:
    _money(activity, focal, _grant())
    document = export()
    assert_publishable(document)
    element = _only(document)
    book = codebook.CodeBook.load()
    assert element.find("collaboration-type").get("code") == "4"  # South-South: multilateral
    aid = element.find("default-aid-type")
    assert (aid.get("code"), aid.get("vocabulary")) == ("D01", "1")  # experts deployed
    assert element.find("transaction/finance-type").get("code") == "110"
    sectors = {s.get("code") for s in element.findall("sector[@vocabulary='1']")}
    assert sectors == {book.purpose(theme(1).pk), book.purpose(theme(2).pk)}
    targets = [t.get("code") for t in element.findall("tag[@vocabulary='3']")]
    assert targets == sorted({book.sdg_target(theme(1).pk), book.sdg_target(theme(2).pk)})


def test_a_focal_points_changed_mapping_shows_up_in_the_next_file(
    activity: Activity, focal: User
) -> None:
    _money(activity, focal, _grant())
    for scheme, value, code in (
        (CodeScheme.AID_TYPE, ActivityType.TECHNICAL_ASSISTANCE, "D02"),
        (CodeScheme.FINANCE_TYPE, ContributionKind.IFAD_GRANT, "422"),
        (CodeScheme.COLLABORATION, Modality.SOUTH_SOUTH, "1"),
    ):
        codebook.set_category_code(scheme=scheme, value=value, code=code, user=focal)
    codebook.set_theme_code(theme=theme(1), scheme=CodeScheme.DAC_PURPOSE, code="31182", user=focal)
    codebook.set_theme_code(theme=theme(2), scheme=CodeScheme.DAC_PURPOSE, code="31182", user=focal)
    codebook.set_theme_code(theme=theme(1), scheme=CodeScheme.SDG_TARGET, code="17.9", user=focal)
    codebook.set_theme_code(theme=theme(2), scheme=CodeScheme.SDG_TARGET, code="8.10", user=focal)
    document = export()
    assert_publishable(document)
    element = _only(document)
    assert element.find("default-aid-type").get("code") == "D02"
    assert element.find("transaction/finance-type").get("code") == "422"
    assert element.find("collaboration-type").get("code") == "1"
    dac = [(s.get("code"), s.get("percentage")) for s in element.findall("sector[@vocabulary='1']")]
    assert dac == [("31182", "100.00")]  # both themes share the code: summed
    targets = [t.get("code") for t in element.findall("tag[@vocabulary='3']")]
    assert targets == ["8.10", "17.9"]  # in the SDGs' order, not the text's


def test_an_activity_without_a_type_has_no_default_aid_type() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC, activity_type="")
    document = export()
    assert_publishable(document)
    assert _only(document).find("default-aid-type") is None


def test_in_kind_lines_carry_unit_quantity_and_how_they_were_valued(
    activity: Activity, focal: User
) -> None:
    embrapa = PartnerFactory(name="Embrapa", country=country("BR"))
    in_kind = {
        "kind": ContributionKind.IN_KIND,
        "stage": Stage.ALLOCATED,
        "currency": "USD",
        "value_date": DAY,
        "contributor": embrapa,
    }
    _money(
        activity,
        focal,
        _grant(),
        services.EntryData(
            **in_kind,  # type: ignore[arg-type]
            amount=None,
            unit=InKindUnit.VENUE_DAYS,
            quantity=Decimal("12"),
            valued_by=ValuedBy.NOT_VALUED,
        ),
        services.EntryData(
            **in_kind,  # type: ignore[arg-type]
            amount=Decimal("3000"),
            unit=InKindUnit.EXPERT_DAYS,
            quantity=Decimal("10"),
            valued_by=ValuedBy.ACTUAL_COST,
        ),
    )
    document = export()
    assert_publishable(document)
    lines = sorted(
        (e.get("unit"), e.get("quantity"), e.get("valued-by"), e.get("amount"))
        for e in document.iterfind(".//ssc:in-kind", NS)
    )
    assert lines == [
        ("expert_days", "10.00", "actual_cost", "3000.00"),
        ("venue_days", "12.00", "not_valued", "0.00"),  # no money, still given
    ]
    # In-kind has no IATI transaction: only the grant's commitment.
    assert [t.find("transaction-type").get("code") for t in document.iter("transaction")] == ["2"]


def test_the_codebook_is_read_once_per_file_not_per_activity(focal: User) -> None:
    for number in range(3):
        ActivityFactory(visibility=Visibility.PUBLIC, ssc_id=f"SSC-2024-0{number}")
    with CaptureQueriesContext(connection) as three:
        b"".join(iati.export_iati(Activity.objects.all()))
    for number in range(3, 9):
        ActivityFactory(visibility=Visibility.PUBLIC, ssc_id=f"SSC-2024-0{number}")
    with CaptureQueriesContext(connection) as nine:
        b"".join(iati.export_iati(Activity.objects.all()))
    assert len(nine) == len(three)
    codes = [q["sql"] for q in nine.captured_queries if "finance_themecode" in q["sql"]]
    assert len(codes) == 1
