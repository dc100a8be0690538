from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "partner", "is_active")
    list_filter = ("role", "is_active", "divisions")
    list_select_related = ("partner",)
    filter_horizontal = ("divisions", "countries", "groups", "user_permissions")
    autocomplete_fields = ("partner",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("SSC Portal role"), {"fields": ("role", "divisions", "countries", "partner")}),
    )
