"""What every REST API endpoint shares: errors as JSON, cursor pages, CSV, throttling.

The endpoints themselves live with their apps (activities/api.py, finance/api.py,
finance/activity_api.py, knowledge/api.py and results/api.py); this module holds only the
plumbing, so that every endpoint answers errors, pages and rates the same way (the errors'
handler: ssc_portal.api_errors).
"""

from __future__ import annotations

import csv
import io
import logging
from base64 import b64decode
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib import parse

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.authentication import token_of
from accounts.security import client_address
from accounts.text import spreadsheet_cell

from .db_router import reads_from_replica

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# --- errors -----------------------------------------------------------------------------------


class NewlinesJSONParser(JSONParser):
    """JSON whose texts keep their line breaks as LF, whatever the client sent (CR LF from
    Windows, a lone CR): as the pages' forms (ssc_portal.middleware.FormNewlinesMiddleware) and
    the imports store them, so one text never holds two kinds of line ends in the exports and a
    text sent again unchanged is not a change in its history."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return _with_lf(super().parse(stream, media_type, parser_context))


def _with_lf(value: Any) -> Any:
    if isinstance(value, str):
        return str(normalize_newlines(value)) if "\r" in value else value
    if isinstance(value, list):
        return [_with_lf(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_lf(item) for key, item in value.items()}
    return value


class PayloadTooLarge(exceptions.APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with more fields than Django reads."""

    status_code = 413
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """The caller's version of a record is stale: someone saved it since they read it."""

    status_code = 409
    default_detail = gettext_lazy("Someone else changed this record since you read it.")
    default_code = "conflict"


# The body of every error answer, for the schema (api_errors.exception_handler builds them).
# Inline: a Serializer class cannot have a field named "errors" (its validation errors).
ERROR_BODY = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(
            help_text=gettext_lazy("What went wrong, in one sentence.")
        ),
        "code": serializers.CharField(
            help_text=gettext_lazy(
                "A stable code: invalid, not_authenticated, authentication_failed, "
                "permission_denied, not_found, method_not_allowed, conflict, too_large, "
                "throttled, parse_error, unsupported_media_type, not_acceptable, server_error."
            )
        ),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=gettext_lazy(
                "For invalid input: the messages for each parameter or field, by name "
                "(nested fields as countries.0.role; whole-object problems under __all__)."
            ),
        ),
    },
)


ERROR_DESCRIPTIONS = {
    400: gettext_lazy("A parameter or field is invalid; `errors` names each one."),
    401: gettext_lazy("No token or session, or the token is invalid or revoked."),
    403: gettext_lazy("Your role does not allow this."),
    404: gettext_lazy("No such record, or not one you may see."),
    405: gettext_lazy("This method is not allowed here."),
    409: gettext_lazy("Stale version: someone changed the record since you read it."),
    429: gettext_lazy("Too many requests: wait the Retry-After seconds."),
}


def error_responses(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    """The documented error answers of an operation (always JSON, whatever format was asked);
    401 and 429 come with every one."""
    wanted = sorted({*codes, 401, 429})
    return {
        (code, "application/json"): OpenApiResponse(
            ERROR_BODY, description=ERROR_DESCRIPTIONS[code]
        )
        for code in wanted
    }


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description=gettext_lazy(
        "json (default) or csv: the same rows, one per line, the next page in the Link header."
    ),
)


