"""The sample workbook's "Other contributors" labels, end to end in Chromium: after the import
the focal point finds four contributor groups carrying the US$ 2,332,000 of cofinancing, no
fake partner; splits the New Delhi conference's group between two governments through the
confirmation step; the activity's page shows the partners and the same totals.

Run alone with `pytest -m browser`. Screenshots at 1366 and 390 px wide go to $SCREENSHOT_DIR
(default: the test's tmp_path) as groups_<step>_<width>.png.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity, Partner, PartnerType
from finance.importer import import_legacy_workbook
from finance.models import FinancialEntry
from tests.browser.pages import log_in
from tests.factories import PartnerFactory, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
WIDTHS = (1366, 390)


def _shoot(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"groups_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _cofinancing() -> Decimal:
    return FinancialEntry.objects.filter(kind="cofinancing", stage="allocated").aggregate(
        total=Sum("amount_usd")
    )["total"]


def test_the_sample_groups_are_listed_and_one_is_split(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    brazil = PartnerFactory(
        name="Ministry of Agriculture", type=PartnerType.GOVERNMENT, country=country("BR")
    )
    china = PartnerFactory(
        name="International Poverty Reduction Center in China",
        acronym="IPRCC",
        type=PartnerType.GOVERNMENT,
        country=country("CN"),
    )
    with open(SAMPLE, "rb") as handle:
        import_legacy_workbook(handle=handle, filename="sample.xlsx", user=focal, dry_run=False)
    assert not Partner.objects.exclude(pk__in=[brazil.pk, china.pk]).exists()
    assert _cofinancing() == Decimal("2332000")

    page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(30_000)
    log_in(page, "focal")
    page.get_by_role("navigation", name="Main").get_by_text("Manage").click()
    page.get_by_role("link", name="Contributor groups", exact=True).click()
    expect(page.get_by_role("heading", name="Money not yet split")).to_contain_text(
        "US$ 4,664,000.00 in all"  # planned and allocated
    )
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Other contributors (FAO)")).to_contain_text("SSC-2007-02")
    delhi = rows.filter(has_text="SSC-2010-01")
    expect(delhi).to_contain_text("Other contributors (Brazil, China, India, South Africa)")
    expect(delhi).to_contain_text(
        "International Poverty Reduction Center in China (IPRCC); Ministry of Agriculture"
    )
    _shoot(page, screenshots, "list")

    delhi.get_by_role("link", name="Split").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Split")
    # The members, by name, then empty rows for any other organization.
    expect(page.get_by_label("Partner 2", exact=True)).to_have_value(
        "Ministry of Agriculture — Brazil"
    )
    expect(page.get_by_label("Partner 3", exact=True)).to_have_value("")
    for field in page.get_by_label("Partner 1:").all():
        field.fill("260000")
    for field in page.get_by_label("Partner 2:").all():
        field.fill("300 000")
    _shoot(page, screenshots, "form")
    page.get_by_role("button", name="Check the split").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirm")
    expect(page.get_by_role("row").filter(has_text="IPRCC").first).to_contain_text("260,000.00")
    _shoot(page, screenshots, "confirm")
    assert not FinancialEntry.objects.filter(contributor__isnull=False).exists()

    page.get_by_role("button", name="Split the money").click()
    expect(page.get_by_text("was split: each part is a line of its partner")).to_be_visible()
    sheet = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Planned (US$)")
    )
    expect(sheet.get_by_role("row").filter(has_text="Ministry of Agriculture")).to_contain_text(
        "300,000.00"
    )
    expect(sheet).not_to_contain_text("Group, not yet split")
    _shoot(page, screenshots, "split")
    delhi_activity = Activity.objects.get(ssc_id="SSC-2010-01")
    assert _cofinancing() == Decimal("2332000")
    assert FinancialEntry.objects.filter(
        activity=delhi_activity, contributor=china, stage="allocated"
    ).get().amount == Decimal("260000")
