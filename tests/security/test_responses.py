"""Finance answers are never cached (Cache-Control: no-store), and every refusal is logged."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import create_api_token
from tests.activities import test_permissions as pages
from tests.activities.test_permissions import World

pytestmark = pytest.mark.django_db

FINANCE_CASES = [case for case in pages.CASES if case.name.startswith("finance:")]


def _no_store(response: object) -> bool:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}  # type: ignore[index]
    return {"no-store", "private"} <= directives


def test_every_finance_url_name_is_walked() -> None:
    from django.urls import get_resolver

    found = {
        n for n in pages._patterns(get_resolver("ssc_portal.urls")) if n.startswith("finance:")
    }
    assert {case.name for case in FINANCE_CASES} == found


class TestFinancePages:
    """The finance pages against one shared world (shared_world)."""

    @pytest.mark.parametrize("case", FINANCE_CASES, ids=lambda c: f"{c.name}[{c.target}]")
    def test_finance_pages_are_never_stored_by_a_cache(
        self, case: pages.Case, world: World, fast_templates: None
    ) -> None:
        for role in ("focal", "cpm", "partner"):
            response = world.client(role).get(pages._url(case, world))
            # Refusals too: a 403 or 405 page says something about the finance pages.
            assert _no_store(response), (role, response.status_code, response.get("Cache-Control"))


@pytest.mark.parametrize(
    "path",
    ["/api/v1/ledger/", "/api/v1/rollups/?group_by=division", "/api/v1/activities/"],
)
def test_api_answers_with_money_are_never_stored(cpm: User, path: str) -> None:
    secret = create_api_token(user=cpm, name="sync")[1]
    response = Client().get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert _no_store(response)


def test_public_api_answers_may_be_cached(db: None) -> None:
    response = Client().get(reverse("api:schema"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_pages_without_money_keep_the_default_caching(cpm_client: Client) -> None:
    assert "no-store" not in cpm_client.get(reverse("activities:list")).get("Cache-Control", "")


def _refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", "") == "permission_denied"]


def test_a_refused_page_is_logged_with_user_path_method_and_address(
    viewer_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        response = viewer_client.post(reverse("activities:create"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    [record] = _refusals(caplog)
    assert record.levelname == "WARNING"
    fields = (record.username, record.path, record.method, record.ip)  # type: ignore[attr-defined]
    assert fields == ("viewer", "/activities/new/", "POST", "203.0.113.9")


def test_a_refused_api_call_is_logged_with_the_token_user(
    viewer: User, caplog: pytest.LogCaptureFixture
) -> None:
    secret = create_api_token(user=viewer, name="sync")[1]
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        response = Client().post(
            "/api/v1/activities/",
            data="{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 403
    [record] = _refusals(caplog)
    assert (record.username, record.path) == ("viewer", "/api/v1/activities/")  # type: ignore[attr-defined]


def test_a_missing_csrf_token_is_logged_as_a_refusal(
    cpm: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cpm)
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        assert client.post(reverse("activities:create")).status_code == 403
    [record] = _refusals(caplog)
    assert record.username == "cpm"  # type: ignore[attr-defined]


def test_allowed_requests_log_no_refusal(
    cpm_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        assert cpm_client.get(reverse("activities:list")).status_code == 200
    assert _refusals(caplog) == []
