"""Rules that hold for every page and endpoint (what a request brings, what a response
carries), kept in one place each."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import normalize_newlines

from accounts.security import log_event

# Pages under these URL namespaces show money; so do API answers (an activity carries its
# totals, the ledger and the roll-ups are money), whenever a caller is signed in.
NO_STORE_NAMESPACES = frozenset({"finance"})
NO_STORE_API_NAMESPACE = "api"


FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class FormNewlinesMiddleware:
    """A line break typed in a page's text box is stored as the API and the imports store it.

    Browsers send every line break of a textarea as CR LF (the HTML standard says so), the API
    and the workbook as LF: without this, the first save of a text through its page would change
    every line break of it, write a change nobody made into its history, and leave one text with
    two kinds of line ends in the exports. The form's values are read in LF before any view sees
    them; uploaded files are not touched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            posted = request.POST
            if any("\r" in value for values in posted.lists() for value in values[1]):
                normalized = posted.copy()
                for key, values in posted.lists():
                    normalized.setlist(key, [normalize_newlines(value) for value in values])
                request.POST = normalized  # type: ignore[assignment]
        return self.get_response(request)


class FinanceNoStoreMiddleware:
    """Money is never kept by a browser's or a proxy's cache (Cache-Control: no-store, private).

    A shared computer's back button or a caching proxy would otherwise show one user's figures
    to the next. Keyed on the URL namespace, so a new finance page is covered without a decorator.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if needs_no_store(request):
            add_never_cache_headers(response)
        return response


def needs_no_store(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    if NO_STORE_NAMESPACES.intersection(match.namespaces):
        return True
    user = getattr(request, "user", None)
    return NO_STORE_API_NAMESPACE in match.namespaces and bool(user and user.is_authenticated)


class SecurityLogMiddleware:
    """Every refusal (403: a role's limits, a missing CSRF token) writes one security-log line.

    On the response status rather than in each view's error path: PermissionDenied from the
    access helpers, DRF's permission classes and the CSRF check all end as a 403 here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            log_event(
                "request refused",
                event="permission_denied",
                request=request,
                level=logging.WARNING,
                username=user.get_username() if user is not None else "",
                method=str(request.method),
                path=request.path,
            )
        return response


class PermissionsPolicyMiddleware:
    """Every response says which browser features its page may use (settings.PERMISSIONS_POLICY).

    Django has a setting for the Content Security Policy but none for this header. A feature
    with no allowed origin is off for the page and every frame in it, so a script that got in
    still cannot turn on the camera, the microphone or the location.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The header's value, e.g. `camera=(), fullscreen=(self "https://maps.example.org")`."""
    return ", ".join(
        f"{feature}=({' '.join(_origin(origin) for origin in origins)})"
        for feature, origins in policy.items()
    )


def _origin(origin: str) -> str:
    # The keywords stand bare; an origin is a quoted string (RFC 8941 structured field).
    return origin if origin in ("self", "*") else f'"{origin}"'
