"""The language switcher's target: every page (the sign-in page included) posts here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.language import is_offered, set_language_cookie
from accounts.models import User


def _next_url(request: HttpRequest) -> str:
    """Back to the page the switcher was on; anywhere else (another site) is not followed."""
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Anyone may choose: the cookie remembers it in this browser, and a signed-in user's profile
    remembers it everywhere (accounts.language applies it on their every request)."""
    language = request.POST.get("language", "")
    if not is_offered(language):
        message = _("This language is not offered.")
        return render(request, "400.html", {"message": message, "status": 400}, status=400)
    if request.user.is_authenticated:
        user: User = request.user  # type: ignore[assignment]
        services.set_user_language(user=user, language=language)
    response = HttpResponseRedirect(_next_url(request))
    set_language_cookie(response, language)
    return response
