"""User management in the Django admin, for the focal point and admins.

The focal point manages users (roles, divisions, countries, partner organization, the country a
counterpart speaks for) but cannot
grant superuser powers or touch a superuser's account: those stay with administrators.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User

SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")
ROLE_FIELDS = ("role", "divisions", "countries", "partner", "counterpart_country")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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

    def _is_focal_point(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_focal_point", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_focal_point(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_focal_point(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_focal_point(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._is_focal_point(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts are deactivated, never deleted: the audit history points at them.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly
