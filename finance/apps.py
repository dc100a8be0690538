from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        # Django's documented place to connect receivers: the models are loaded by now.
        from activities.filters import register_list_filters

        from . import receivers  # noqa: F401
        from .list_filters import MONEY_LIST_FILTERS

        register_list_filters(MONEY_LIST_FILTERS)
