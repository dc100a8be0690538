"""In Arabic the portal reads right to left (issue 23, item 4): the page mirrors (the brand and
the menu start on the right, table columns run from the right, the phone menu's button sits on
the left), while figures and codes stay left to right, and axe finds nothing serious; the
dashboards' charts mirror too. The language is chosen with the switcher, with the keyboard, and
the choice follows the user.

Screenshots go to $SCREENSHOT_DIR (default: the test's tmp_path) as rtl-<page>-<width>.png
(whole pages) and rtl-<page>-<width>-top.png (the first screen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.browser.pages import demo_activity_with_money, sign_in_as_demo_user
from tests.browser.test_accessibility import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ALL_LANGUAGES = [("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic")]
PAGE_WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# [xAxis inverse, yAxis position] of each drawn chart that has axes.
CHART_AXES = """() => Array.from(document.querySelectorAll("[data-chart][data-rendered='true']"))
  .map((element) => echarts.getInstanceByDom(element).getOption())
  .filter((option) => option.xAxis && option.xAxis.length)
  .map((option) => [option.xAxis[0].inverse, option.yAxis[0].position])"""


@pytest.fixture
def every_language(settings: Any) -> None:
    settings.LANGUAGES = ALL_LANGUAGES
    settings.LANGUAGE_COOKIE_SECURE = False  # the live server speaks plain http


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _choose_with_the_keyboard(page: Page, name: str) -> None:
    """Open the switcher and press the language's button, without the mouse."""
    page.locator(".lang-menu summary").focus()
    page.keyboard.press("Enter")
    button = page.locator(".lang-menu button", has_text=name)
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def _shoot(page: Page, screenshots: Path, name: str, width: int) -> None:
    page.screenshot(path=str(screenshots / f"rtl-{name}-{width}.png"), full_page=True)
    page.screenshot(path=str(screenshots / f"rtl-{name}-{width}-top.png"))


def test_arabic_mirrors_the_layout_and_keeps_figures_left_to_right(
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    every_language: None,
    demo_data: None,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=live_server.url, viewport=WIDE)
    sign_in_as_demo_user(page, "focal")
    page.goto("/activities/")
    _choose_with_the_keyboard(page, "العربيّة")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert User.objects.get(username="focal").language == "ar"
    assert page.url.endswith("/activities/")

    # The brand starts the header on the right; the menu, on its own row, starts there too and
    # runs leftwards.
    brand = _box(page, ".brand")
    first, second = (
        _box(page, ".main-nav li:nth-child(1) a"),
        _box(page, ".main-nav li:nth-child(2) a"),
    )
    assert brand["x"] + brand["width"] > WIDE["width"] - 80
    assert first["x"] + first["width"] > WIDE["width"] - 80
    assert second["x"] < first["x"]
    # The table's first column is its rightmost; a number cell stays left to right.
    headers = page.locator(".table thead th")
    first, last = headers.first.bounding_box(), headers.last.bounding_box()
    assert first is not None and last is not None and first["x"] > last["x"]
    _shoot(page, screenshots, "list", 1366)
    assert serious_violations(page) == []

    activity = demo_activity_with_money()
    page.goto(f"/activities/{activity.pk}/finance/")
    number = page.locator(".table td.num").first
    assert number.evaluate("cell => getComputedStyle(cell).direction") == "ltr"
    _shoot(page, screenshots, "finance", 1366)

    page.goto("/dashboard/")
    expect(page.locator("[data-chart][data-rendered='true']").first).to_be_visible()
    # The bar charts mirror: their horizontal axis runs from the right, the vertical one stands
    # on the right.
    axes = page.evaluate(CHART_AXES)
    assert axes and all(axis == [True, "right"] for axis in axes), axes
    _shoot(page, screenshots, "dashboard", 1366)

    page.set_viewport_size(PHONE)
    finance = f"/activities/{activity.pk}/finance/"
    for name, path in (("list", "/activities/"), ("finance", finance)):
        page.goto(path)
        widths = page.evaluate(PAGE_WIDTHS)
        assert widths[0] <= widths[1], f"{path} scrolls sideways in Arabic: {widths}"
        _shoot(page, screenshots, name, 390)
    # The menu's button sits at the left end, the brand at the right.
    toggle, brand = _box(page, ".nav-toggle"), _box(page, ".brand")
    assert toggle["x"] < brand["x"]
    page.locator(".nav-toggle").click()
    expect(page.locator(".main-nav a").first).to_be_visible()
    _shoot(page, screenshots, "menu", 390)

    # Back to English with the keyboard: the choice is remembered again.
    page.set_viewport_size(WIDE)
    _choose_with_the_keyboard(page, "English")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert User.objects.get(username="focal").language == "en"


def test_the_sign_in_page_switches_language_before_signing_in(
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    every_language: None,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=live_server.url, viewport=PHONE)
    page.goto("/accounts/login/")
    _choose_with_the_keyboard(page, "العربيّة")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert "/accounts/login/" in page.url
    page.locator(".lang-menu summary").click()  # open: its buttons are checked too
    assert serious_violations(page) == []
    widths = page.evaluate(PAGE_WIDTHS)
    assert widths[0] <= widths[1], f"the sign-in page scrolls sideways in Arabic: {widths}"
    _shoot(page, screenshots, "login", 390)
