from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import signals  # connects the sign-in log receivers

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(signals.record_last_login, dispatch_uid="record_last_login")
