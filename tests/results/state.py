"""What the results app holds, to compare before and after a request (tests/helpers.db_state):
the rows of every model, their history models included, so any write, edit or delete shows."""

from __future__ import annotations

from django.apps import apps


def state() -> dict[str, int]:
    return {
        model._meta.model_name or "": model.objects.count()
        for model in apps.get_app_config("results").get_models()
    }
