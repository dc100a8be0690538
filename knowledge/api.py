"""REST API endpoint of the knowledge library (/api/v1/knowledge/): read, and an asset's title
and abstract in other languages written (PUT replaces them, PATCH keeps those left out).

Scoped like the pages: KnowledgeAsset.objects.visible_to(caller) and access.get_asset_for_user,
so internal assets never reach partner users; the linked activities listed are those the caller
may see. Filters are the library's (q, type, country, division, theme, language, year,
activity, visibility); the order is the cursor pages' `ordering`, not relevance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from activities.history import Through
from activities.models import Activity, Partner
from ssc_portal.api import (
    Column,
    Conflict,
    CsvOnReads,
    ListsFromReplica,
    csv_columns,
    error_responses,
    read_schemas,
)

from . import access, services
from .api_examples import KNOWLEDGE_EXAMPLES
from .filters import KnowledgeFilter
from .models import AssetFile, KnowledgeAsset, KnowledgeAssetQuerySet, texts_prefetch
from .serializers import (
    AssetTextsInput,
    KnowledgeAssetDetailSerializer,
    KnowledgeAssetSerializer,
)
from .texts import TextVersion

if TYPE_CHECKING:
    from accounts.models import User


class ApiKnowledgeFilter(KnowledgeFilter):
    """The library's filters; the cursor pages order the results (no `sort`)."""

    sort = None  # type: ignore[assignment]

    def filter_q(self, queryset: KnowledgeAssetQuerySet, name: str, value: str) -> Any:
        return queryset.search(value or "")


KNOWLEDGE_CSV: list[Column] = [
    *csv_columns(
        [
            "id",
            "asset_type",
            "title",
            "language",
            "published_on",
            "division",
            "countries",
            "themes",
            "sdgs",
            "activities",
            "external_url",
            "licence",
            "visibility",
        ]
    ),
    ("authors", lambda a: [author["name"] for author in a["author_organizations"]]),
    ("files", lambda a: [f["url"] for f in a["files"]]),
    *csv_columns(["page", "updated_at"]),
]


@extend_schema_view(
    **read_schemas(
        KnowledgeAssetSerializer,
        list_summary=gettext_lazy("List knowledge assets"),
        one_summary=gettext_lazy("One knowledge asset, with its body"),
        list_description=gettext_lazy(
            "The assets you may see: staff every one, partner users the public ones. Filtered "
            "like the library page (q searches titles, abstracts, bodies and attached PDFs)."
        ),
        examples=KNOWLEDGE_EXAMPLES,
    ),
    update=extend_schema(
        summary=gettext_lazy("Replace a knowledge asset's versions in other languages"),
        description=gettext_lazy(
            "Its editors (the CPMs of its division, the focal point). Send `updated_at` as read: "
            "a stale one is refused with 409. `texts` replaces the versions: those left out are "
            "removed. A version in the asset's own language is refused."
        ),
        request=AssetTextsInput,
        responses={200: KnowledgeAssetDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a knowledge asset's versions in other languages"),
        description=gettext_lazy("As PUT, but without `texts` the versions are kept."),
        request=AssetTextsInput,
        responses={200: KnowledgeAssetDetailSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class KnowledgeAssetViewSet(CsvOnReads, ListsFromReplica, viewsets.ReadOnlyModelViewSet):
    serializer_class = KnowledgeAssetSerializer
    filterset_class = ApiKnowledgeFilter
    csv_columns = KNOWLEDGE_CSV
    ordering_choices = {
        "updated": ("updated_at", "pk"),
        "-updated": ("-updated_at", "-pk"),
        "published": ("published_on", "pk"),
        "-published": ("-published_on", "-pk"),
        "id": ("pk",),
        "-id": ("-pk",),
    }
    default_ordering = "updated"
    queryset = KnowledgeAsset.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return KnowledgeAssetDetailSerializer
        return KnowledgeAssetSerializer

    def get_queryset(self) -> QuerySet[KnowledgeAsset]:
        user: User = self.request.user  # type: ignore[assignment]
        assets = KnowledgeAsset.objects.visible_to(user).select_related("division")
        if self.action != "retrieve":
            assets = assets.defer("body", "file_text", "search_vector", "search_head")
        return assets.prefetch_related(*_links(user))

    def get_object(self) -> KnowledgeAsset:
        user: User = self.request.user  # type: ignore[assignment]
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise exceptions.NotFound(_("No such knowledge asset.")) from None
        access.get_asset_for_user(user, pk)  # 404 for what the caller may not see
        return self.get_queryset().get(pk=pk)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Only the versions in other languages; the asset's other fields are saved as they
        are (services.save_asset checks and indexes the whole)."""
        user: User = request.user  # type: ignore[assignment]
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise exceptions.NotFound(_("No such knowledge asset.")) from None
        asset = access.get_asset_for_user(user, pk, write=True)
        given = AssetTextsInput(data=request.data)
        given.is_valid(raise_exception=True)
        rows = given.validated_data.get("texts", None if kwargs.get("partial") else [])
        texts = (
            None
            if rows is None
            else [TextVersion(t["language"], t["title"], t.get("abstract", "")) for t in rows]
        )
        try:
            services.save_asset(
                asset=asset,
                data=services.asset_data_of(asset, texts=texts),
                user=user,
                through=Through.API,
                read_at=given.validated_data["updated_at"],
            )
        except services.StaleEditError as error:
            raise Conflict(str(error)) from None
        except services.KnowledgeError as error:
            raise exceptions.ValidationError(error.errors) from None
        self.action = "retrieve"
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


def _links(user: User) -> list[Any]:
    return [
        "countries",
        "themes",
        "sdgs",
        Prefetch("author_organizations", queryset=Partner.objects.only("pk", "name", "acronym")),
        Prefetch("activities", queryset=Activity.objects.visible_to(user).only("pk", "ssc_id")),
        Prefetch("files", queryset=AssetFile.objects.defer("text")),
        texts_prefetch(),
    ]
