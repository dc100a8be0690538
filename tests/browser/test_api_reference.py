"""A partner's door to the API, in Chromium: the tokens page makes a read-only token that expires,
the getting-started guide shows the first calls, and the reference (Swagger UI, served by the
portal) lists the endpoints with their examples and calls /api/v1/activities/ with the token
pasted under "Authorize", then is refused a write with that read-only token.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path) as api-reference-*.png and api-guide-*.png, at 1366 and 390 pixels wide.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from accounts.models import ApiToken, User
from activities.models import Partner, PartnerRole, Visibility
from tests.browser.pages import log_in
from tests.factories import ActivityFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"wide": 1366, "phone": 390}
MAIN_WIDTHS = "(m => [m.scrollWidth, m.clientWidth])(document.getElementById('main'))"


def _console_errors(page: Page) -> list[str]:
    """Console errors (a failed request, a script's complaint) beyond what the fixture watches."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", keep)
    return errors


def _shoot(page: Page, directory: Path, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{label}.png"), full_page=label == "phone")
        # The page's own content (the site's menu at phone width is another matter): nothing in
        # it is wider than the column, code blocks scroll inside themselves.
        inner, outer = page.evaluate(MAIN_WIDTHS)
        assert inner <= outer, f"{name} is {inner} px wide in {outer} px at {width} px"
    page.set_viewport_size({"width": WIDTHS["wide"], "height": 900})


def _create_read_only_token(page: Page) -> str:
    page.goto("/accounts/tokens/")
    default = (timezone.now().date() + datetime.timedelta(days=90)).isoformat()
    expect(page.get_by_label("Expires on")).to_have_value(default)
    page.get_by_label("Token name").fill("Reference try-out")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new token").input_value()
    row = page.get_by_role("row").filter(has_text="Reference try-out")
    expect(row).to_contain_text("Read only")
    return secret


def _authorize(page: Page, secret: str) -> None:
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    # The bearer scheme's form (the session cookie's needs nothing typed).
    form = dialog.locator("form").filter(has=page.get_by_label("auth-bearer-value"))
    form.get_by_label("auth-bearer-value").fill(secret)
    form.get_by_role("button", name="Apply credentials").click()
    expect(dialog.get_by_role("button", name="Remove authorization")).to_have_count(1)
    dialog.get_by_role("button", name="Close").first.click()


def test_a_partner_reads_the_guide_and_tries_the_api_in_the_reference(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    partner_user: User,
    partner_org: Partner,
) -> None:
    ours = ActivityFactory(countries=["BR"], partners=[(partner_org, PartnerRole.HOST)])
    ActivityFactory(countries=["BR"], visibility=Visibility.PUBLIC)
    page = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(15_000)
    errors = _console_errors(page)
    log_in(page, "partner")
    secret = _create_read_only_token(page)
    assert ApiToken.objects.get(user=partner_user).read_only

    page.get_by_role("link", name="Getting started with the API").click()
    guide_title = page.get_by_role("heading", name="Getting started with the API", level=1)
    expect(guide_title).to_be_visible()
    expect(page.get_by_role("heading", name="5. Incremental sync")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text(f"{live_server.url}/api/v1/activities/")
    expect(page.locator("pre").filter(has_text="updated_since").first).to_be_visible()
    _shoot(page, screenshots, "api-guide")

    page.get_by_role("link", name="API reference").first.click()
    expect(page.get_by_role("heading", name="API reference", level=1)).to_be_visible()
    operation = page.locator("#operations-activities-activities_list")
    expect(operation).to_be_visible(timeout=30_000)  # the schema is built on first request
    _shoot(page, screenshots, "api-reference")

    _authorize(page, secret)
    operation.locator(".opblock-summary-control").click()
    # The example of a response is shown before anything is called.
    expect(operation.locator(".responses-wrapper")).to_contain_text("SSC-2010-05")
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status")).to_have_text("200")
    expect(live).to_contain_text(ours.ssc_id)
    page.screenshot(path=str(screenshots / "api-reference-tried-wide.png"))
    assert ApiToken.objects.get(user=partner_user).last_used_at is not None
    assert not errors, "\n".join(errors)
