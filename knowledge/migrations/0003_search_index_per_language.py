"""Full-text search indexes per language (PostgreSQL only), replacing 0002's single index.

One partial index per text-search configuration: a search compares each asset with the words
parsed in its own language (`language IN (...) AND search_vector @@ query`, see
knowledge.models.search_match), and a partial index whose predicate is that language condition
answers the branch exactly, so PostgreSQL never has to read the vectors of the rows it rejects
(a single index over every row would leave the language test to a filter reading each vector).
A language added to the model later needs its index here; without one its branch still works,
by scanning.

Not declared on the model: Django would build GIN indexes on SQLite too (the quickstart), which
has none and searches with substrings instead.
"""

from django.db import migrations

# Configuration -> language codes, as knowledge.models groups them (a copy: migrations do not
# import app code).
GROUPS = {
    "english": ("en",),
    "french": ("fr",),
    "spanish": ("es",),
    "portuguese": ("pt",),
    "arabic": ("ar",),
    "russian": ("ru",),
    "simple": ("zh", "other"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_search_vector_gin")
    for config, codes in GROUPS.items():
        languages = ", ".join(f"'{code}'" for code in codes)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS knowledge_search_{config} "
            f"ON knowledge_knowledgeasset USING gin (search_vector) "
            f"WHERE language IN ({languages})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in GROUPS:
        schema_editor.execute(f"DROP INDEX IF EXISTS knowledge_search_{config}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_search_vector_gin "
        "ON knowledge_knowledgeasset USING gin (search_vector)"
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_vector_gin_index")]

    operations = [migrations.RunPython(create, drop)]
