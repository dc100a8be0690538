"""Writes to accounts: API tokens are created and revoked here, by their user only."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.text import text_problem

# A generous cap: a user with this many live tokens has lost track of them.
MAX_ACTIVE_TOKENS = 20


# What the tokens page proposes as the last day: long enough for a quarter's reporting, short
# enough that a forgotten token stops working by itself.
DEFAULT_LIFETIME = datetime.timedelta(days=90)


class TokenError(Exception):
    """A token write was refused; the message says why, and `field` which input was wrong."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


def default_expiry() -> datetime.date:
    return timezone.now().date() + DEFAULT_LIFETIME


@transaction.atomic
def create_api_token(
    *,
    user: User,
    name: str,
    read_only: bool = False,
    expires_on: datetime.date | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret is returned once and never stored.

    `expires_on` is the last day (UTC) the token works; None: until it is revoked."""
    # Checked before the spaces are tidied: a line break or tab is refused, not made a space.
    if text_problem(name):
        raise TokenError(text_problem(name))
    name = " ".join(name.split())
    if not name:
        raise TokenError(_("Give the token a name, so that you can tell it from the others."))
    if expires_on is not None and expires_on < timezone.now().date():
        raise TokenError(
            _("The expiry date is in the past: choose today or a later day."), field="expires_on"
        )
    if not user.is_active:
        raise TokenError(_("A deactivated account cannot create tokens."))
    # Lock the user's row: two creations at once cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if user.api_tokens.active().count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(
            _("You already have %(count)d active tokens: revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    random_part = secrets.token_urlsafe(32)  # 256 bits
    secret = f"{ApiToken.PREFIX}{random_part}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        hint=random_part[:8],
        key_hash=ApiToken.hash_secret(secret),
        read_only=read_only,
        expires_on=expires_on,
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, user: User) -> ApiToken:
    """Revoking twice is harmless: the first revocation time is kept."""
    if token.user_id != user.pk:
        raise TokenError(_("Only the token's owner revokes it."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
