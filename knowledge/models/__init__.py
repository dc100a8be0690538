"""Knowledge: what SSC activities leave behind (case studies, guides, plans, stories), the
learning routes with the action plans their participants drew up, and the demand for learning
matched with what institutions offer.

Rules about one object live in these modules as methods and properties; who may see or change
what lives in knowledge.access (the querysets' `visible_to` and `editable_by` hand over to it);
writes live in services.py.
"""

from .assets import (
    AssetFile,
    AssetType,
    FileKind,
    KnowledgeAsset,
    KnowledgeAssetQuerySet,
    Language,
    Licence,
    asset_file_path,
    rank_bounds,
    search_config_for,
    search_match,
    search_query,
)
from .demand import DemandQuerySet, DemandStatus, LearningDemand, LearningOffer, OfferQuerySet
from .routes import ActionPlan, HostCase, LearningRoute, PlanStatus, RouteParticipant, RouteQuerySet
from .texts import AssetText, local_title, texts_prefetch, version_title

__all__ = [
    "ActionPlan",
    "AssetFile",
    "AssetText",
    "AssetType",
    "DemandQuerySet",
    "DemandStatus",
    "FileKind",
    "HostCase",
    "KnowledgeAsset",
    "KnowledgeAssetQuerySet",
    "Language",
    "LearningDemand",
    "LearningOffer",
    "LearningRoute",
    "Licence",
    "OfferQuerySet",
    "PlanStatus",
    "RouteParticipant",
    "RouteQuerySet",
    "asset_file_path",
    "local_title",
    "rank_bounds",
    "search_config_for",
    "search_match",
    "search_query",
    "texts_prefetch",
    "version_title",
]
