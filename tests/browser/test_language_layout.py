"""The pages' layout in French, Spanish and Arabic (a browser asking for the language): the
header keeps two rows at 1,366 pixels whatever the labels' length and folds behind its button at
390; the flows chart runs from the right in Arabic; the People list fits a phone with a long
e-mail address; and text written in another direction lines up with the Arabic page.

Screenshots: layout-<language>-<page>-<width>.png in $SCREENSHOT_DIR.

The tests share one copy of the demo (`demo_site`): they only read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity
from tests.browser.pages import demo_activity_with_money, sign_in_as_demo_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("demo_site"),
]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGE_WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The header's height and its rows: its shown items side by side share a middle line (they are
# centred on their row); the main menu adds a row for each line its own links wrap onto.
HEADER = """() => {
  const header = document.querySelector(".site-header__inner");
  const middles = new Set();
  for (const item of header.children) {
    const box = item.getBoundingClientRect();
    if (box.height) middles.add(Math.round(box.top + box.height / 2));
  }
  const links = document.querySelectorAll(".main-nav > ul > li");
  const tops = new Set(Array.from(links, (link) => Math.round(link.getBoundingClientRect().top)));
  return [header.getBoundingClientRect().height, middles.size + Math.max(tops.size - 1, 0)];
}"""
# Where the flows chart drew its columns: [the providers' x, the receivers' x], each a list.
FLOW_COLUMNS = """() => {
  const chart = echarts.getInstanceByDom(document.querySelector("[data-chart='flows']"));
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const columns = { p: [], r: [] };
  for (let index = 0; index < data.count(); index++) {
    columns[data.getName(index).charAt(0)].push(data.getItemLayout(index).x);
  }
  return [columns.p, columns.r];
}"""
# The right edge of an element's text (not of its box), and of the page's content.
TEXT_RIGHT = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return [range.getBoundingClientRect().right, element.getBoundingClientRect().right];
}"""


def _open(browser: Browser, demo_site: str, language: str, viewport: dict[str, int]) -> Page:
    page = browser.new_page(base_url=demo_site, viewport=viewport, locale=language)
    page.set_default_timeout(20_000)
    sign_in_as_demo_user(page, "focal")
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def test_the_header_holds_on_two_rows_in_every_language_and_folds_on_a_phone(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    english = _open(browser, demo_site, "en", WIDE)
    english.goto("/activities/")
    height, rows = english.evaluate(HEADER)
    english.close()
    row = height / rows
    for language in ("en", "fr", "es", "ar"):
        page = _open(browser, demo_site, language, WIDE)
        page.goto("/activities/")
        height, rows = page.evaluate(HEADER)
        page.screenshot(path=str(screenshots / f"layout-{language}-header-1366.png"))
        assert rows <= 2 and height <= 2 * row + 1, f"{language}: {rows} rows, {height} px"
        # The keyboard meets the user's links, then the menu; the "Manage" group opens inside
        # the window.
        page.locator(".lang-menu summary").focus()
        page.keyboard.press("Tab")
        expect(page.locator(".main-nav a").first).to_be_focused()
        group = page.locator(".nav-group summary")
        group.focus()
        page.keyboard.press("Enter")
        panel = page.locator(".nav-group__panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDE["width"]
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()

        page.set_viewport_size(PHONE)
        widths = page.evaluate(PAGE_WIDTHS)
        assert widths[0] <= widths[1], f"{language}: the header scrolls sideways: {widths}"
        toggle = page.locator(".nav-toggle")
        expect(page.locator(".main-nav")).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".main-nav a").first).to_be_visible()
        page.screenshot(path=str(screenshots / f"layout-{language}-menu-390.png"))
        page.keyboard.press("Escape")
        expect(page.locator(".main-nav")).to_be_hidden()
        page.close()


def test_the_flows_chart_runs_from_the_right_in_arabic(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    for language in ("en", "ar"):
        page = _open(browser, demo_site, language, WIDE)
        page.goto("/dashboard/")
        chart = page.locator("[data-chart='flows'][data-rendered='true']")
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        providers, receivers = page.evaluate(FLOW_COLUMNS)
        assert providers and receivers
        if language == "ar":
            assert min(providers) > max(receivers), (providers, receivers)
        else:
            assert max(providers) < min(receivers), (providers, receivers)
        chart.screenshot(path=str(screenshots / f"layout-{language}-flows-1366.png"))
        page.close()


def test_the_people_list_fits_a_phone_with_a_long_address(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    address = (
        "first.second-family-name.longer@ministry-of-agriculture-and-rural-development.example.org"
    )
    with _address_for_a_while("viewer", address):
        for language in ("en", "ar"):
            _check_the_people_list(browser, demo_site, screenshots, language, address)


@contextmanager
def _address_for_a_while(username: str, address: str) -> Iterator[None]:
    """A demo account's e-mail address changed, and put back after (the demo is shared)."""
    account = User.objects.filter(username=username)
    before = account.get().email
    account.update(email=address)
    try:
        yield
    finally:
        account.update(email=before)


def _check_the_people_list(
    browser: Browser, demo_site: str, screenshots: Path, language: str, address: str
) -> None:
    page = _open(browser, demo_site, language, PHONE)
    page.goto("/people/?q=viewer")
    cell = page.get_by_text(address)
    expect(cell).to_be_visible()
    table = page.locator(".table-wrap")
    sizes = table.evaluate("(wrap) => [wrap.scrollWidth, wrap.clientWidth]")
    assert sizes[0] <= sizes[1], f"{language}: the people table scrolls sideways: {sizes}"
    widths = page.evaluate(PAGE_WIDTHS)
    assert widths[0] <= widths[1], f"{language}: the page scrolls sideways: {widths}"
    page.screenshot(path=str(screenshots / f"layout-{language}-people-390.png"), full_page=True)
    page.close()


def test_text_in_its_own_direction_lines_up_with_the_arabic_page(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    activity = Activity.objects.filter(title__regex=r"^[A-Za-z]").order_by("pk").first()
    assert activity is not None
    page = _open(browser, demo_site, "ar", WIDE)
    page.goto(f"/activities/{activity.pk}/")
    # The title, written in English, reads left to right and ends on the right, as the page.
    title = page.locator(".page-header h1")
    assert title.evaluate("(h1) => getComputedStyle(h1).direction") == "ltr"
    page.screenshot(path=str(screenshots / "layout-ar-activity-1366.png"))
    text_right, box_right = title.evaluate(TEXT_RIGHT)
    assert box_right - text_right < 2, (text_right, box_right)
    # A search result's English snippet: left to right inside, on the right of the page.
    page.goto("/knowledge/?q=water")
    snippet = page.locator(".result__snippet").first
    expect(snippet).to_be_visible()
    style = snippet.evaluate(
        "(p) => [getComputedStyle(p).direction, getComputedStyle(p).textAlign]"
    )
    assert style == ["ltr", "right"], style
    page.screenshot(path=str(screenshots / "layout-ar-search-1366.png"), full_page=True)
    page.close()


# The right end of each line of an element's text (a line of mixed scripts is several boxes),
# and the element's own right edge.
LINE_ENDS = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const ends = new Map();
  for (const box of range.getClientRects()) {
    const line = Math.round(box.top);
    ends.set(line, Math.max(ends.get(line) || 0, box.right));
  }
  return [Array.from(ends.values()), element.getBoundingClientRect().right];
}"""


def test_the_inbox_lines_start_on_the_right_on_an_arabic_phone(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=demo_site, viewport=PHONE, locale="ar")
    page.set_default_timeout(20_000)
    sign_in_as_demo_user(page, "counterpart")
    page.goto("/inbox/")
    page.screenshot(path=str(screenshots / "layout-ar-inbox-390.png"), full_page=True)
    wrapped = 0
    for button in page.locator(".inbox-line .link-button").all():
        lines, right = button.evaluate(LINE_ENDS)
        wrapped += len(lines) > 1
        assert all(right - end < 2 for end in lines), (lines, right)
    assert wrapped, "no notification wraps at this width: the test shows nothing"
    widths = page.evaluate(PAGE_WIDTHS)
    assert widths[0] <= widths[1], f"the inbox scrolls sideways: {widths}"


def test_the_related_activities_are_cards_on_an_arabic_phone(
    browser: Browser,
    demo_site: str,
    screenshots: Path,
) -> None:
    activity = demo_activity_with_money()
    page = _open(browser, demo_site, "ar", PHONE)
    page.goto(f"/activities/{activity.pk}/results/")
    row = page.locator(".table--cards tbody tr").first
    expect(row).to_be_visible()
    tops = row.locator("td").evaluate_all(
        "(cells) => cells.map((c) => c.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == len(tops), f"the cells share a line: {tops}"
    sizes = page.locator(".table-wrap").first.evaluate("(w) => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] <= sizes[1], sizes
    page.screenshot(path=str(screenshots / "layout-ar-results-390.png"), full_page=True)
