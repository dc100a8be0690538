"""The Django admin is where the focal point keeps reference data and users.

Activities and partners are edited in the portal's own pages, where the services validate and
record every change; here they are read-only so that nothing escapes those rules.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import SDG, Activity, Country, Division, Partner, StatusChange, Theme


class FocalPointAdmin(admin.ModelAdmin):
    """Reference data: the focal point and admins manage it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_focal_point  # type: ignore[union-attr]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_focal_point  # type: ignore[union-attr]

    has_add_permission = has_module_permission  # type: ignore[assignment]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_focal_point  # type: ignore[union-attr]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_focal_point  # type: ignore[union-attr]


class ReadOnlyAdmin(FocalPointAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Division)
class DivisionAdmin(FocalPointAdmin):
    list_display = ("code", "name", "is_regional")


@admin.register(Country)
class CountryAdmin(FocalPointAdmin):
    list_display = ("name", "iso2", "iso3", "division", "income_group", "income_group_year")
    list_filter = ("division", "income_group")
    search_fields = ("name", "iso2", "iso3", "official_name")
    list_select_related = ("division",)


@admin.register(Theme)
class ThemeAdmin(FocalPointAdmin):
    list_display = ("name", "code", "position")
    ordering = ("position",)


@admin.register(SDG)
class SDGAdmin(FocalPointAdmin):
    list_display = ("number", "name")


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("name", "acronym", "type", "country")
    list_filter = ("type",)
    search_fields = ("name", "acronym")
    list_select_related = ("country",)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("ssc_id", "title", "status", "lead_division", "modality")
    list_filter = ("status", "lead_division", "modality")
    search_fields = ("ssc_id", "title")
    list_select_related = ("lead_division",)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("activity", "from_status", "to_status", "changed_by", "changed_at")
    list_select_related = ("activity", "changed_by")
