"""An activity's pairs read from the index alone: the dashboard filtered by a country counts the
pairs of that country's activities (benchmarks/README.md, 2026-12-06)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_text_and_date_validators"),
        ("finance", "0027_drop_full_theme_cover"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activitypair",
            name="activity_pair_activity",
        ),
        migrations.AddIndex(
            model_name="activitypair",
            index=models.Index(
                fields=["activity"],
                include=("provider", "receiver"),
                name="activity_pair_activity_cover",
            ),
        ),
    ]
