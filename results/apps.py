from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        # Connects the receivers of knowledge's saves (Django's documented place for it).
        from activities.merge_facts import register_merge_facts
        from activities.results_seam import register_approved_results

        from . import receivers  # noqa: F401
        from .progress import activities_with_approved_results  # models are loaded by now
        from .services.merges import results_facts

        # A completed activity's approved results stand for its outcomes text (the rule is
        # activities.models.Activity.missing_status_facts).
        register_approved_results(activities_with_approved_results)
        register_merge_facts(results_facts)
