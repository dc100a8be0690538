"""At phone width (390 pixels) the portal is usable without sideways scrolling: the menu folds
behind a "Menu" button (keyboard: Enter opens it, Escape closes it), the focal point's reference
pages sit in a "Manage" group, and no main page is wider than the screen.

Screenshots go to $SCREENSHOT_DIR (default: the test's tmp_path) as phone-<page>.png (whole
pages), phone-<page>-top.png (the first screen) and phone-menu.png, wide-menu.png. The demo is
shared (`demo_site`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.pages import Settled, demo_activity_with_money, sign_in_as_demo_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
PAGE_WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _pages() -> dict[str, str]:
    activity = demo_activity_with_money()
    return {
        "home": "/",
        "list": "/activities/",
        "activity": f"/activities/{activity.pk}/",
        "finance": f"/activities/{activity.pk}/finance/",
        "edit": f"/activities/{activity.pk}/edit/",
        "partners": "/partners/",
        "dashboard": "/dashboard/",
        "results": "/results/dashboard/",
        "knowledge": "/knowledge/",
        "standards": "/standards/",
        "rates": "/finance/rates/",
        "people": "/people/",
        "api-docs": "/api/docs/",
    }


def test_the_menu_folds_at_phone_width_and_opens_with_the_keyboard(
    demo_site: str,
    browser: Browser,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=demo_site, viewport=PHONE)
    sign_in_as_demo_user(page, "focal")
    menu = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    expect(menu).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Activities")).to_be_visible()
    menu.get_by_text("Manage").click()
    expect(menu.get_by_role("link", name="Rate cards")).to_be_visible()
    page.screenshot(path=str(screenshots / "phone-menu.png"), full_page=True)
    page.keyboard.press("Escape")  # closes the group first, then the menu
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()

    page.set_viewport_size({"width": 1366, "height": 900})
    expect(toggle).to_be_hidden()
    expect(menu.get_by_role("link", name="Activities")).to_be_visible()
    expect(menu.get_by_role("link", name="Rate cards")).to_be_hidden()  # in the closed group
    menu.get_by_text("Manage").click()
    menu.get_by_role("link", name="Rate cards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate cards")
    expect(menu.locator("summary")).to_have_css("color", "rgb(255, 255, 255)")  # group current
    page.screenshot(path=str(screenshots / "wide-menu.png"))


def test_no_main_page_is_wider_than_a_phone(
    demo_site: str,
    browser: Browser,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=demo_site, viewport=PHONE)
    page.set_default_timeout(20_000)
    settled = Settled(page)
    sign_in_as_demo_user(page, "focal")
    wider = {}
    for name, url in _pages().items():
        page.goto(url)
        content, screen = settled.evaluate(f"() => {PAGE_WIDTHS}")
        page.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
        page.screenshot(path=str(screenshots / f"phone-{name}-top.png"))
        if content > screen:
            wider[name] = content
    assert not wider, f"pages wider than {PHONE['width']} px: {wider}"
