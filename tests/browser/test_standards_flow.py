"""The focal point builds a TOSSD extract and finds the problems listed by activity, then an
SDG 17.3.1 file; Mozambique's counterpart builds its own slice and downloads it.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path): standards_refused.png, standards_done.png, standards_counterpart.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from standards.models import StandardsExport
from tests.factories import PASSWORD
from tests.standards.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_page(base_url=base_url)
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_standards_reporting_in_the_browser(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
    counterpart_user: User,
) -> None:
    world = build_world(focal, untyped=True)
    assert world.untyped is not None
    page = sign_in(browser, live_server.url, "focal")
    page.get_by_role("link", name="Standards reporting").click()
    expect(page.get_by_role("heading", name="Standards reporting", level=1)).to_be_visible()
    expect(page.get_by_text("No exports yet")).to_be_visible()
    page.get_by_label("Export", exact=True).select_option("tossd")
    page.get_by_label("Format", exact=True).select_option("csv")
    page.get_by_role("button", name="Start").click()
    page.get_by_role("link", name="1 problem to fix").click()
    expect(page.get_by_role("cell", name=world.untyped.ssc_id)).to_be_visible()
    expect(page.get_by_text("type of aid (its activity type) is missing.")).to_be_visible()
    page.screenshot(path=str(screenshots / "standards_refused.png"), full_page=True)

    page.get_by_role("link", name="Standards reporting").first.click()
    page.get_by_label("Export", exact=True).select_option("sdg1731")
    page.get_by_label("From fiscal year").fill("2024")
    page.get_by_role("button", name="Start").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename.startswith("ssc-sdg1731-")
    page.screenshot(path=str(screenshots / "standards_done.png"), full_page=True)

    other = sign_in(browser, live_server.url, "counterpart")
    other.get_by_role("link", name="Standards reporting").click()
    expect(other.get_by_text("where Mozambique is the provider")).to_be_visible()
    expect(other.get_by_label("Country taking part")).to_have_count(0)
    other.get_by_role("button", name="Start").click()
    with other.expect_download() as slice_download:
        other.get_by_role("link", name="Download").first.click()
    assert slice_download.value.suggested_filename.endswith(".xlsx")
    other.screenshot(path=str(screenshots / "standards_counterpart.png"), full_page=True)
    assert StandardsExport.objects.filter(requested_by=counterpart_user).get().slice_country_id
