"""The API's pages for people: the reference (Swagger UI from static/vendor/, set up by our own
script, on the schema /api/schema/ serves) and the getting-started guide. Both public, both
served without a CDN or an inline script; the browser test drives them
(tests/browser/test_api_reference.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)


def test_the_reference_loads_swagger_ui_from_our_static_files_on_our_schema(
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    with django_assert_max_num_queries(0):
        response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.text
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in page
    assert 'href="/static/vendor/swagger-ui/swagger-ui.css"' in page
    assert 'src="/static/js/api-reference.js"' in page
    assert 'data-schema-url="/api/schema/?format=json&amp;lang=en"' in page
    # Only script files: the CSP refuses inline code, so the set-up is in api-reference.js.
    assert all("src=" in attributes and not body.strip() for attributes, body in _scripts(page))
    # Nothing from another host (a CDN): every script, style and link is our own.
    assert not [u for u in re.findall(r'(?:src|href)="([^"]*)"', page) if "//" in u.split("?")[0]]
    assert 'href="/api/getting-started/"' in page
    assert Client().get("/api/schema/?format=json").status_code == 200


def test_the_vendor_script_copies_the_swagger_ui_files_the_page_names() -> None:
    script = (ROOT / "scripts" / "vendor_assets.sh").read_text()
    assert "node_modules/swagger-ui-dist/" in script
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui.css.map"):
        assert name in script
    lock = (ROOT / "package-lock.json").read_text()
    assert '"node_modules/swagger-ui-dist"' in lock


def test_the_signed_in_reference_carries_the_csrf_token_for_session_calls(
    partner_user: User, client_for
) -> None:
    page = client_for(partner_user).get("/api/docs/").text
    token = re.search(r'data-csrf-token="([^"]+)"', page)
    assert token and len(token.group(1)) >= 32
    assert 'href="/accounts/tokens/"' in page


def test_the_guide_shows_curl_and_python_with_this_portals_address(
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    with django_assert_max_num_queries(0):
        response = Client().get("/api/getting-started/")
    assert response.status_code == 200
    page = response.text
    for heading in ("Create a token", "Your first call", "Pages", "Filters", "Incremental sync"):
        assert heading in page
    assert 'curl -H "Authorization: Bearer $SSC_TOKEN"' in page
    assert "import requests" in page
    assert "http://testserver/api/v1/activities/" in page
    assert "updated_since" in page and 'headers["Date"]' in page
    assert 'href="/api/docs/"' in page
    assert not _scripts(page.split("</head>", 1)[1])


def test_the_guide_and_the_reference_are_reached_from_the_tokens_page(
    viewer: User, client_for
) -> None:
    page = client_for(viewer).get("/accounts/tokens/").text
    assert 'href="/api/getting-started/"' in page
    assert 'href="/api/docs/"' in page


@pytest.mark.parametrize("url", ["/api/docs/", "/api/getting-started/"])
def test_the_pages_are_read_only(url: str) -> None:
    assert Client().post(url).status_code == 405
