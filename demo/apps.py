from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and synthetic data (`load_demo_data`, `generate_synthetic`): the one app above all the
    others, so that it may fill every one of them; nothing imports it, and it has no models."""

    name = "demo"
    verbose_name = _("Demo data")
