"""The page for a request Django could not read (400), saying why when the reason is harmless.

Django's own handler renders 400.html without the request, so the portal's layout (which reads
the user and the language) could not be used, and its text says nothing. A body over the size
limit is the one case a person meets (a pasted document in a form): 413 with the limit.

Also here: a write SQLite refused because the database stayed busy answers 409, on pages and in the
API alike.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        size = round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1)
        message = _(
            "The form sent is too large: at most %(size)s MB of text (files have their own limit)."
        ) % {"size": size}
        status = 413
    elif isinstance(exception, TooManyFieldsSent):
        message = _("The form sent has too many fields.")
        status = 413
    else:
        # Other reasons (a bad Host header, a damaged multipart body) are not repeated back,
        # and get Django's plain page: the layout could trip on the same bad request.
        return defaults.bad_request(request, exception)
    return render(request, "400.html", {"message": message, "status": status}, status=status)


def database_busy(exception: BaseException) -> bool:
    """SQLite (the quickstart) refusing a write because another one held the database for longer
    than its busy timeout (settings.DATABASES): a conflict to try again, not a server fault."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


def database_busy_message() -> str:
    return _(
        "Someone else was saving at the same moment and the database stayed busy: nothing was "
        "saved. Submit again in a moment."
    )


class DatabaseBusyMiddleware:
    """A page whose write met a busy SQLite answers 409 with what to do, not a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        return render(
            request, "400.html", {"message": database_busy_message(), "status": 409}, status=409
        )
