from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = _("Standards reporting")
    default_auto_field = "django.db.models.BigAutoField"
