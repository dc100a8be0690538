"""The GIN index that answers full-text search on knowledge assets (PostgreSQL only).

Not declared on the model: Django would try to build a GIN index on SQLite too (the quickstart),
which has none and searches with a substring match instead (KnowledgeAssetQuerySet.search).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_search_vector_gin "
        "ON knowledge_knowledgeasset USING gin (search_vector)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_knowledge_assets_routes_demands")]

    operations = [migrations.RunPython(create, drop)]
