"""A partner's script: the partner user creates a token in the browser, a client then syncs the
activities it may see over HTTP with `requests`, and the token stops working once revoked.

Run alone with `pytest -m browser`. Screenshots go to $SCREENSHOT_DIR (default: the test's
tmp_path): api_token_created.png, api_docs.png (the API reference), api_token_revoked.png.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts.models import ApiToken, User
from activities.models import Activity, ActivityCountry, Partner, PartnerRole, Visibility
from tests.factories import PASSWORD, ActivityFactory, PartnerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sync(base_url: str, token: str, **filters: str) -> list[dict[str, Any]]:
    """What a partner's script does: follow `next` until there is none."""
    url: str | None = f"{base_url}/api/v1/activities/"
    params: dict[str, str] | None = {**filters, "page_size": "2"}
    found: list[dict[str, Any]] = []
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        while url:
            response = session.get(url, params=params, timeout=10)
            assert response.status_code == 200, response.text
            body = response.json()
            found.extend(body["results"])
            url, params = body["next"], None  # the next link carries the filters
    return found


def test_a_partner_creates_a_token_syncs_what_it_may_see_and_a_revoked_token_gets_401(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    partner_user: User,
    partner_org: Partner,
) -> None:
    stranger = PartnerFactory(name="Someone else")
    long_ago = timezone.now() - datetime.timedelta(days=60)
    ours = [ActivityFactory(countries=["BR"], partners=[(partner_org, PartnerRole.GUEST)])]
    ours += [ActivityFactory(countries=["BR"], partners=[(partner_org, PartnerRole.HOST)])]
    ours += [ActivityFactory(countries=["BR"], visibility=Visibility.PUBLIC) for _ in range(3)]
    stale = ActivityFactory(countries=["BR"], partners=[(partner_org, PartnerRole.GUEST)])
    Activity.objects.filter(pk=stale.pk).update(updated_at=long_ago)
    ActivityFactory(countries=["BR"], partners=[(stranger, PartnerRole.HOST)])  # internal
    ActivityFactory(countries=["KE"], partners=[(partner_org, PartnerRole.GUEST)])  # not BR

    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # "Revoke ...?" confirmation
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("partner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.locator("details.user-menu:not(.lang-menu) summary").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Token name").fill("M&E sync")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("ssc_")
    page.screenshot(path=str(screenshots / "api_token_created.png"), full_page=True)

    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    found = sync(live_server.url, secret, country="BR", updated_since=since)
    expected = (
        Activity.objects.visible_to(partner_user)
        .filter(
            pk__in=ActivityCountry.objects.filter(country__iso2="BR").values("activity_id"),
            updated_at__gte=since,
        )
        .values_list("ssc_id", flat=True)
    )
    assert sorted(a["ssc_id"] for a in found) == sorted(expected)
    assert {a["ssc_id"] for a in found} == {a.ssc_id for a in ours}
    assert len(found) == len({a["id"] for a in found}) == 5  # every page, nothing twice
    assert all(any(c["iso2"] == "BR" for c in activity["countries"]) for activity in found)
    # The page says when the token was last used. (Not a reload: that would post the form again.)
    page.goto("/accounts/tokens/")
    row = page.get_by_role("row").filter(has_text="M&E sync")
    expect(row).not_to_contain_text("Never")

    # The reference the page links to renders without any CSP violation (the fixture checks).
    page.get_by_role("link", name="API documentation").click()
    expect(page.get_by_role("heading", name="API reference", level=1)).to_be_visible()
    operation = page.locator("#operations-activities-activities_list")
    operation.locator(".opblock-summary-control").click()
    expect(operation).to_contain_text("updated_since")
    page.screenshot(path=str(screenshots / "api_docs.png"))
    page.goto("/accounts/tokens/")  # not back: the reference keeps its place in the history

    row = page.get_by_role("row").filter(has_text="M&E sync")
    row.get_by_role("button", name="Revoke M&E sync").click()
    expect(page.get_by_text("Token M&E sync was revoked.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="M&E sync")).to_contain_text("Revoked")
    page.screenshot(path=str(screenshots / "api_token_revoked.png"), full_page=True)

    refused = requests.get(
        f"{live_server.url}/api/v1/activities/",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This token was revoked."
    assert ApiToken.objects.get(user=partner_user).revoked_at is not None
