"""The REST API's addresses (included under /api/ by ssc_portal.urls).

Version 1 lives under /api/v1/; the OpenAPI schema and its human-readable reference beside it.
Any other /api/ address answers a JSON 404, never an HTML page.

The IATI file is composed here: finance writes it, and the apps above finance (results,
counterparts) give it their parts (finance.iati.ActivityPart), which finance may not import itself.
"""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from activities.api import CountryViewSet, PartnerViewSet, ThemeViewSet
from counterparts import iati as counterparts_iati
from counterparts.api import (
    CommentViewSet,
    ConfirmationViewSet,
    NotificationViewSet,
    ProposalViewSet,
)
from finance.activity_api import ActivityViewSet
from finance.api import IatiActivitiesViewSet, LedgerViewSet, RollupView
from knowledge.api import KnowledgeAssetViewSet
from results import iati as results_iati
from results.api import (
    CoreIndicatorViewSet,
    DimensionViewSet,
    IndicatorViewSet,
    ResultViewSet,
    UpdateViewSet,
)
from standards.api import StandardsExportViewSet, TossdView

from .api_docs import api_docs, getting_started
from .api_views import SchemaView, not_found

app_name = "api"

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("partners", PartnerViewSet, basename="partner")
router.register("countries", CountryViewSet, basename="country")
router.register("themes", ThemeViewSet, basename="theme")
router.register("ledger", LedgerViewSet, basename="ledger")
router.register("knowledge", KnowledgeAssetViewSet, basename="knowledge")
router.register("results", ResultViewSet, basename="result")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("updates", UpdateViewSet, basename="update")
router.register("core-indicators", CoreIndicatorViewSet, basename="core-indicator")
router.register("dimensions", DimensionViewSet, basename="dimension")
router.register("confirmations", ConfirmationViewSet, basename="confirmation")
router.register("comments", CommentViewSet, basename="comment")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("standards-exports", StandardsExportViewSet, basename="standards-export")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/rollups/", RollupView.as_view(), name="rollups"),
    path("v1/standards/tossd/", TossdView.as_view(), name="standards-tossd"),
    path(
        "v1/iati/activities.xml",
        IatiActivitiesViewSet.as_view(
            {"get": "list"},
            parts=(*results_iati.PARTS, *counterparts_iati.PARTS),
        ),
        name="iati-activities",
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("getting-started/", getting_started, name="getting_started"),
    # [\s\S], not ".": an address with an encoded newline must land here too.
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not_found"),
]
