"""Merging two activities in Chromium: the focal point goes from the report of likely
duplicates to the merge page, compares the two side by side, chooses from the keyboard which to
keep, merges, and lands on the kept activity; the merged one's link leads there too, and its
history stays readable.

Run alone with `pytest -m browser`. Screenshots at 1366 and 390 px wide go to $SCREENSHOT_DIR
(default: the test's tmp_path) as merge_<step>_<width>.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import ActivityMerge, DuplicatePair, PairState
from finance.models import FinancialEntry
from tests.activities.merging import make_merge_pair
from tests.browser.pages import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def _shoot(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"merge_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_focal_point_merges_a_pair_from_the_report_and_reads_the_kept_activity(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    keep, remove = make_merge_pair(focal)
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())  # "Merge the two activities?"
    log_in(page, "focal")
    page.goto("/activities/duplicates/")
    row = page.get_by_role("row").filter(has_text=keep.ssc_id)
    row.get_by_role("link", name="Merge…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merge two activities")
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Ledger lines")).to_contain_text("2")
    expect(table.get_by_role("row").filter(has_text="Countries")).to_contain_text("Peru")
    _shoot(page, screenshots, "compare")

    # From the keyboard: the first record is chosen already; Tab to the button and press it.
    choice = page.get_by_label(f"Keep {keep.ssc_id} {keep.title}", exact=True)
    expect(choice).to_be_checked()
    choice.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Merge the two activities")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text(f"{remove.ssc_id} was merged into {keep.ssc_id}")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{keep.get_absolute_url()}")
    expect(page.get_by_text("Peru")).not_to_have_count(0)
    _shoot(page, screenshots, "kept")
    assert ActivityMerge.objects.get().kept == keep
    assert FinancialEntry.objects.filter(activity=keep).count() == 3

    page.goto(remove.get_absolute_url())
    expect(page).to_have_url(f"{live_server.url}{keep.get_absolute_url()}")
    page.goto(f"/activities/{keep.pk}/history/")
    expect(page.get_by_text(f"Merged {remove.ssc_id} into this activity")).to_be_visible()
    page.get_by_role("link", name=remove.ssc_id).first.click()
    expect(page.get_by_text(f"This activity was merged into {keep.ssc_id}")).to_be_visible()
    _shoot(page, screenshots, "merged_history")

    page.goto("/activities/duplicates/?state=merged")
    expect(page.get_by_role("row").filter(has_text=keep.ssc_id)).to_contain_text("Merged")
    assert DuplicatePair.objects.get().state == PairState.MERGED
