"""The portal's URLs with a stand-in inbox page ("counterparts:inbox", which the mails link to)
for the mail tests, while the counterparts' own pages are not there (smtp.inbox_route_missing)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from ssc_portal.urls import urlpatterns as portal


def inbox(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    path("", include(([path("inbox/", inbox, name="inbox")], "counterparts"))),
    *(
        pattern
        for pattern in portal
        if not (isinstance(pattern, URLResolver) and pattern.namespace == "counterparts")
    ),
]
