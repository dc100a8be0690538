"""No page breaks the Content Security Policy (SECURE_CSP): every page each role's menu leads to,
and the dashboard's charts with their tooltips shown.

The `browser` fixture records every violation (a `securitypolicyviolation` listener installed in
each page, and the console); these tests walk the pages and assert the record is empty.
Screenshots of the tooltips go to $SCREENSHOT_DIR (default: the test's tmp_path).

The roles' walks share their data (`csp_site`): one account per role, a generated ledger and a
public knowledge asset of each account's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from activities.models import Visibility
from tests.browser.conftest import shared_site
from tests.browser.test_dashboard_flow import CHARTS
from tests.factories import PASSWORD, ROLE_USERS, make_partner_org, make_role_user
from tests.finance.dashboard_data import generate_ledger
from tests.knowledge.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The menus: the main navigation, the user menu and the footer.
MENUS = "nav.main-nav a, .user-menu__panel a, .site-footer a"
# Links followed from the pages visited, beyond the menus: the first of each kind, wherever it is.
DEEPER = [
    re.compile(r"^/activities/\d+/$"),
    re.compile(r"^/activities/\d+/finance/$"),
    re.compile(r"^/activities/\d+/history/$"),
    re.compile(r"^/activities/new/$"),
    re.compile(r"^/partners/\d+/$"),
    re.compile(r"^/knowledge/assets/\d+/$"),
    re.compile(r"^/dashboard/reports/$"),
    re.compile(r"^/api/docs/$"),
    re.compile(r"^/people/\d+/$"),
]
# What each role must have reached: the pages the issue names, as far as the role may see them.
EVERYONE = [r"/accounts/login/", r"/activities/", r"/activities/\d+/", r"/activities/\d+/finance/"]
EVERYONE += [r"/knowledge/", r"/knowledge/assets/\d+/", r"/accounts/tokens/", r"/api/docs/"]
STAFF = [*EVERYONE, r"/dashboard/", r"/dashboard/reports/"]
REACHED = {
    # The focal point manages people in the portal; the Django admin is in no menu but a
    # superuser's.
    "focal": [*STAFF, r"/finance/rates/", r"/finance/imports/", r"/people/", r"/people/\d+/"],
    "cpm": STAFF,
    "viewer": STAFF,
    "partner_user": EVERYONE,
}
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


# The links under a selector, once violations still queued in the page have reached the watch
# (as _flush): one call to the browser per page visited.
FLUSHED_LINKS = """async (selector) => {
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)));
  return Array.from(document.querySelectorAll(selector), (a) => a.href);
}"""


def _same_site_paths(page: Page, selector: str) -> list[str]:
    hrefs: list[str] = page.evaluate(FLUSHED_LINKS, selector)
    base = urlsplit(page.url).netloc
    return [urlsplit(href).path for href in hrefs if urlsplit(href).netloc == base]


def _walk(page: Page) -> list[str]:
    """Visit the menus' pages, then the first link of each DEEPER kind found on them."""
    menu = list(dict.fromkeys(_same_site_paths(page, MENUS)))
    to_visit = list(menu)
    visited: list[str] = []
    kinds_left = list(DEEPER)
    while to_visit:
        path = to_visit.pop(0)
        if path in visited:
            continue
        page.goto(path)
        visited.append(path)
        for found in _same_site_paths(page, "main a"):
            kind = next((k for k in kinds_left if k.match(found)), None)
            if kind is not None:
                kinds_left.remove(kind)
                to_visit.append(found)
    return visited


# The accounts of the walks, by the name of the role in REACHED (tests.factories.ROLE_USERS).
ACCOUNTS = {"focal": "focal", "cpm": "cpm", "viewer": "viewer", "partner_user": "partner"}


def _make_the_walks_data() -> None:
    partner = make_partner_org()
    users = [
        make_role_user(account, partner=partner if account == "partner" else None)
        for account in ACCOUNTS.values()
    ]
    generate_ledger(activities=30, entries_per_activity=3, seed=5)
    for user in users:
        make_asset(visibility=Visibility.PUBLIC, user=user)


@pytest.fixture
def csp_site(request: pytest.FixtureRequest) -> Iterator[str]:
    """The walks' data, made once for all the roles (tests.browser.conftest.shared_site)."""
    yield from shared_site(request, _make_the_walks_data)


@pytest.mark.parametrize("role", list(REACHED))
def test_every_page_a_roles_menu_leads_to_keeps_to_the_csp(
    role: str,
    csp_site: str,
    browser: Browser,
    browser_problems: list[str],
) -> None:
    username = ROLE_USERS[ACCOUNTS[role]]["username"]
    page = browser.new_page(base_url=csp_site)
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    _flush(page)
    _sign_in(page, username)
    visited = ["/accounts/login/", *_walk(page)]
    print(f"{role}: {len(visited)} pages: {' '.join(visited)}")
    for expected in REACHED[role]:
        assert any(re.fullmatch(expected, path) for path in visited), expected
    assert browser_problems == []


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
