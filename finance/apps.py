from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        # Django's documented place to connect receivers: the models are loaded by now.
        from activities.filters import register_list_filters
        from activities.merge_facts import register_merge_facts

        from . import receivers  # noqa: F401
        from .list_filters import MONEY_LIST_FILTERS
        from .merges import ledger_facts

        register_list_filters(MONEY_LIST_FILTERS)
        register_merge_facts(ledger_facts)
