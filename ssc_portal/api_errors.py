"""The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every error as JSON.

Apart from ssc_portal.api because it calls rest_framework.views, which loads ssc_portal.api
while it is being imported (the settings name that module's classes); DRF loads this one only
when an error is first answered.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .api import Conflict, PayloadTooLarge
from .errors import database_busy, database_busy_message

logger = logging.getLogger(__name__)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"countries.0.role": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                # A problem with a nested field as a whole ("countries" not a list) is that
                # field's, named as such: "countries", not "countries.non_field_errors".
                flat.update(_flatten(value, prefix or "__all__"))
            else:
                flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        for index, value in enumerate(detail):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        flat[prefix or "__all__"] = [str(item) for item in detail]
    else:
        flat[prefix or "__all__"] = [str(detail)]
    return flat


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [
        message if name == "__all__" else f"{name}: {message}"
        for name, messages in errors.items()
        for message in messages[:1]
    ]
    return " ".join(parts) or _("Invalid input.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every error the API gives is JSON: {"detail", "code", "errors"?}.

    DRF answers its own exceptions and Django's Http404/PermissionDenied; a Django
    ValidationError from a model or service becomes 400, and anything unexpected is logged and
    answered 500 in the same shape (never an HTML page to a script).
    """
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        exc = PayloadTooLarge(
            _("The request body is too large: at most %(size)s MB.")
            % {"size": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1)}
        )
    if database_busy(exc):
        exc = Conflict(database_busy_message())
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view %s", context.get("view"), exc_info=exc)
        response = Response(status=500)
        body: dict[str, Any] = {"detail": _("Internal server error."), "code": "server_error"}
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = {"detail": _summary(errors), "code": "invalid", "errors": errors}
    else:
        assert isinstance(exc, exceptions.APIException) or response.status_code in (403, 404)
        code = getattr(exc, "default_code", None) or (
            "not_found" if response.status_code == 404 else "permission_denied"
        )
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        body = {"detail": str(detail or exc), "code": code}
    response.data = body
    # Errors are JSON whatever the format asked for (?format=csv, the IATI XML).
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response
