from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # Connects the receivers of activities' signals (Django's documented place for it).
        from activities.access import register_partner_reach

        from . import receivers  # noqa: F401
        from .access import readable_authors

        # An asset's author links lead to organization pages (activities' seam for it).
        register_partner_reach(readable_authors)
