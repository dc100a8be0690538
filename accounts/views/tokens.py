"""The API tokens page (a user creates, names and revokes the tokens their scripts use) and the
page a locked-out sign-in gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import ApiTokenForm
from accounts.models import ApiToken, User


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created: ApiToken | None = None
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.create_api_token(
                user=user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except services.TokenError as error:
            form.add_error(error.field, str(error))
        else:
            # No redirect: the secret is shown on this response only and stored nowhere, not
            # even in the session. never_cache keeps it out of the browser's cache.
            form = ApiTokenForm()
    status = 201 if created else 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": user.api_tokens.all(),
            "created": created,
            "secret": secret,
            "docs_url": reverse("api:docs"),
            "getting_started_url": reverse("api:getting_started"),
        },
        status=status,
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Another user's token does not exist for this user.
    token = user.api_tokens.filter(pk=pk).first()
    if token is None:
        raise Http404(_("No such token."))
    services.revoke_api_token(token=token, user=user)
    messages.success(request, _("Token %(name)s was revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers a locked-out username and address (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
