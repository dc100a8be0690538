"""The head (title and abstract) and the length of each asset's search vector, kept beside it.

The search page ranks by ts_rank over the full vector, which is large and stored out of the row
(TOAST): ranking every match read each one. With the head vector (small, in the row) and the
length that ts_rank normalizes by, knowledge.filters.collect bounds every match's rank and reads
the full vector of only those that can reach the page asked for (KnowledgeAssetQuerySet.
with_rank_bounds). services.reindex_assets keeps both in step from now on; this migration fills
them for the assets indexed before it, in SQL (PostgreSQL only: on SQLite they stay NULL, as
the vector does).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

# Language code -> text-search configuration, as knowledge.models.SEARCH_CONFIGS ("simple" for
# the others; a copy: migrations do not import app code).
CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "ar": "arabic",
    "ru": "russian",
}


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The same expression as services.search_head(), and the length as services.VectorLength.
    config = (
        "CASE "
        + " ".join(f"WHEN language = '{code}' THEN '{cfg}'" for code, cfg in CONFIGS.items())
        + " ELSE 'simple' END::regconfig"
    )
    schema_editor.execute(
        "UPDATE knowledge_knowledgeasset SET "
        f"search_head = setweight(to_tsvector({config}, COALESCE(title, '')), 'A') "
        f"|| setweight(to_tsvector({config}, COALESCE(abstract, '')), 'B'), "
        "search_length = (SELECT COALESCE(SUM(GREATEST(COALESCE(CARDINALITY(positions), 0), 1)), 0)"
        " FROM unnest(search_vector)) "
        "WHERE search_vector IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_search_index_per_language")]

    operations = [
        migrations.AddField(
            model_name="knowledgeasset",
            name="search_head",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="knowledgeasset",
            name="search_length",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
