"""REST API authentication by the tokens users create on their tokens page.

Scripts send `Authorization: Bearer ssc_…`. A missing header leaves the request anonymous (the
API then answers 401); a header with an unknown, revoked, expired or malformed token is refused at
once with 401, so a script with a stale token fails loudly instead of being served as anonymous.
A read-only token is refused with 403 on every method that writes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from .language import apply_api_user_language
from .models import ApiToken, User

KEYWORD = "Bearer"
# The last-used time is written at most once a minute per token: precise enough to tell a token
# in use from a forgotten one, without a write on every request of a busy sync.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: send 'Bearer <token>'.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not secret.startswith(ApiToken.PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_secret(secret))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if token.expires_on is not None and token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s.") % {"date": token.expires_on.isoformat()}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token's account is deactivated."))
        # Refused here, before any view runs, so that no endpoint (whatever its own permission
        # classes) can let a read-only token write.
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _(
                    "This token is read-only: it may read but not create, change or delete "
                    "anything. Use a token created without “Read only”."
                )
            )
        self._touch(token)
        apply_api_user_language(request, token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to anonymous callers, with the scheme to use.
        return f'{KEYWORD} realm="api"'

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
            return
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def token_of(request: Any) -> ApiToken | None:
    """The token a request was authenticated with, or None (session or anonymous)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
