"""Security log of sign-ins: who signed in, who failed, from where (the log, not the database)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger("ssc_portal.security")


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


@receiver(user_logged_in)
def log_sign_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    logger.info(
        "sign-in", extra={"event": "login", "username": user.get_username(), "ip": _client(request)}
    )


@receiver(user_logged_out)
def log_sign_out(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    username = user.get_username() if user is not None else ""
    logger.info("sign-out", extra={"event": "logout", "username": username, "ip": _client(request)})


@receiver(user_login_failed)
def log_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    # Django has already masked the password in `credentials`; only the username is logged.
    logger.warning(
        "sign-in failed",
        extra={
            "event": "login_failed",
            "username": str(credentials.get("username", "")),
            "ip": _client(request),
        },
    )
