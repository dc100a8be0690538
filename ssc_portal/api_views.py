"""The API's own endpoint (the JSON 404 for unknown /api/ addresses) and the OpenAPI
description of its token authentication.

Apart from ssc_portal/api.py, which the REST_FRAMEWORK settings name and which DRF therefore
imports while rest_framework.views is still loading: this module needs rest_framework.views.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
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
