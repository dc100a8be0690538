"""Money recorded before the ledger moved an activity's `updated_at` (finance.services,
touch_activities): each activity's `updated_at` becomes the time of its newest ledger entry when
that is later, so the API and the IATI file date the money already there too."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def catch_up(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    newest = Subquery(
        FinancialEntry.objects.filter(activity_id=OuterRef("pk"))
        .order_by()
        .values("activity_id")
        .annotate(newest=Max("created_at"))
        .values("newest")
    )
    Activity.objects.filter(updated_at__lt=newest).update(updated_at=newest)


class Migration(migrations.Migration):
    dependencies = [("finance", "0021_default_dac_purpose_codes")]

    operations = [migrations.RunPython(catch_up, migrations.RunPython.noop)]
