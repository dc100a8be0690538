"""The security log: sign-ins, lockouts, expired sessions and refused requests, one line each.

Everything goes to the "ssc_portal.security" logger (JSON lines in production, see
ssc_portal.logs), never to the database: the log collector keeps and searches it.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("ssc_portal.security")


def client_address(request: HttpRequest | None) -> str:
    """The caller's address: REMOTE_ADDR, unless that is one of settings.TRUSTED_PROXIES.

    Behind a trusted proxy the address is the right-most X-Forwarded-For entry that is not
    itself a trusted proxy: each proxy appends the address it saw, and everything to the left of
    ours was written by the client. A request that reaches the web server directly cannot choose
    its address by writing the header. The sign-in lockout (AXES_CLIENT_IP_CALLABLE), the API
    throttle (ssc_portal.api.CallerThrottle) and the security log all read this one function.
    """
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not is_trusted_proxy(remote):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for entry in reversed(forwarded.split(",")):
        address = entry.strip()
        if not is_trusted_proxy(address):
            # Our proxy wrote this entry; if it is no address, the proxy is misconfigured and
            # the proxy's own address is the only one we know.
            return address if _parse(address) is not None else remote
    return remote


def is_trusted_proxy(address: str) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in _trusted_networks())


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    # Parsed on each call (a handful of entries): tests override the setting.
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


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
