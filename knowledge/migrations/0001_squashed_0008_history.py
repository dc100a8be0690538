"""knowledge 0001 to 0008 in one migration, for new databases (Django's squashing).

Migrating a new database was mostly Django rendering model states again: each operation re-renders
the models related to the one it changes. Here each table is made whole by one CreateModel, its
later fields, indexes and constraints folded in (benchmarks/README.md, 2026-12-07). A database
that applied some of the migrations replaced goes on with them: they stay beside this one.

The data operations follow the schema ones, in their first order, copied from the migrations
replaced. On a new database the tables they compute from are empty, and the reference data they
load comes out as the migrations one by one load it (the dumps of both were compared).
"""

import django.contrib.postgres.search
import django.db.migrations.operations.special
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import accounts.text
import knowledge.models.assets

# From 0002_search_vector_gin_index:
# The GIN index that answers full-text search on knowledge assets (PostgreSQL only).
#
# Not declared on the model: Django would try to build a GIN index on SQLite too (the quickstart),
# which has none and searches with a substring match instead (KnowledgeAssetQuerySet.search).


def create_0002(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_search_vector_gin "
        "ON knowledge_knowledgeasset USING gin (search_vector)"
    )


def drop_0002(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_search_vector_gin")


# From 0003_search_index_per_language:
# Full-text search indexes per language (PostgreSQL only), replacing 0002's single index.
#
# One partial index per text-search configuration: a search compares each asset with the words
# parsed in its own language (`language IN (...) AND search_vector @@ query`, see
# knowledge.models.search_match), and a partial index whose predicate is that language condition
# answers the branch exactly, so PostgreSQL never has to read the vectors of the rows it rejects
# (a single index over every row would leave the language test to a filter reading each vector).
# A language added to the model later needs its index here; without one its branch still works,
# by scanning.
#
# Not declared on the model: Django would build GIN indexes on SQLite too (the quickstart), which
# has none and searches with substrings instead.


# Configuration -> language codes, as knowledge.models groups them (a copy: migrations do not
# import app code).
GROUPS_0003 = {
    "english": ("en",),
    "french": ("fr",),
    "spanish": ("es",),
    "portuguese": ("pt",),
    "arabic": ("ar",),
    "russian": ("ru",),
    "simple": ("zh", "other"),
}


def create_0003(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_search_vector_gin")
    for config, codes in GROUPS_0003.items():
        languages = ", ".join(f"'{code}'" for code in codes)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS knowledge_search_{config} "
            f"ON knowledge_knowledgeasset USING gin (search_vector) "
            f"WHERE language IN ({languages})"
        )


def drop_0003(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in GROUPS_0003:
        schema_editor.execute(f"DROP INDEX IF EXISTS knowledge_search_{config}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS knowledge_search_vector_gin "
        "ON knowledge_knowledgeasset USING gin (search_vector)"
    )


# From 0004_search_head_and_length:
# The head (title and abstract) and the length of each asset's search vector, kept beside it.
#
# The search page ranks by ts_rank over the full vector, which is large and stored out of the row
# (TOAST): ranking every match read each one. With the head vector (small, in the row) and the
# length that ts_rank normalizes by, knowledge.filters.collect bounds every match's rank and reads
# the full vector of only those that can reach the page asked for (KnowledgeAssetQuerySet.
# with_rank_bounds). services.reindex_assets keeps both in step from now on; this migration fills
# them for the assets indexed before it, in SQL (PostgreSQL only: on SQLite they stay NULL, as
# the vector does).


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


# From 0007_asset_texts:
# A knowledge asset's title and abstract in other languages (knowledge.models.texts), each with
# its own search vector in its own language, and its history.
#
# One partial GIN index per text-search configuration, as 0003 does for the assets' own vectors:
# a search compares each version with the words parsed in its own language, and an index whose
# predicate is that language condition answers the branch exactly (PostgreSQL only; SQLite, the
# quickstart, searches the text). Versions are in the agency's four content languages.


# Configuration -> language codes, as knowledge.models groups them (a copy: migrations do not
# import app code).
GROUPS_0007 = {"english": ("en",), "french": ("fr",), "spanish": ("es",), "arabic": ("ar",)}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config, codes in GROUPS_0007.items():
        languages = ", ".join(f"'{code}'" for code in codes)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS knowledge_text_search_{config} "
            f"ON knowledge_assettext USING gin (search_vector) "
            f"WHERE language IN ({languages})"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in GROUPS_0007:
        schema_editor.execute(f"DROP INDEX IF EXISTS knowledge_text_search_{config}")


class Migration(migrations.Migration):
    replaces = [
        ("knowledge", "0001_knowledge_assets_routes_demands"),
        ("knowledge", "0002_search_vector_gin_index"),
        ("knowledge", "0003_search_index_per_language"),
        ("knowledge", "0004_search_head_and_length"),
        ("knowledge", "0005_search_page_indexes"),
        ("knowledge", "0006_text_and_date_validators"),
        ("knowledge", "0007_asset_texts"),
        ("knowledge", "0008_history"),
    ]

    initial = True

    dependencies = [
        ("activities", "0013_activity_merges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="KnowledgeAsset",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "asset_type",
                    models.CharField(
                        choices=[
                            ("case_study", "Case study"),
                            ("lesson_learned", "Lesson learned"),
                            ("good_practice", "Good practice / solution"),
                            ("learning_route_guide", "Learning route guide"),
                            ("action_plan", "Innovation / action plan"),
                            ("evaluation", "Evaluation or survey"),
                            ("toolkit", "Toolkit / how-to note"),
                            ("policy_brief", "Policy brief"),
                            ("story", "Photo or video story"),
                        ],
                        max_length=30,
                        verbose_name="type",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "abstract",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="abstract",
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="The full text, when the asset is written here rather than attached.",
                        max_length=300000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="body",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("pt", "Portuguese"),
                            ("ar", "Arabic"),
                            ("ru", "Russian"),
                            ("zh", "Chinese"),
                            ("other", "Other language"),
                        ],
                        default="en",
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "published_on",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="publication date",
                    ),
                ),
                (
                    "external_url",
                    models.URLField(
                        blank=True,
                        help_text="Where the asset lives elsewhere (a video, a publisher's page).",
                        max_length=500,
                        verbose_name="external link",
                    ),
                ),
                (
                    "licence",
                    models.CharField(
                        choices=[
                            ("cc_by", "Creative Commons Attribution (CC BY 4.0)"),
                            ("cc_by_sa", "Creative Commons Attribution-ShareAlike (CC BY-SA 4.0)"),
                            (
                                "cc_by_nc",
                                "Creative Commons Attribution-NonCommercial (CC BY-NC 4.0)",
                            ),
                            ("cc_by_nc_sa", "Creative Commons BY-NC-SA 4.0"),
                            ("cc0", "Public domain (CC0)"),
                            ("copyright", "All rights reserved (ask the authors)"),
                        ],
                        default="cc_by",
                        max_length=20,
                        verbose_name="licence",
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[("internal", "Internal"), ("public", "Public")],
                        default="internal",
                        help_text="Public assets are shown to partner organizations and the public API.",
                        max_length=10,
                        verbose_name="visibility",
                    ),
                ),
                ("file_text", models.TextField(blank=True, editable=False)),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activities",
                    models.ManyToManyField(
                        blank=True,
                        related_name="knowledge_assets",
                        to="activities.activity",
                        verbose_name="linked activities",
                    ),
                ),
                (
                    "author_organizations",
                    models.ManyToManyField(
                        blank=True,
                        related_name="knowledge_assets",
                        to="activities.partner",
                        verbose_name="author organizations",
                    ),
                ),
                (
                    "countries",
                    models.ManyToManyField(
                        blank=True,
                        related_name="knowledge_assets",
                        to="activities.country",
                        verbose_name="countries",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        help_text="The IFAD division the asset belongs to (its CPMs may edit it).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.division",
                        verbose_name="division",
                    ),
                ),
                (
                    "sdgs",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="activities.sdg", verbose_name="SDGs"
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        related_name="knowledge_assets",
                        to="activities.theme",
                        verbose_name="themes",
                    ),
                ),
                (
                    "search_head",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                ("search_length", models.PositiveIntegerField(editable=False, null=True)),
            ],
            options={
                "verbose_name": "knowledge asset",
                "verbose_name_plural": "knowledge assets",
                "ordering": ["-published_on", "-pk"],
                "indexes": [
                    models.Index(fields=["published_on", "id"], name="knowledge_published_idx"),
                    models.Index(
                        fields=[
                            "visibility",
                            "published_on",
                            "id",
                            "asset_type",
                            "language",
                            "division",
                        ],
                        name="knowledge_visible_idx",
                    ),
                    models.Index(fields=["title", "id"], name="knowledge_title_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="AssetFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        upload_to=knowledge.models.assets.asset_file_path,
                        verbose_name="file",
                    ),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("pdf", "PDF document"),
                            ("docx", "Word document"),
                            ("xlsx", "Excel workbook"),
                            ("pptx", "PowerPoint presentation"),
                            ("png", "PNG image"),
                            ("jpeg", "JPEG image"),
                            ("gif", "GIF image"),
                            ("webp", "WebP image"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("pages", models.PositiveIntegerField(blank=True, null=True, verbose_name="pages")),
                ("text", models.TextField(blank=True, verbose_name="extracted text")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="knowledge.knowledgeasset",
                    ),
                ),
            ],
            options={
                "verbose_name": "asset file",
                "verbose_name_plural": "asset files",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="LearningOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="what they can share",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="details",
                    ),
                ),
                (
                    "languages",
                    models.JSONField(
                        default=list,
                        help_text="Languages the hosts can work in.",
                        verbose_name="languages",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Withdrawn offers are not proposed.",
                        verbose_name="still offered",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        help_text="The activity whose experience is offered, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="learning_offers",
                        to="activities.activity",
                        verbose_name="past activity",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="offering country",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="learning_offers",
                        to="activities.partner",
                        verbose_name="offering institution",
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        related_name="+", to="activities.theme", verbose_name="themes"
                    ),
                ),
            ],
            options={
                "verbose_name": "learning offer",
                "verbose_name_plural": "learning offers",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="LearningDemand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="For example: 'Community-run crab fattening and its market'.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="what they want to learn",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="details",
                    ),
                ),
                (
                    "audience",
                    models.CharField(
                        help_text="Who would travel or learn: project staff, farmer leaders, ministry...",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="for whom",
                    ),
                ),
                (
                    "needed_by",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="needed by",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("pt", "Portuguese"),
                            ("ar", "Arabic"),
                            ("ru", "Russian"),
                            ("zh", "Chinese"),
                            ("other", "Other language"),
                        ],
                        default="en",
                        max_length=5,
                        verbose_name="working language",
                    ),
                ),
                (
                    "preferred_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("learning_route", "Learning route"),
                            ("exposure_visit", "Exposure / study visit"),
                            ("training", "Training / capacity building"),
                            ("conference", "Conference / forum"),
                            ("policy_dialogue", "Policy dialogue"),
                            ("technical_assistance", "Technical assistance / expert deployment"),
                            ("research", "Research / action research"),
                            ("knowledge_fair", "Knowledge fair / marketplace"),
                            ("mentoring", "Mentoring / coaching"),
                            ("network", "Network / platform"),
                        ],
                        max_length=30,
                        verbose_name="preferred format",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("matched", "Matched"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "match_score",
                    models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
                ),
                ("match_reasons", models.JSONField(blank=True, default=list, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="resulting activity",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country programme",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        related_name="+", to="activities.theme", verbose_name="themes"
                    ),
                ),
                (
                    "accepted_offer",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="knowledge.learningoffer",
                        verbose_name="accepted offer",
                    ),
                ),
            ],
            options={
                "verbose_name": "learning demand",
                "verbose_name_plural": "learning demands",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="LearningRoute",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="summary",
                    ),
                ),
                (
                    "start_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="start date"
                    ),
                ),
                (
                    "end_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="end date"
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[("internal", "Internal"), ("public", "Public")],
                        default="internal",
                        max_length=10,
                        verbose_name="visibility",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activity",
                    models.OneToOneField(
                        blank=True,
                        help_text="The portfolio activity this route is, when it is recorded as one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="learning_route",
                        to="activities.activity",
                        verbose_name="activity",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.division",
                        verbose_name="division",
                    ),
                ),
                (
                    "organizer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who designed and ran the route (for example PROCASUR).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="organizer",
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        related_name="+", to="activities.theme", verbose_name="themes"
                    ),
                ),
            ],
            options={
                "verbose_name": "learning route",
                "verbose_name_plural": "learning routes",
                "ordering": ["-start_date", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HostCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="case",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
                (
                    "host",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="host organization",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.theme",
                        verbose_name="theme",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="host_cases",
                        to="knowledge.learningroute",
                    ),
                ),
            ],
            options={
                "verbose_name": "host case",
                "verbose_name_plural": "host cases",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="RouteParticipant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "people",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="people"),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="organization",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participants",
                        to="knowledge.learningroute",
                    ),
                ),
            ],
            options={
                "verbose_name": "route participant",
                "verbose_name_plural": "route participants",
                "ordering": ["pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("route", "organization"), name="route_participant_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ActionPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="what the plan says",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("drafted", "Drafted"),
                            ("adopted", "Adopted"),
                            ("funded", "Funded"),
                            ("implemented", "Implemented"),
                        ],
                        default="drafted",
                        max_length=12,
                        verbose_name="follow-up status",
                    ),
                ),
                (
                    "status_date",
                    models.DateField(
                        blank=True,
                        help_text="When it got to this status.",
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="status reached on",
                    ),
                ),
                (
                    "evidence",
                    models.TextField(
                        blank=True,
                        help_text="What shows the status: a decision, a budget line, a field report.",
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="evidence",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "evidence_asset",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                        verbose_name="evidence in the knowledge library",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plans",
                        to="knowledge.learningroute",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plans",
                        to="knowledge.routeparticipant",
                        verbose_name="participating project",
                    ),
                ),
            ],
            options={
                "verbose_name": "action plan",
                "verbose_name_plural": "action plans",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAssetText",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("ar", "Arabic"),
                        ],
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "abstract",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="abstract",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical title and abstract in another language",
                "verbose_name_plural": "historical titles and abstracts in other languages",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="AssetText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("ar", "Arabic"),
                        ],
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "abstract",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="abstract",
                    ),
                ),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="texts",
                        to="knowledge.knowledgeasset",
                    ),
                ),
            ],
            options={
                "verbose_name": "title and abstract in another language",
                "verbose_name_plural": "titles and abstracts in other languages",
                "ordering": ["language"],
                "constraints": [
                    models.UniqueConstraint(fields=("asset", "language"), name="asset_text_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActionPlan",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="what the plan says",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("drafted", "Drafted"),
                            ("adopted", "Adopted"),
                            ("funded", "Funded"),
                            ("implemented", "Implemented"),
                        ],
                        default="drafted",
                        max_length=12,
                        verbose_name="follow-up status",
                    ),
                ),
                (
                    "status_date",
                    models.DateField(
                        blank=True,
                        help_text="When it got to this status.",
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="status reached on",
                    ),
                ),
                (
                    "evidence",
                    models.TextField(
                        blank=True,
                        help_text="What shows the status: a decision, a budget line, a field report.",
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="evidence",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "evidence_asset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                        verbose_name="evidence in the knowledge library",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.routeparticipant",
                        verbose_name="participating project",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningroute",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical action plan",
                "verbose_name_plural": "historical action plans",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAssetFile",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("file", models.TextField(max_length=255, verbose_name="file")),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("pdf", "PDF document"),
                            ("docx", "Word document"),
                            ("xlsx", "Excel workbook"),
                            ("pptx", "PowerPoint presentation"),
                            ("png", "PNG image"),
                            ("jpeg", "JPEG image"),
                            ("gif", "GIF image"),
                            ("webp", "WebP image"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("pages", models.PositiveIntegerField(blank=True, null=True, verbose_name="pages")),
                ("uploaded_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical asset file",
                "verbose_name_plural": "historical asset files",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalHostCase",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="case",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "host",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="host organization",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningroute",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.theme",
                        verbose_name="theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical host case",
                "verbose_name_plural": "historical host cases",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "asset_type",
                    models.CharField(
                        choices=[
                            ("case_study", "Case study"),
                            ("lesson_learned", "Lesson learned"),
                            ("good_practice", "Good practice / solution"),
                            ("learning_route_guide", "Learning route guide"),
                            ("action_plan", "Innovation / action plan"),
                            ("evaluation", "Evaluation or survey"),
                            ("toolkit", "Toolkit / how-to note"),
                            ("policy_brief", "Policy brief"),
                            ("story", "Photo or video story"),
                        ],
                        max_length=30,
                        verbose_name="type",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "abstract",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="abstract",
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="The full text, when the asset is written here rather than attached.",
                        max_length=300000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="body",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("pt", "Portuguese"),
                            ("ar", "Arabic"),
                            ("ru", "Russian"),
                            ("zh", "Chinese"),
                            ("other", "Other language"),
                        ],
                        default="en",
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "published_on",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="publication date",
                    ),
                ),
                (
                    "external_url",
                    models.URLField(
                        blank=True,
                        help_text="Where the asset lives elsewhere (a video, a publisher's page).",
                        max_length=500,
                        verbose_name="external link",
                    ),
                ),
                (
                    "licence",
                    models.CharField(
                        choices=[
                            ("cc_by", "Creative Commons Attribution (CC BY 4.0)"),
                            ("cc_by_sa", "Creative Commons Attribution-ShareAlike (CC BY-SA 4.0)"),
                            (
                                "cc_by_nc",
                                "Creative Commons Attribution-NonCommercial (CC BY-NC 4.0)",
                            ),
                            ("cc_by_nc_sa", "Creative Commons BY-NC-SA 4.0"),
                            ("cc0", "Public domain (CC0)"),
                            ("copyright", "All rights reserved (ask the authors)"),
                        ],
                        default="cc_by",
                        max_length=20,
                        verbose_name="licence",
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[("internal", "Internal"), ("public", "Public")],
                        default="internal",
                        help_text="Public assets are shown to partner organizations and the public API.",
                        max_length=10,
                        verbose_name="visibility",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The IFAD division the asset belongs to (its CPMs may edit it).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.division",
                        verbose_name="division",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical knowledge asset",
                "verbose_name_plural": "historical knowledge assets",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset_activities",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicalknowledgeasset",
                    ),
                ),
                (
                    "knowledgeasset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalKnowledgeAsset_activities",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset_author_organizations",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicalknowledgeasset",
                    ),
                ),
                (
                    "knowledgeasset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalKnowledgeAsset_author_organizations",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset_countries",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicalknowledgeasset",
                    ),
                ),
                (
                    "knowledgeasset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalKnowledgeAsset_countries",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset_sdgs",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicalknowledgeasset",
                    ),
                ),
                (
                    "knowledgeasset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
                (
                    "sdg",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.sdg",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalKnowledgeAsset_sdgs",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnowledgeAsset_themes",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicalknowledgeasset",
                    ),
                ),
                (
                    "knowledgeasset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.knowledgeasset",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalKnowledgeAsset_themes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningDemand",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="For example: 'Community-run crab fattening and its market'.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="what they want to learn",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="details",
                    ),
                ),
                (
                    "audience",
                    models.CharField(
                        help_text="Who would travel or learn: project staff, farmer leaders, ministry...",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="for whom",
                    ),
                ),
                (
                    "needed_by",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="needed by",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("fr", "French"),
                            ("es", "Spanish"),
                            ("pt", "Portuguese"),
                            ("ar", "Arabic"),
                            ("ru", "Russian"),
                            ("zh", "Chinese"),
                            ("other", "Other language"),
                        ],
                        default="en",
                        max_length=5,
                        verbose_name="working language",
                    ),
                ),
                (
                    "preferred_type",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("learning_route", "Learning route"),
                            ("exposure_visit", "Exposure / study visit"),
                            ("training", "Training / capacity building"),
                            ("conference", "Conference / forum"),
                            ("policy_dialogue", "Policy dialogue"),
                            ("technical_assistance", "Technical assistance / expert deployment"),
                            ("research", "Research / action research"),
                            ("knowledge_fair", "Knowledge fair / marketplace"),
                            ("mentoring", "Mentoring / coaching"),
                            ("network", "Network / platform"),
                        ],
                        max_length=30,
                        verbose_name="preferred format",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("matched", "Matched"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "match_score",
                    models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
                ),
                ("match_reasons", models.JSONField(blank=True, default=list, editable=False)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "accepted_offer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningoffer",
                        verbose_name="accepted offer",
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="resulting activity",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country programme",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical learning demand",
                "verbose_name_plural": "historical learning demands",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningDemand_themes",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicallearningdemand",
                    ),
                ),
                (
                    "learningdemand",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningdemand",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalLearningDemand_themes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningOffer",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="what they can share",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="details",
                    ),
                ),
                (
                    "languages",
                    models.JSONField(
                        default=list,
                        help_text="Languages the hosts can work in.",
                        verbose_name="languages",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Withdrawn offers are not proposed.",
                        verbose_name="still offered",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The activity whose experience is offered, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="past activity",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="offering country",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "institution",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="offering institution",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical learning offer",
                "verbose_name_plural": "historical learning offers",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningOffer_themes",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicallearningoffer",
                    ),
                ),
                (
                    "learningoffer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningoffer",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalLearningOffer_themes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningRoute",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="summary",
                    ),
                ),
                (
                    "start_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="start date"
                    ),
                ),
                (
                    "end_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="end date"
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[("internal", "Internal"), ("public", "Public")],
                        default="internal",
                        max_length=10,
                        verbose_name="visibility",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The portfolio activity this route is, when it is recorded as one.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="activity",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.division",
                        verbose_name="division",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organizer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who designed and ran the route (for example PROCASUR).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="organizer",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical learning route",
                "verbose_name_plural": "historical learning routes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLearningRoute_themes",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="knowledge.historicallearningroute",
                    ),
                ),
                (
                    "learningroute",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningroute",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalLearningRoute_themes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRouteParticipant",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "people",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="people"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="organization",
                    ),
                ),
                (
                    "route",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.learningroute",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical route participant",
                "verbose_name_plural": "historical route participants",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(
            code=create_0002,
            reverse_code=drop_0002,
        ),
        migrations.RunPython(
            code=create_0003,
            reverse_code=drop_0003,
        ),
        migrations.RunPython(
            code=fill,
            reverse_code=django.db.migrations.operations.special.RunPython.noop,
        ),
        migrations.RunPython(
            code=create_indexes,
            reverse_code=drop_indexes,
        ),
    ]
