"""A CPM reading the portal in French types amounts the French way on the finance page:
`1.500` (a thousand and a half, or one and a half?) is refused naming both readings, and
`1 500 000,50` is recorded as 1500000.50.

The browser asks for French with Accept-Language once signed in; the page's labels and messages
are looked up in our French catalogue (`fr`), so that the test follows its wording. Screenshots
(1366 and 390 px wide) go to $SCREENSHOT_DIR as numbers_fr_refused_*.png and
numbers_fr_recorded_*.png.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from finance.models import FinancialEntry
from tests.browser.pages import log_in
from tests.factories import ActivityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"wide": 1366, "phone": 390}


def _shoot(page: Page, directory: Path, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"numbers_fr_{name}_{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["wide"], "height": 900})


def fr(message: str, **values: object) -> str:
    """`message` as the French page writes it."""
    with translation.override("fr"):
        text = gettext(message)
    return text % values if values else text


def _line(page: Page) -> Locator:
    return page.get_by_role("group", name=fr("Line %(n)s", n=1), exact=True)


def _fill_line(page: Page, amount: str) -> None:
    line = _line(page)
    line.get_by_label(fr("Kind"), exact=True).select_option(value="ifad_grant")
    line.get_by_label(fr("Stage"), exact=True).select_option(value="planned")
    line.get_by_label(fr("Amount"), exact=True).fill(amount)
    line.get_by_label(fr("Currency"), exact=True).fill("USD")
    line.get_by_label(fr("Value date"), exact=True).fill("2024-03-15")


def test_a_french_reader_types_an_amount_the_french_way(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
) -> None:
    activity = ActivityFactory(title="Learning route on cassava processing")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "cpm")
    context.set_extra_http_headers({"Accept-Language": "fr"})

    page.goto(f"/activities/{activity.pk}/finance/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    amount = _line(page).get_by_label(fr("Amount"), exact=True)
    expect(amount).to_have_attribute("type", "text")
    expect(amount).to_have_attribute("inputmode", "decimal")

    _fill_line(page, "1.500")
    page.get_by_role("button", name=fr("Record lines")).click()
    refusal = fr(
        "“%(value)s” could be read as %(first)s or as %(second)s; type %(first)s or %(second)s.",
        value="1.500",
        first="1,5",
        second="1500",
    )
    expect(page.get_by_text(refusal).first).to_be_visible()
    assert not FinancialEntry.objects.exists()
    _shoot(page, screenshots, "refused")

    _fill_line(page, "1 500 000,50")
    page.get_by_role("button", name=fr("Record lines")).click()
    expect(page.get_by_text(fr("%(count)d line(s) recorded.", count=1))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/activities/{activity.pk}/finance/"))
    _shoot(page, screenshots, "recorded")

    entry = FinancialEntry.objects.get(activity=activity)
    assert (entry.amount, entry.currency) == (Decimal("1500000.50"), "USD")
    for name in ("refused", "recorded"):
        for label in WIDTHS:
            assert (screenshots / f"numbers_fr_{name}_{label}.png").stat().st_size > 0
    context.close()
