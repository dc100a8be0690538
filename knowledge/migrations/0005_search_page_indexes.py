"""Indexes in the search page's orders, one of them carrying the facet columns.

The page of a list is read from an index in its order (newest, oldest, title; the id breaks
ties) instead of sorting every match, and the facets of a list without words are counted from
the visibility index alone (an index-only scan) instead of reading the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_search_head_and_length")]

    operations = [
        migrations.RemoveIndex(model_name="knowledgeasset", name="knowledge_published_idx"),
        migrations.RemoveIndex(model_name="knowledgeasset", name="knowledge_visible_idx"),
        migrations.AddIndex(
            model_name="knowledgeasset",
            index=models.Index(fields=["published_on", "id"], name="knowledge_published_idx"),
        ),
        migrations.AddIndex(
            model_name="knowledgeasset",
            index=models.Index(
                fields=["visibility", "published_on", "id", "asset_type", "language", "division"],
                name="knowledge_visible_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="knowledgeasset",
            index=models.Index(fields=["title", "id"], name="knowledge_title_idx"),
        ),
    ]
