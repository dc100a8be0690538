from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from activities.services import PARTNER_MERGE_HOOKS

        from .services import move_contributions

        # Without it, merging a partner that contributed money would hit the ledger's PROTECT.
        if move_contributions not in PARTNER_MERGE_HOOKS:
            PARTNER_MERGE_HOOKS.append(move_contributions)
