"""The focal point manages a person in the browser: invites them, the person opens the link from
the mail, sets a password and signs in; the focal point changes their role and deactivates them,
and they can no longer sign in.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path): people_<step>_<width>.png at 1366 and 390 pixels.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)
NEW_PASSWORD = "a long passphrase for the portal 73"


def _shoot(page: Page, screenshots: Path, step: str) -> None:
    """The page at each width, then back to the desktop width; the content does not scroll
    sideways at 390."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshots / f"people_{step}_{width}.png"), full_page=True)
        if width == 390:
            # The page's own content; wide tables scroll inside their frame. (The menu strip
            # above it is the whole portal's, shared by every page.)
            overflow = page.evaluate(
                "() => { const main = document.querySelector('main');"
                " return main.scrollWidth - main.clientWidth; }"
            )
            assert overflow <= 0, f"{step}: {overflow} px of sideways scrolling at 390 px"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_focal_point_invites_changes_and_deactivates_a_person(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    focal: User,
) -> None:
    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)
    _sign_in(page, "focal", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The menu leads to People; the list, then the invitation form, from the keyboard.
    page.get_by_role("navigation", name="Main").get_by_text("Manage").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    _shoot(page, screenshots, "list")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("First name").fill("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Ferreira")
    page.get_by_label("E-mail address").fill(focal.email)  # taken: a field error first
    role = page.get_by_role("combobox", name="Role", exact=True)
    role.select_option(label="Country programme manager")
    page.get_by_label("LAC", exact=True).check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "E-mail address: Someone already has an account with this e-mail address."
    )
    _shoot(page, screenshots, "invite_error")
    page.get_by_label("E-mail address").fill("ana.ferreira@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name="Ana Ferreira", level=1)).to_be_visible()
    expect(page.get_by_text("invited on the People page")).to_be_visible()
    _shoot(page, screenshots, "person_invited")

    # The invitation mail left on commit; its link sets the password.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    guest = browser.new_page(base_url=live_server.url)
    guest.set_default_timeout(10_000)
    guest.goto(link.group(0))
    expect(guest.get_by_role("heading", name="Choose a new password")).to_be_visible()
    guest.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    guest.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    guest.get_by_role("button", name="Set my password").click()
    _sign_in(guest, "ana.ferreira@example.org", NEW_PASSWORD)
    expect(guest.locator(".badge--role")).to_have_text("Country programme manager")
    guest.close()

    # The focal point makes them a viewer; the page says what that means.
    page.reload()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("combobox", name="Role", exact=True).select_option(label="Viewer")
    _shoot(page, screenshots, "edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The changes to Ana Ferreira were saved.")).to_be_visible()
    scope = page.get_by_role("region", name="Who can see and change what")
    expect(scope).to_contain_text("Changes")
    expect(scope).to_contain_text("Nothing")
    expect(page.get_by_text("Country programme manager → Viewer")).to_be_visible()
    person = User.objects.get(email="ana.ferreira@example.org")
    assert person.role == Role.VIEWER

    # Deactivation asks first.
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate Ana Ferreira?")).to_be_visible()
    _shoot(page, screenshots, "deactivate")
    page.get_by_role("button", name="Deactivate the account").click()
    expect(page.get_by_text("Ana Ferreira was deactivated.")).to_be_visible()
    _shoot(page, screenshots, "person_deactivated")
    person.refresh_from_db()
    assert not person.is_active

    gone = browser.new_page(base_url=live_server.url)
    _sign_in(gone, "ana.ferreira@example.org", NEW_PASSWORD)
    expect(gone.get_by_role("heading", level=1)).not_to_have_text("My portfolio")
    assert "/accounts/login/" in gone.url
    gone.close()
