"""Trigram indexes for the activity list's text search (title and summary, case-insensitive).

PostgreSQL only: `icontains` becomes UPPER(col) LIKE UPPER('%text%'), which a GIN trigram index on
UPPER(col) answers without reading every row. SQLite (the quickstart) has no such index and does
not need one at its size.
"""

from django.db import migrations

INDEXES = (
    ("activity_title_trgm", "title"),
    ("activity_summary_trgm", "summary"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON activities_activity "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
