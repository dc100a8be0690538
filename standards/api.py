"""REST API of standards reporting: ask for an export and follow it, download its file, and
read the TOSSD extract as JSON a page of activities at a time.

Scoped through standards.access: the exports are read by who asked for them (the focal point
reads all); the TOSSD rows by agency staff. A request the checks refuse answers 400 with the
problems by activity, never a wrong file or page.
"""

from __future__ import annotations

import math
from typing import Any

from django.http import FileResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from ssc_portal.api import error_responses

from . import access
from .build import tossd_contents
from .errors import StandardsError
from .models import ExportFormat, StandardsExport
from .serializers import (
    StandardsChecksFailedSerializer,
    StandardsExportInput,
    StandardsExportSerializer,
    TossdPageQuery,
    TossdPageSerializer,
)
from .services import start_export
from .views import CONTENT_TYPES

TOSSD_PAGE_ACTIVITIES = 100


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not access.may_use_standards(user):
        raise exceptions.PermissionDenied(
            _("Standards reporting is for agency staff and country counterparts.")
        )
    return user


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List your standards exports"),
        responses={200: StandardsExportSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One standards export: its state, progress and problems"),
        responses={200: StandardsExportSerializer, **error_responses(400, 403, 404)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Ask for a TOSSD extract or an SDG 17.3.1 aggregate"),
        description=gettext_lazy(
            "Built by a worker: follow its state and progress, then download it. A country "
            "counterpart gets its country's slice of the SDG 17.3.1 aggregate."
        ),
        request=StandardsExportInput,
        responses={201: StandardsExportSerializer, **error_responses(400, 403)},
    ),
    download=extend_schema(
        summary=gettext_lazy("Download a finished export's file"),
        responses={
            (200, CONTENT_TYPES[ExportFormat.CSV].split(";")[0]): OpenApiResponse(
                OpenApiTypes.BINARY, description=gettext_lazy("The CSV file.")
            ),
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiResponse(
                OpenApiTypes.BINARY, description=gettext_lazy("The Excel workbook.")
            ),
            **error_responses(400, 403, 404, 409),
        },
    ),
)
class StandardsExportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[StandardsExport],
):
    serializer_class = StandardsExportSerializer
    renderer_classes = [JSONRenderer]
    filterset_class = None
    queryset = StandardsExport.objects.none()  # the schema's; get_queryset scopes the reads
    ordering_choices = {"-id": ("-pk",), "id": ("pk",)}
    default_ordering = "-id"

    def get_queryset(self) -> Any:
        return access.readable_exports(_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        parsed = StandardsExportInput(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            export = start_export(
                user=user,
                kind=parsed.validated_data["kind"],
                file_format=parsed.validated_data["format"],
                selection=parsed.selection(),
                language=get_language() or "",
            )
        except StandardsError as error:
            raise exceptions.ValidationError(error.errors) from None
        export.refresh_from_db()
        return Response(StandardsExportSerializer(export).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        export = self.get_object()
        if export.state != StandardsExport.State.DONE or not export.file:
            return Response(
                {"detail": _("This export is not ready."), "state": export.state},
                status=status.HTTP_409_CONFLICT,
            )
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type=CONTENT_TYPES[ExportFormat(export.format)],
        )


@extend_schema(
    summary=gettext_lazy("The TOSSD extract, a page of activities at a time"),
    description=gettext_lazy(
        "One row per activity, recipient country and fiscal year, for a page of the "
        "selection's activities (100 a page). The page's checks run first: when they find "
        "problems, the answer is 400 with the problems by activity."
    ),
    parameters=[TossdPageQuery],
    responses={
        200: TossdPageSerializer,
        **error_responses(403, 404),
        (400, "application/json"): OpenApiResponse(
            StandardsChecksFailedSerializer,
            description=gettext_lazy(
                "A parameter is invalid (`errors` names it), or the checks found problems "
                "(`code` checks_failed, `problems` by activity)."
            ),
        ),
    },
)
class TossdView(generics.GenericAPIView):  # type: ignore[type-arg]
    renderer_classes = [JSONRenderer]
    pagination_class = None
    filterset_class = None
    serializer_class = TossdPageSerializer
    queryset = StandardsExport.objects.none()

    def get(self, request: Request) -> Response:
        user = _user(request)
        if not access.exports_all(user):
            raise exceptions.PermissionDenied(_("The TOSSD extract is for agency staff."))
        query = TossdPageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        selection = query.selection()
        ids = selection.activity_ids()
        pages = max(1, math.ceil(len(ids) / TOSSD_PAGE_ACTIVITIES))
        page = query.validated_data["page"]
        if page > pages:
            raise exceptions.NotFound(_("There is no page %(page)d.") % {"page": page})
        chosen = ids[(page - 1) * TOSSD_PAGE_ACTIVITIES : page * TOSSD_PAGE_ACTIVITIES]
        contents = tossd_contents(selection, ids=chosen)
        if contents.problems:
            refusal: dict[str, Any] = {
                "detail": _("The checks found problems: fix them to read these rows."),
                "code": "checks_failed",
                "problems": [problem.as_dict() for problem in contents.problems],
            }
            return Response(refusal, status=status.HTTP_400_BAD_REQUEST)
        body = {"count": len(ids), "page": page, "pages": pages, "results": contents.rows}
        return Response(TossdPageSerializer(body).data)
