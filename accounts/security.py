"""The security log: sign-ins, lockouts, expired sessions and refused requests, one line each.

Everything goes to the "ssc_portal.security" logger (JSON lines in production, see
ssc_portal.logs), never to the database: the log collector keeps and searches it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("ssc_portal.security")


def client_address(request: HttpRequest | None) -> str:
    """The caller's address as the proxy in front of us saw it.

    Behind API_NUM_PROXIES proxies the address is the one the outermost of ours appended to
    X-Forwarded-For (counting from the right: a client can write anything on the left). It is
    the rule DRF's throttles use, so the API and the sign-in lockout count the same caller.
    """
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(str(settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if not proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


def log_event(
    message: str,
    *,
    event: str,
    request: HttpRequest | None,
    level: int = logging.INFO,
    **fields: Any,
) -> None:
    """One security-log line: what happened, from which address, with the event's fields."""
    logger.log(level, message, extra={"event": event, "ip": client_address(request), **fields})
