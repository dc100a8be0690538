"""Sessions end a working day after sign-in, or sooner after an hour without a request.

Django alone gives one or the other: SESSION_COOKIE_AGE counts from the session's last save, and
SESSION_SAVE_EVERY_REQUEST would turn that into an idle timeout at the price of a database write
on every request. Here the session remembers when it was signed in and when it was last seen; the
"last seen" time is written at most every SEEN_PRECISION seconds, so an active user costs one
session write per few minutes and the idle timeout is exact to within those minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from .security import log_event

SIGNED_IN_AT = "_ssc_signed_in_at"
SEEN_AT = "_ssc_seen_at"
SEEN_PRECISION = 300


def start_session_clock(request: HttpRequest) -> None:
    """Called at sign-in (accounts.signals): both clocks start with the session, so that the
    first page after signing in does not need a session write of its own."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class SessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        # Sessions signed in before this middleware existed start their clocks now.
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        if now - signed_in_at > settings.SESSION_COOKIE_AGE:
            reason = "age"
        elif now - seen_at > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
        else:
            if now - seen_at >= SEEN_PRECISION or SEEN_AT not in session:
                session[SEEN_AT] = now
            return
        log_event(
            "session expired",
            event="session_expired",
            request=request,
            level=logging.INFO,
            username=request.user.get_username(),
            reason=reason,
        )
        # The view then sees an anonymous visitor and sends them to the login page.
        session.flush()
        request.user = AnonymousUser()
