"""The dashboard's charts keep to the Content Security Policy (SECURE_CSP) with their tooltips
shown: ECharts writes the tooltips' styles as the mouse moves.

The `browser` fixture records every violation (a `securitypolicyviolation` listener installed in
each page, and the console); this test hovers the charts and asserts the record is empty. Every
page each role's menu leads to is watched the same way by the menu crawl
(tests/browser/test_menu_crawl.py). Screenshots of the tooltips go to $SCREENSHOT_DIR (default:
the test's tmp_path).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from tests.browser.test_dashboard_flow import CHARTS
from tests.factories import PASSWORD
from tests.finance.dashboard_data import generate_ledger

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# ECharts' tooltip: the chart's child that is not the canvas' layer.
TOOLTIP = "div:not(:has(canvas))"
# Points tried over each chart, as fractions of its width and height.
COLUMNS, ROWS = 12, 5


def _flush(page: Page) -> None:
    """Let violations still queued in the page reach the watch before it is read."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)))")


def _sign_in(page: Page, username: str) -> None:
    """Sign in from the sign-in page, which the page is on."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


class Tooltip(NamedTuple):
    x: float
    y: float
    text: str
    # Per row: its marker's colour and width ("" and 0 without a marker), its value.
    markers: list[tuple[str, float]]
    values: list[str]


# What the chart's tooltip shows, read in one call while it is shown; null when there is none or
# it is hidden. "Shown" as Playwright's is_visible() decides it (checkVisibility, a visible
# computed visibility, a non-empty box): one call per point instead of a count, a visibility
# check and a read, each a round trip to the browser, over the 480 points of the eight charts.
READ_TOOLTIP = """([chart, selector]) => {
  const tip = chart.querySelector(selector);
  if (!tip || !tip.checkVisibility() || getComputedStyle(tip).visibility !== "visible") return null;
  const box = tip.getBoundingClientRect();
  if (!(box.width > 0 && box.height > 0)) return null;
  const rows = [...tip.querySelectorAll(".chart-tip__row")];
  const marker = (row) => row.querySelector(".chart-tip__marker");
  return {
    text: tip.innerText,
    markers: rows.map((row) => marker(row)
      ? [getComputedStyle(marker(row)).backgroundColor, marker(row).getBoundingClientRect().width]
      : ["", 0]),
    values: rows.map((row) => row.querySelector(".chart-tip__value").textContent),
  };
}"""


# The tooltip read once the tasks the mouse's move queued have run: Playwright's move returns
# once the page has handled the event, and ECharts shows or moves its tooltip in its handler
# (read 30 ms later instead, the tooltips found were the same, chart by chart).
READ_TOOLTIP_SOON = f"""async (args) => {{
  await new Promise((done) => setTimeout(done));
  return ({READ_TOOLTIP})(args);
}}"""


def _hover_chart(page: Page, chart: Locator) -> list[Tooltip]:
    """Move the mouse over a grid of points on the chart; answer the tooltips it showed."""
    box = chart.bounding_box()
    assert box is not None
    element = chart.element_handle()
    shown: list[Tooltip] = []
    for row in range(ROWS):
        for column in range(COLUMNS):
            x = box["x"] + box["width"] * (column + 0.5) / COLUMNS
            y = box["y"] + box["height"] * (row + 0.5) / ROWS
            page.mouse.move(x, y, steps=2)
            read = page.evaluate(READ_TOOLTIP_SOON, [element, TOOLTIP])
            if read and read["text"] and (not shown or shown[-1].text != read["text"]):
                shown.append(Tooltip(x, y, read["text"], read["markers"], read["values"]))
    return shown


def _screenshot_a_tooltip(page: Page, chart: Locator, tooltips: list[Tooltip], path: Path) -> bool:
    """Hover again where tooltips came until one is still shown once its card is photographed
    (ECharts hides one 100 ms after the mouse leaves its item: a sweep's point can have caught
    one on its way out)."""
    card = chart.locator("xpath=ancestor::section[1]")
    for tooltip in tooltips:
        page.mouse.move(tooltip.x, tooltip.y, steps=2)
        page.wait_for_timeout(250)
        if chart.locator(TOOLTIP).first.is_visible():
            card.screenshot(path=str(path))
            if chart.locator(TOOLTIP).first.is_visible():
                return True
    return False


def test_dashboard_charts_hovered_keep_to_the_csp(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    browser_problems: list[str],
    screenshots: Path,
    focal: User,
) -> None:
    generate_ledger(activities=200, entries_per_activity=4, seed=21)
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    _sign_in(page, focal.username)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("[data-chart][data-rendered]")).to_have_count(CHARTS)
    hovers = tooltips = 0
    for chart in page.locator("[data-chart]").all():
        slug = chart.get_attribute("data-chart")
        # The whole card in view: its screenshot must not scroll the tooltip away.
        chart.locator("xpath=ancestor::section[1]").scroll_into_view_if_needed()
        shown = _hover_chart(page, chart)
        hovers += COLUMNS * ROWS
        tooltips += len(shown)
        _flush(page)
        assert browser_problems == [], f"over the {slug} chart"
        # Each reads as ECharts' own tooltips did: a round coloured marker, a label and a value.
        marked = [tooltip for tooltip in shown if any(width for _, width in tooltip.markers)]
        assert marked, f"no tooltip with a marker over the {slug} chart: {shown[:1]}"
        for tooltip in shown:
            assert all(tooltip.values), tooltip
            for colour, width in tooltip.markers:
                # The map scales the tooltip by a hair: 10.00006 px is the 10 px marker.
                assert round(width) in (0, 10), tooltip
                assert not width or colour != "rgba(0, 0, 0, 0)", tooltip
        shot = screenshots / f"dashboard-tooltip-{slug}.png"
        assert _screenshot_a_tooltip(page, chart, marked, shot), f"{slug}: no tooltip stayed"
        print(f"{slug}: {len(shown)} tooltips, {len(marked)} with markers, e.g. {marked[0].text!r}")
    print(f"{hovers} hovers over {CHARTS} charts, {tooltips} tooltips")
    assert browser_problems == []