def read_schemas(
    serializer: type[serializers.Serializer],
    *,
    list_summary: Any,
    one_summary: Any,
    list_description: Any = "",
    csv: bool = True,
    examples: Sequence[OpenApiExample] = (),
) -> dict[str, Any]:
    """extend_schema_view arguments for a list and its records: JSON (or CSV, for the view sets
    that offer it: CsvOnReads), and the errors. `examples` are of one record; the list's shows
    it in a page."""
    csv_rows = OpenApiResponse(OpenApiTypes.STR, description=gettext_lazy("The rows as CSV."))
    parameters = [FORMAT_PARAMETER] if csv else None

    def answers(many: bool) -> dict[Any, Any]:
        if not csv:
            return {200: serializer(many=many)}
        return {(200, "application/json"): serializer(many=many), (200, "text/csv"): csv_rows}

    return {
        "list": extend_schema(
            summary=list_summary,
            description=list_description,
            parameters=parameters,
            responses={**answers(True), **error_responses(400)},
            examples=list(examples),
        ),
        "retrieve": extend_schema(
            summary=one_summary,
            parameters=parameters,
            responses={**answers(False), **error_responses(400, 404)},
            examples=list(examples),
        ),
    }


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown or empty ?format= is a bad parameter (400), not a missing page (DRF's 404).

    A method the view does not handle gets JSON whatever the format asked: negotiation runs
    before DRF looks the method up, and a format the view only offers for reads must not turn
    a 405 into a 400.
    """

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        view = request.parser_context.get("view")
        method = (request.method or "").lower()
        if view is not None and not _handles(view, method):
            return JSONRenderer(), JSONRenderer.media_type
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, None) == "":
            raise exceptions.ValidationError(
                {"format": [_("Give a format, or leave the parameter out.")]}
            )
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        kept = [renderer for renderer in renderers if renderer.format == format]
        if not kept:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            message = _("Unknown format %(format)r: use %(known)s.") % {
                "format": format[:20],
                "known": known,
            }
            raise exceptions.ValidationError({"format": [message]})
        return kept


def _handles(view: APIView, method: str) -> bool:
    return method in view.http_method_names and hasattr(view, method)


# --- filters ----------------------------------------------------------------------------------


class ApiFilterBackend(DjangoFilterBackend):
    """The filter sets are shared with the pages, whose forms send every field, empty for "any".
    A script names only the parameters it means: an empty or repeated filter parameter is a
    mistake, refused with a 400 naming it rather than read as "any" or as its last value."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            errors: dict[str, list[str]] = {}
            for name in filterset_class.base_filters:
                values = request.query_params.getlist(name)
                if "" in values:
                    errors[name] = [_("Give a value, or leave the parameter out.")]
                elif len(values) > 1:
                    errors[name] = [_("Give this parameter once.")]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


# --- pagination -------------------------------------------------------------------------------

Ordering = Mapping[str, tuple[str, ...]]


class CursorPage(CursorPagination):
    """Cursor pages: stable under concurrent writes, so a sync that follows `next` sees every
    record once (a record changed meanwhile may appear again, later, with its new values).

    A view names its orderings in `ordering_choices` ({"updated": ("updated_at", "pk")}) and
    its default in `default_ordering`; the first field is the cursor's position and the others
    only break ties. The `Link` header carries the next and previous pages too (for CSV).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Lazy, in the language the schema is asked in: DRF writes them with force_str then.
    page_size_query_description = gettext_lazy(  # type: ignore[assignment]
        "Results per page, 1 to 500 (default 50); others are refused."
    )
    cursor_query_description = gettext_lazy(  # type: ignore[assignment]
        "Where the page starts: the `next` or `previous` link of the page before; never built "
        "by hand."
    )
    ordering_param = "ordering"

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        """The page size asked for, else the default; anything but a whole number from 1 to
        max_page_size is refused (DRF would silently use the default or the maximum)."""
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        if given.isascii() and given.isdigit() and 1 <= int(given) <= self.max_page_size:
            return int(given)
        raise exceptions.ValidationError(
            {
                self.page_size_query_param: [
                    _("Give a whole number of results per page from 1 to %(max)s.")
                    % {"max": self.max_page_size}
                ]
            }
        )

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView | None
    ) -> tuple[str, ...]:
        choices: Ordering = getattr(view, "ordering_choices", {})
        wanted = str(
            request.query_params.get(self.ordering_param, getattr(view, "default_ordering", ""))
        )
        if wanted not in choices:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown ordering %(value)r: use one of %(choices)s.")
                        % {"value": wanted[:40], "choices": ", ".join(choices)}
                    ]
                }
            )
        return choices[wanted]

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        invalid = exceptions.ValidationError(
            {
                self.cursor_query_param: [
                    _(
                        "Invalid cursor: use the next or previous link exactly as given, with "
                        "the same ordering."
                    )
                ]
            }
        )
        if not encoded:
            raise invalid
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
        except (TypeError, ValueError):
            raise invalid from None
        if not 0 <= offset <= self.offset_cutoff:
            raise invalid
        if position is not None:
            # The position goes into a WHERE clause: it must be a value of the ordering field.
            name = self.ordering[0].lstrip("-")
            field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
            try:
                field.to_python(position)  # type: ignore[union-attr]
            except DjangoValidationError:
                raise invalid from None
        # (The stubs type the position as an int; DRF keeps it as the text it put in the cursor.)
        return Cursor(offset=offset, reverse=reverse, position=position)  # type: ignore[arg-type]

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for url, rel in ((self.get_next_link(), "next"), (self.get_previous_link(), "previous"))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "minLength": 1}
        choices: Ordering = getattr(view, "ordering_choices", {})
        parameters.append(
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Sort order (a leading - sorts descending); default %(default)s.")
                    % {"default": getattr(view, "default_ordering", "")}
                ),
                "schema": {"type": "string", "enum": list(choices)},
            }
        )
        return parameters


# --- CSV --------------------------------------------------------------------------------------

Column = tuple[str, Callable[[dict[str, Any]], Any]]


def csv_columns(names: Iterable[str]) -> list[Column]:
    """One column per field, with the field's name as header: for flat records."""

    def column(name: str) -> Column:
        return name, lambda item: item[name]

    return [column(name) for name in names]


def csv_cell(value: Any) -> Any:
    """Lists become "a; b"; text that a spreadsheet would run as a formula is escaped as in the
    workbook and ledger downloads."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_cell(value)


class CsvRenderer(BaseRenderer):
    """The rows of a list (or the one record) as CSV, with the columns the view names in
    `csv_columns`: [(header, function of the JSON item)]. The rows are the page's "results", or
    the part of the answer the view names in `csv_items`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        view = (renderer_context or {}).get("view")
        columns: Sequence[Column] = getattr(view, "csv_columns", ())
        key = getattr(view, "csv_items", "results")
        if isinstance(data, dict) and key in data:
            items: Iterable[dict[str, Any]] = data[key]
        elif isinstance(data, list):
            items = data
        else:
            items = [data]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for header, _value in columns])
        for item in items:
            writer.writerow([csv_cell(value(item)) for _header, value in columns])
        return buffer.getvalue().encode(self.charset)


