"""User accounts in the Django admin, for superusers only.

The focal point manages people in the portal (the People pages, accounts.views.people): invites,
roles and scope, deactivation, with optimistic versions and the change history. The admin's user
pages stay for administrators (superusers), who also grant superuser powers.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User

ROLE_FIELDS = ("role", "divisions", "countries", "partner", "counterpart_country")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "partner",
        "counterpart_country",
        "is_active",
    )
    list_filter = ("role", "is_active", "divisions")
    list_select_related = ("partner", "counterpart_country")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("divisions", "countries", "groups", "user_permissions")
    autocomplete_fields = ("partner", "counterpart_country")
    fieldsets = (
        # Django sets UserAdmin.fieldsets; the stubs type ModelAdmin's as optional.
        *(BaseUserAdmin.fieldsets or ()),
        (_("SSC Portal role"), {"fields": ROLE_FIELDS}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("SSC Portal role"), {"fields": ROLE_FIELDS}),
    )

    def _is_administrator(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts are deactivated, never deleted: the audit history points at them.
        return False
