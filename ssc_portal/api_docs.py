"""The API's human documentation: the reference at /api/docs/ and the getting-started guide.

The reference is Swagger UI (from the npm registry, served from static/vendor/ like our other
front-end libraries) drawing the same schema /api/schema/ serves, so the two cannot disagree. It
renders the schema's Markdown, shows each operation's examples and has a "Try it out" panel;
Redoc has no such panel, and its styles are injected inline, which our CSP refuses. Its set-up
is static/js/api-reference.js: the CSP allows no inline script.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from accounts.authentication import KEYWORD
from accounts.language import offered_language

# The list the guide pages through: small pages, so that the example shows a `next` link.
EXAMPLE_PAGE_SIZE = 2


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """Public, like the schema: reading how the API works needs no account. Swagger UI's own
    words (its buttons, "Try it out") are the vendor's, in English: it has no translations."""
    language = offered_language(translation.get_language() or "") or settings.LANGUAGE_CODE
    query = urlencode({"format": "json", "lang": language})
    return render(
        request,
        "api/docs.html",
        {
            # In the page's language: Swagger UI fetches it with the browser's Accept-Language,
            # which a signed-in user's chosen language may differ from.
            "schema_url": f"{reverse('api:schema')}?{query}",
            "getting_started_url": reverse("api:getting_started"),
        },
    )


@require_safe
def getting_started(request: HttpRequest) -> HttpResponse:
    """From a token to an incremental sync, in curl and Python; public like the reference."""
    return render(
        request,
        "api/getting_started.html",
        {
            "base_url": request.build_absolute_uri("/").rstrip("/"),
            "keyword": KEYWORD,
            "page_size": EXAMPLE_PAGE_SIZE,
        },
    )
