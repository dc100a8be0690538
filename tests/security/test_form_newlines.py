"""A form's line breaks reach the views as LF, whatever the browser sent; other requests are
left as they came by the forms' middleware (ssc_portal.middleware.FormNewlinesMiddleware), and
the API's JSON texts are read with LF by its parser (ssc_portal.api.NewlinesJSONParser; a
round trip in tests/api/test_activities.py)."""

from __future__ import annotations

import io
import json

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from ssc_portal.api import NewlinesJSONParser
from ssc_portal.middleware import FormNewlinesMiddleware

seen: dict[str, object] = {}


def _view(request: HttpRequest) -> HttpResponse:
    seen["post"] = {key: request.POST.getlist(key) for key in request.POST}
    seen["body"] = request.body if request.content_type == "application/json" else None
    return HttpResponse()


def _through(request: HttpRequest) -> None:
    seen.clear()
    FormNewlinesMiddleware(_view)(request)


def test_urlencoded_and_multipart_forms_are_read_with_lf() -> None:
    factory = RequestFactory()
    _through(factory.post("/", {"summary": "one\r\ntwo\rthree", "tags": ["a\r\nb", "c"]}))
    assert seen["post"] == {"summary": ["one\ntwo\nthree"], "tags": ["a\nb", "c"]}
    encoded = "summary=one%0D%0Atwo&title=plain"
    _through(factory.post("/", encoded, content_type="application/x-www-form-urlencoded"))
    assert seen["post"] == {"summary": ["one\ntwo"], "title": ["plain"]}


def test_a_json_body_is_left_as_it_came() -> None:
    body = json.dumps({"summary": "one\r\ntwo"})
    _through(RequestFactory().post("/", body, content_type="application/json"))
    assert seen["body"] == body.encode()


def test_the_apis_json_texts_are_read_with_lf_at_every_depth() -> None:
    body = {
        "summary": "one\r\ntwo\rthree",
        "texts": [{"title": "a\r\nb", "count": 3}],
        "version": 2,
        "flag": None,
    }
    parsed = NewlinesJSONParser().parse(io.BytesIO(json.dumps(body).encode()))
    assert parsed == {
        "summary": "one\ntwo\nthree",
        "texts": [{"title": "a\nb", "count": 3}],
        "version": 2,
        "flag": None,
    }
