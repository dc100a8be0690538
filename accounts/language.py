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
- An API request that sends Accept-Language is answered in that language when it is offered,
  whatever the profile says: a script asks for the language its own users read. Without the
  header (or with none offered in it), the profile applies as on pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


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


def language_from_header(header: str) -> str | None:
    """The first offered language in an Accept-Language header, by the client's weights."""
    for code, _weight in parse_accept_lang_header(header):
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
        is_api = request.path.startswith(API_PREFIX)
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
