from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        # Connects the receivers of knowledge's saves (Django's documented place for it).
        from . import receivers  # noqa: F401
