"""The API's own endpoints (the JSON 404 for unknown /api/ addresses, the OpenAPI schema in
the language asked) and the OpenAPI description of its token authentication.

Apart from ssc_portal/api.py, which the REST_FRAMEWORK settings name and which DRF therefore
imports while rest_framework.views is still loading: this module needs rest_framework.views.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    schema,
    throttle_classes,
)
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.language import is_offered


@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
@schema(None)
def not_found(request: Request, path: str = "") -> Response:
    """The answer to any /api/ address that matches no endpoint: a JSON 404, whoever asks."""
    raise exceptions.NotFound(_("No API endpoint at this address: see /api/docs/."))


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A token from the API tokens page: Authorization: Bearer ssc_…")),
        }


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, its descriptions in the language asked: Accept-Language or the
    caller's own (accounts.language), or drf-spectacular's `?lang=`, which the reference page
    sends so that the schema reads in the page's language. A `lang` the portal does not offer
    is refused: it would otherwise switch Django's own strings to a language of no page."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = request.query_params.get("lang")
        if asked is not None and not is_offered(asked):
            raise exceptions.ValidationError({"lang": [_("This language is not offered.")]})
        return super().get(request, *args, **kwargs)
