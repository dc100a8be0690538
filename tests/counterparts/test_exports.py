"""The sides' confirmation in every export: the workbook (a column its import ignores), the
consolidated report's activity table, and the IATI file (the summary and each side's state in
the portal's namespace, the file still valid); a disputed activity marked DISPUTED in each."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Agreement, CountryRole, PartnerRole, Visibility
from activities.services import create_activity
from counterparts import services
from counterparts.models import Confirmation
from finance import rollups
from finance import services as ledger
from finance.export import ACTIVITY_SHEET_HEADER, DISPUTED_MARKER, build_workbook
from finance.iati import EXTENSION_NS
from finance.importer import import_legacy_workbook
from finance.models import FinancialEntry
from tests.factories import activity_data
from tests.finance.test_iati import assert_publishable, export

pytestmark = pytest.mark.django_db
NS = {"ssc": EXTENSION_NS}


def ledger_count() -> int:
    return FinancialEntry.objects.count()


@pytest.fixture
def disputed(cpm: User, partner_org, counterpart_user: User, partner_user: User) -> Activity:
    """A public activity with money, whose Mozambican side disputes the dates."""
    activity = create_activity(
        data=activity_data(
            countries=["BR", ("MZ", CountryRole.RECEIVER)],
            partners=[(partner_org, [PartnerRole.HOST])],
            planned_start=datetime.date(2024, 3, 1),
            planned_end=datetime.date(2024, 9, 30),
            responsible_cpm=cpm,
            visibility=Visibility.PUBLIC,
            outcomes="Two cooperatives adopted the practice.",
        ),
        user=cpm,
    )
    ledger.record_entries(
        activity=activity,
        entries=[
            ledger.EntryData(
                kind="ifad_grant",
                stage="allocated",
                amount=Decimal(5000),
                currency="USD",
                value_date=datetime.date(2024, 3, 15),
            )
        ],
        user=cpm,
        expected_version=None,
    )
    moz = Confirmation.objects.get(activity=activity, country_link__country__iso2="MZ")
    services.dispute(
        confirmation=moz,
        user=counterpart_user,
        fields=["dates"],
        comment="October.",
        expected_version=moz.version,
    )
    org = Confirmation.objects.get(activity=activity, partner_link__isnull=False)
    services.confirm(confirmation=org, user=partner_user, expected_version=org.version)
    activity.refresh_from_db()
    assert activity.agreement == Agreement.DISPUTED
    return activity


def test_the_workbook_marks_a_disputed_activity_and_its_import_ignores_the_column(
    disputed: Activity, focal: User
) -> None:
    data = build_workbook(Activity.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Activities"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Confirmation" == ACTIVITY_SHEET_HEADER[-1]
    assert rows[1][0] == disputed.ssc_id and rows[1][-1] == DISPUTED_MARKER
    before = (Activity.objects.values_list("pk", "version", "agreement").get(), ledger_count())
    summary = import_legacy_workbook(
        handle=io.BytesIO(data), filename="ssc.xlsx", user=focal, dry_run=False
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert summary.warnings == []
    after = (Activity.objects.values_list("pk", "version", "agreement").get(), ledger_count())
    assert after == before


def test_the_reports_activity_table_marks_a_disputed_activity(
    disputed: Activity, focal: User, client_for
) -> None:
    rollups.rebuild_all()
    client: Client = client_for(focal)
    response = client.get(reverse("finance:dashboard_table", args=["top", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[0] == disputed.ssc_id
    assert row[header.index("Confirmation")] == DISPUTED_MARKER


def test_the_iati_file_marks_a_disputed_activity_and_stays_valid(disputed: Activity) -> None:
    document = export()
    activity = document.find("iati-activity")
    assert activity is not None
    agreement = activity.find("ssc:exchange/ssc:agreement", NS)
    assert agreement.get("state") == "disputed" and agreement.text == DISPUTED_MARKER
    sides = {
        (side.get("country") or side.text, side.get("role"), side.get("state"))
        for side in activity.findall("ssc:sides/ssc:side", NS)
    }
    assert sides == {
        ("BR", "provider", "proposed"),
        ("MZ", "receiver", "disputed"),
        (disputed.partner_links.get().partner.name, "host", "confirmed"),
    }
    # Our namespace's elements come after IATI's, the fallback result included.
    tags = [child.tag for child in activity]
    assert tags.index("result") < tags.index(f"{{{EXTENSION_NS}}}sides")
    assert_publishable(document)


def test_an_activity_without_sides_says_so_in_the_file(disputed: Activity) -> None:
    Activity.objects.filter(pk=disputed.pk).update(agreement=Agreement.NONE)
    Confirmation.objects.all().delete()
    activity = export().find("iati-activity")
    agreement = activity.find("ssc:exchange/ssc:agreement", NS)
    assert agreement.get("state") == "none" and agreement.text is None
    assert activity.find("ssc:sides", NS) is None