class CsvOnReads:
    """Lists and records read as JSON or CSV (?format=csv); writes answer JSON only.

    A viewset reads in its list and retrieve actions, a plain view in GET."""

    read_actions = ("list", "retrieve")

    def get_renderers(self) -> list[BaseRenderer]:
        action = getattr(self, "action", None)
        if action is None:
            request = getattr(self, "request", None)
            reading = request is None or request.method in ("GET", "HEAD")
        else:
            reading = action in self.read_actions
        return [JSONRenderer(), CsvRenderer()] if reading else [JSONRenderer()]


class ListsFromReplica(mixins.ListModelMixin):
    """The list action reads the read replica when there is one (ssc_portal.db_router): lists
    are the API's heaviest reads, and a page a second old serves as well. One record (retrieve)
    reads the primary, where a client finds what it has just written."""

    @reads_from_replica
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


# --- throttling -------------------------------------------------------------------------------


class CallerThrottle(SimpleRateThrottle):
    """One budget per API token, per logged-in user (browser session) and per anonymous address,
    at the rates of settings.API_THROTTLE_RATES; 429 with Retry-After beyond it.

    The counters live in the shared Redis cache ("api"). If Redis does not answer, requests are
    let through and the failure is logged: throttling protects the service, it must not be what
    takes it down.
    """

    def __init__(self) -> None:
        # The rate depends on who asks: it is chosen in allow_request, not here.
        self.history: list[float] = []

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return caches["api"]

    def _scope(self, request: Request) -> str:
        if token_of(request) is not None:
            return "token"
        if request.user and request.user.is_authenticated:
            return "session"
        return "anonymous"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        token = token_of(request)
        if token is not None:
            ident = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return f"throttle:{ident}"

    def get_ident(self, request: Request) -> str:
        # The sign-in lockout's rule (REMOTE_ADDR unless it is a trusted proxy), not DRF's
        # NUM_PROXIES, which believes X-Forwarded-For from whoever connects.
        return client_address(request._request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = self._scope(request)
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("API throttling is off: its cache does not answer.", exc_info=True)
            return True
