"""Indexes for every branch of the activity list's text search (ActivityQuerySet.search).

The SSC ID compared case-insensitively, on every database. On PostgreSQL, trigram indexes on the
other languages' titles and summaries too, as migration 0005 made for the activity's own: each
branch of the search is then answered by an index. SQLite (the quickstart) has no trigram
indexes and does not need them at its size.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

TEXT_INDEXES = (
    ("activity_text_title_trgm", "title"),
    ("activity_text_summary_trgm", "summary"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TEXT_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON activities_activitytext "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in TEXT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_division_status_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                django.db.models.functions.text.Upper("ssc_id"),
                name="activity_ssc_id_upper_idx",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
