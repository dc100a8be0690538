from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterpartsConfig(AppConfig):
    name = "counterparts"
    verbose_name = _("Counterparts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receivers of activities' and finance's signals (receivers.py).
        from . import receivers  # noqa: F401
