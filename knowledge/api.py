"""REST API endpoint of the knowledge library (/api/v1/knowledge/), read only.

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
from drf_spectacular.utils import extend_schema_view
from rest_framework import exceptions, viewsets

from activities.models import Activity, Partner
from ssc_portal.api import Column, CsvOnReads, ListsFromReplica, csv_columns, read_schemas

from . import access
from .api_examples import KNOWLEDGE_EXAMPLES
from .filters import KnowledgeFilter
from .models import AssetFile, KnowledgeAsset, KnowledgeAssetQuerySet
from .serializers import KnowledgeAssetDetailSerializer, KnowledgeAssetSerializer

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
    )
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


def _links(user: User) -> list[Any]:
    return [
        "countries",
        "themes",
        "sdgs",
        Prefetch("author_organizations", queryset=Partner.objects.only("pk", "name", "acronym")),
        Prefetch("activities", queryset=Activity.objects.visible_to(user).only("pk", "ssc_id")),
        Prefetch("files", queryset=AssetFile.objects.defer("text")),
    ]
