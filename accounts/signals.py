"""Security log of sign-ins: who signed in, who failed, who was locked out, from where; the
session's expiry clocks, started at sign-in; and the sign-in time shown on the People page."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .middleware import start_session_clock
from .security import log_event


@receiver(user_logged_in)
def log_sign_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    log_event("sign-in", event="login", request=request, username=user.get_username())


def record_last_login(sender: Any, user: Any, **_: Any) -> None:
    """In place of Django's update_last_login (disconnected in AccountsConfig.ready): an UPDATE
    of the one column, not a save, so that a sign-in writes no snapshot into the account's
    change history (the security log already records it)."""
    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


@receiver(user_logged_out)
def log_sign_out(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    username = user.get_username() if user is not None else ""
    log_event("sign-out", event="logout", request=request, username=username)


@receiver(user_login_failed)
def log_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    # Django has already masked the password in `credentials`; only the username is logged.
    log_event(
        "sign-in failed",
        event="login_failed",
        request=request,
        level=logging.WARNING,
        username=str(credentials.get("username", "")),
    )


@receiver(user_locked_out)
def log_lockout(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **_: Any
) -> None:
    log_event(
        "sign-in locked out: too many failures",
        event="login_locked_out",
        request=request,
        level=logging.WARNING,
        username=str(username or ""),
    )
