"""Which language a request is answered in.

Django's LocaleMiddleware (before authentication) picks the language cookie, then the browser's
Accept-Language, then English; that is all an anonymous visitor gets. UserLanguageMiddleware
(after authentication) then applies what a signed-in user chose with the switcher
(User.language), on every request:

- Every request rather than only at sign-in: the profile is the one truth, so a choice made on
  one computer reaches the user's other browsers and sessions at their next page, and survives a
  cleared cookie. It costs no query: the user is already loaded (SessionExpiryMiddleware reads
  it on every request).
- The cookie is kept in step with the profile on pages, so that the sign-in page after signing
  out (an anonymous request, where only the cookie speaks) stays in the user's language.
- An API request (not its documentation pages, which are pages) that sends Accept-Language is
  answered in that language when it is offered, whatever the profile says: a script asks for
  the language its own users read. Without the header (or with none offered in it), the
  profile applies as on pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"
# The API's documentation pages, under its prefix but read by people: their language follows the
# switcher and the profile, as every page's does.
API_PAGES = ("/api/docs/", "/api/getting-started/")
# How much of an Accept-Language header is read: browsers send a short list; a longer header is
# a client's mistake or an attempt to make each request cost, and its rest is not read (as
# Django's LocaleMiddleware does for the pages).
MAX_ACCEPT_LANGUAGE = 500
# RFC 9110 §12.5.4: a language range is "*" or a tag of letters, with subtags of letters or
# digits, each of 1 to 8; a weight is 0 to 1 with at most three decimals.
LANGUAGE_RANGE = re.compile(r"\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
WEIGHT = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


def offered_language(code: str) -> str | None:
    """The offered language (settings.LANGUAGES) that answers for `code`, e.g. "fr" for
    "fr-CA"; None when none does."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def is_offered(code: str) -> bool:
    """Exactly one of the codes in settings.LANGUAGES (what the switcher sends)."""
    return code in dict(settings.LANGUAGES)


def language_name(code: str) -> str:
    """A language as it names itself ("Français"): the switcher's label, the history's value."""
    try:
        name = str(translation.get_language_info(code)["name_local"])
        return name[:1].upper() + name[1:]
    except KeyError:
        return code


def _language_range(entry: str) -> tuple[str, Decimal] | None:
    """One entry of the header ("fr-CA;q=0.8") as (lowercased range, weight); None when it is
    malformed."""
    tag, *parameters = (part.strip() for part in entry.split(";"))
    tag = tag.lower()
    if not LANGUAGE_RANGE.fullmatch(tag):
        return None
    if not parameters:
        return tag, Decimal(1)
    if len(parameters) > 1:
        return None  # only a weight may follow a language range
    name, equals, value = (part.strip() for part in parameters[0].partition("="))
    if name.lower() != "q" or not equals or not WEIGHT.fullmatch(value):
        return None
    return tag, Decimal(value)


def parse_accept_language(header: str) -> list[tuple[str, Decimal]]:
    """The language ranges an Accept-Language header asks for, most wanted first (equal weights
    in the header's order), lowercased. Malformed entries are left out, and so are those of
    weight 0 ("not this one"). Only the first MAX_ACCEPT_LANGUAGE characters are read, up to
    the last whole entry among them."""
    if len(header) > MAX_ACCEPT_LANGUAGE:
        header = header[:MAX_ACCEPT_LANGUAGE].rpartition(",")[0]
    ranges = [_language_range(entry) for entry in header.split(",") if entry.strip()]
    wanted = [found for found in ranges if found is not None and found[1] > 0]
    return sorted(wanted, key=lambda found: -found[1])


def language_from_header(header: str) -> str | None:
    """The first offered language in an Accept-Language header, by the client's weights; None
    when it names none before "*" (any language: the profile's or the site's then)."""
    for code, _weight in parse_accept_language(header):
        if code == "*":
            break
        found = offered_language(code)
        if found is not None:
            return found
    return None


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith(API_PREFIX) and request.path not in API_PAGES
        language = None
        if is_api:
            language = language_from_header(request.headers.get("accept-language", ""))
        chosen = None
        if language is None and request.user.is_authenticated:
            chosen = offered_language(getattr(request.user, "language", ""))
            language = chosen
        if language is not None and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Not when the response sets the cookie itself (the switcher, with the new choice).
        cookie = settings.LANGUAGE_COOKIE_NAME
        if (
            chosen is not None
            and not is_api
            and cookie not in response.cookies
            and request.COOKIES.get(cookie) != chosen
        ):
            set_language_cookie(response, chosen)
        return response


def apply_api_user_language(request: HttpRequest, user: object) -> None:
    """For an API request authenticated inside the view (a token: the middleware saw an
    anonymous request): the user's chosen language, unless Accept-Language names an offered one."""
    if language_from_header(request.headers.get("accept-language", "")) is not None:
        return
    chosen = offered_language(getattr(user, "language", ""))
    if chosen is not None:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
