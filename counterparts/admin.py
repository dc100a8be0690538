"""The focal point reads the counterparts' records in the admin (history included); changes go
through the pages and the API, whose services keep the steps, the notifications and the
activity's summary together."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Comment, Confirmation, ContributionProposal


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_focal_point", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Confirmation)
class ConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("activity", "__str__", "state", "asked_at", "updated_at")
    list_filter = ("state",)
    search_fields = ("activity__ssc_id", "activity__title")
    list_select_related = ("activity", "country_link__country", "partner_link__partner")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("activity", "author", "internal", "created_at")
    list_filter = ("internal",)
    search_fields = ("activity__ssc_id", "body")
    list_select_related = ("activity", "author")


@admin.register(ContributionProposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("activity", "contributor", "kind", "amount", "currency", "state")
    list_filter = ("state", "kind")
    search_fields = ("activity__ssc_id", "contributor__name")
    list_select_related = ("activity", "contributor")
