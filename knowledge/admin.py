"""Knowledge records in the Django admin, read-only: they are written through the portal's pages
and services, which check uploads, keep the search vector in step and apply the access rules."""

from django.contrib import admin

from activities.admin import ReadOnlyAdmin

from .models import (
    ActionPlan,
    AssetFile,
    HostCase,
    KnowledgeAsset,
    LearningDemand,
    LearningOffer,
    LearningRoute,
    RouteParticipant,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AssetFileInline(ReadOnlyInline):
    model = AssetFile
    fields = ("original_name", "kind", "size", "pages", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(KnowledgeAsset)
class KnowledgeAssetAdmin(ReadOnlyAdmin):
    list_display = ("title", "asset_type", "published_on", "language", "division", "visibility")
    list_filter = ("asset_type", "visibility", "language", "division")
    search_fields = ("title", "abstract")
    list_select_related = ("division",)
    exclude = ("search_vector", "file_text")
    inlines = [AssetFileInline]


class HostCaseInline(ReadOnlyInline):
    model = HostCase


class ParticipantInline(ReadOnlyInline):
    model = RouteParticipant


class ActionPlanInline(ReadOnlyInline):
    model = ActionPlan
    fields = ("participant", "title", "status", "status_date", "evidence_url")


@admin.register(LearningRoute)
class LearningRouteAdmin(ReadOnlyAdmin):
    list_display = ("title", "start_date", "end_date", "division", "organizer", "visibility")
    list_filter = ("division", "visibility")
    search_fields = ("title",)
    list_select_related = ("division", "organizer")
    inlines = [HostCaseInline, ParticipantInline, ActionPlanInline]


@admin.register(LearningDemand)
class LearningDemandAdmin(ReadOnlyAdmin):
    list_display = ("title", "country", "status", "needed_by", "activity")
    list_filter = ("status",)
    search_fields = ("title", "audience")
    list_select_related = ("country", "activity")


@admin.register(LearningOffer)
class LearningOfferAdmin(ReadOnlyAdmin):
    list_display = ("title", "institution", "country", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "institution__name")
    list_select_related = ("institution", "country")
