"""activities 0001 to 0013 in one migration, for new databases (Django's squashing).

Migrating a new database was mostly Django rendering model states again: each operation re-renders
the models related to the one it changes. Here each table is made whole by one CreateModel, its
later fields, indexes and constraints folded in (benchmarks/README.md, 2026-12-07). A database
that applied some of the migrations replaced goes on with them: they stay beside this one.

The data operations follow the schema ones, in their first order, copied from the migrations
replaced. On a new database the tables they compute from are empty, and the reference data they
load comes out as the migrations one by one load it (the dumps of both were compared).
"""

import re
import unicodedata

import django.db.migrations.operations.special
import django.db.models.deletion
import django.db.models.functions.comparison
import django.db.models.functions.datetime
import django.db.models.functions.text
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import accounts.text
from activities import reference_data

# From 0002_load_reference_data:
# Load divisions, themes, SDGs and every country from the maintained packages.
#
# The rows come from activities.reference_data, which reads packages and shipped codelists only
# (no models), so this migration stays valid as the app's code changes.


def load(apps, schema_editor):
    Division = apps.get_model("activities", "Division")
    Country = apps.get_model("activities", "Country")
    Theme = apps.get_model("activities", "Theme")
    SDG = apps.get_model("activities", "SDG")
    divisions = {}
    for code, name, regional in reference_data.DIVISIONS:
        divisions[code], _ = Division.objects.update_or_create(
            code=code, defaults={"name": name, "is_regional": regional}
        )
    for position, (code, name) in enumerate(reference_data.THEMES, start=1):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "position": position})
    for number, name in reference_data.sdg_rows():
        SDG.objects.update_or_create(number=number, defaults={"name": name})
    for row in reference_data.country_rows():
        values = dict(row)
        division = values.pop("division")
        values["division"] = divisions[division] if division else None
        Country.objects.update_or_create(iso2=values.pop("iso2"), defaults=values)


# From 0005_search_trigram_indexes:
# Trigram indexes for the activity list's text search (title and summary, case-insensitive).
#
# PostgreSQL only: `icontains` becomes UPPER(col) LIKE UPPER('%text%'), which a GIN trigram index on
# UPPER(col) answers without reading every row. SQLite (the quickstart) has no such index and does
# not need one at its size.


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


# From 0011_partner_aliases:
# Partners' other names (former names, other spellings) and the key the partner search reads.
#
# The key of the rows already there is filled here with the same folding as
# activities.models.fold_text (written out again: a migration never imports app code).


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


def fill_search_keys(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    for partner in Partner.objects.only("pk", "name", "acronym").iterator(chunk_size=2000):
        names = [name for name in (partner.name, partner.acronym) if name]
        Partner.objects.filter(pk=partner.pk).update(
            search_key=" | ".join(_fold(name) for name in names)
        )


class Migration(migrations.Migration):
    replaces = [
        ("activities", "0001_initial"),
        ("activities", "0002_load_reference_data"),
        ("activities", "0003_partner_type_other"),
        ("activities", "0004_list_indexes"),
        ("activities", "0005_search_trigram_indexes"),
        ("activities", "0006_status_rank_index"),
        ("activities", "0007_text_and_date_validators"),
        ("activities", "0008_activity_agreement"),
        ("activities", "0009_saved_views"),
        ("activities", "0010_duplicate_pairs"),
        ("activities", "0011_partner_aliases"),
        ("activities", "0012_activity_texts"),
        ("activities", "0013_activity_merges"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Division",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=10, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "is_regional",
                    models.BooleanField(
                        default=True,
                        help_text="Countries belong to regional divisions only.",
                        verbose_name="regional",
                    ),
                ),
            ],
            options={
                "verbose_name": "division",
                "verbose_name_plural": "divisions",
                "ordering": ["-is_regional", "code"],
            },
        ),
        migrations.CreateModel(
            name="SDG",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(unique=True, verbose_name="goal")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
            ],
            options={
                "verbose_name": "SDG",
                "verbose_name_plural": "SDGs",
                "ordering": ["number"],
            },
        ),
        migrations.CreateModel(
            name="Theme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=150, unique=True, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "theme",
                "verbose_name_plural": "themes",
                "ordering": ["position", "name"],
            },
        ),
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "ssc_id",
                    models.CharField(
                        help_text="Corporate identifier SSC-YYYY-NN; generated when left empty.",
                        max_length=20,
                        unique=True,
                        validators=[accounts.text.validate_ssc_id],
                        verbose_name="SSC ID",
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
                        verbose_name="summary",
                    ),
                ),
                (
                    "objectives",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="objectives",
                    ),
                ),
                (
                    "activity_type",
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
                        verbose_name="activity type",
                    ),
                ),
                (
                    "modality",
                    models.CharField(
                        choices=[
                            ("south_south", "South-South"),
                            ("triangular", "Triangular"),
                            ("trilateral", "Trilateral"),
                        ],
                        max_length=20,
                        verbose_name="modality",
                    ),
                ),
                (
                    "funding_nature",
                    models.CharField(
                        choices=[
                            ("grant", "Grant-funded"),
                            ("in_project", "In project (loan-funded investment project)"),
                            ("admin_budget", "Administrative budget"),
                        ],
                        max_length=20,
                        verbose_name="funding nature",
                    ),
                ),
                (
                    "project_id",
                    models.CharField(
                        blank=True,
                        help_text="Required when the activity sits inside a loan-funded investment project.",
                        max_length=40,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="investment project ID",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pipeline", "Pipeline"),
                            ("approved", "Approved"),
                            ("ongoing", "Ongoing"),
                            ("completed", "Completed"),
                            ("closed", "Closed"),
                            ("suspended", "Suspended"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pipeline",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "approval_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="year of approval"
                    ),
                ),
                (
                    "planned_start",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="planned start",
                    ),
                ),
                (
                    "planned_end",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="planned end",
                    ),
                ),
                (
                    "actual_start",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="actual start",
                    ),
                ),
                (
                    "actual_end",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="actual end",
                    ),
                ),
                (
                    "participants_women",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="women participants"
                    ),
                ),
                (
                    "participants_men",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="men participants"
                    ),
                ),
                (
                    "participants_youth",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Young people among the women and men above.",
                        null=True,
                        verbose_name="youth participants",
                    ),
                ),
                (
                    "outcomes",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="outcomes and results",
                    ),
                ),
                (
                    "action_plans_adopted",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="action / innovation plans adopted"
                    ),
                ),
                (
                    "follow_up",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="follow-up",
                    ),
                ),
                (
                    "lessons_learned",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="lessons learned",
                    ),
                ),
                (
                    "notes",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="notes",
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
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
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
                    "responsible_cpm",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="responsible_for",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible CPM",
                    ),
                ),
                (
                    "lead_division",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.division",
                        verbose_name="lead division",
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
                        related_name="activities", to="activities.theme", verbose_name="themes"
                    ),
                ),
                (
                    "agreement",
                    models.CharField(
                        choices=[
                            ("confirmed", "Confirmed by all sides"),
                            ("waiting", "Waiting for confirmation"),
                            ("disputed", "Disputed"),
                            ("none", "No counterpart to confirm"),
                        ],
                        default="none",
                        editable=False,
                        max_length=10,
                        verbose_name="confirmation",
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
                        default="en",
                        max_length=2,
                        verbose_name="language of the title and summary",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity",
                "verbose_name_plural": "activities",
                "ordering": ["-updated_at", "-pk"],
                "indexes": [
                    models.Index(fields=["status"], name="activities__status_b1bb4f_idx"),
                    models.Index(fields=["approval_year"], name="activities__approva_7b065f_idx"),
                    models.Index(
                        fields=["lead_division", "status"], name="activities__lead_di_fa3944_idx"
                    ),
                    models.Index(fields=["title"], name="activity_title_idx"),
                    models.Index(
                        django.db.models.functions.comparison.Coalesce(
                            "approval_year",
                            django.db.models.functions.datetime.ExtractYear(
                                django.db.models.functions.comparison.Coalesce(
                                    "actual_start", "planned_start"
                                )
                            ),
                            output_field=models.IntegerField(),
                        ),
                        name="activity_reporting_year_idx",
                    ),
                    models.Index(
                        models.Case(
                            models.When(status="pipeline", then=models.Value(0)),
                            models.When(status="approved", then=models.Value(1)),
                            models.When(status="ongoing", then=models.Value(2)),
                            models.When(status="suspended", then=models.Value(3)),
                            models.When(status="completed", then=models.Value(4)),
                            models.When(status="closed", then=models.Value(5)),
                            models.When(status="cancelled", then=models.Value(6)),
                            default=models.Value(7),
                            output_field=models.IntegerField(),
                        ),
                        models.OrderBy(models.F("id"), descending=True),
                        name="activity_status_rank_idx",
                    ),
                    models.Index(fields=["agreement"], name="activities__agreeme_9a49aa_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Country",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "iso2",
                    models.CharField(max_length=2, unique=True, verbose_name="ISO 3166-1 alpha-2"),
                ),
                (
                    "iso3",
                    models.CharField(max_length=3, unique=True, verbose_name="ISO 3166-1 alpha-3"),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "official_name",
                    models.CharField(blank=True, max_length=200, verbose_name="official name"),
                ),
                (
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Other names the country is written as (UN style, common, former names).",
                        verbose_name="aliases",
                    ),
                ),
                (
                    "match_pattern",
                    models.CharField(
                        blank=True,
                        help_text="Regular expression (from country_converter) that recognizes free-text names.",
                        max_length=300,
                        verbose_name="match pattern",
                    ),
                ),
                (
                    "income_group",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("LIC", "Low income"),
                            ("LMIC", "Lower-middle income"),
                            ("UMIC", "Upper-middle income"),
                            ("HIC", "High income"),
                        ],
                        max_length=4,
                        verbose_name="income group",
                    ),
                ),
                (
                    "income_group_year",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="World Bank fiscal year the income group applies to.",
                        null=True,
                        verbose_name="income group fiscal year",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="countries",
                        to="activities.division",
                        verbose_name="IFAD division",
                    ),
                ),
            ],
            options={
                "verbose_name": "country",
                "verbose_name_plural": "countries",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivity",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "ssc_id",
                    models.CharField(
                        db_index=True,
                        help_text="Corporate identifier SSC-YYYY-NN; generated when left empty.",
                        max_length=20,
                        validators=[accounts.text.validate_ssc_id],
                        verbose_name="SSC ID",
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
                        verbose_name="summary",
                    ),
                ),
                (
                    "objectives",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="objectives",
                    ),
                ),
                (
                    "activity_type",
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
                        verbose_name="activity type",
                    ),
                ),
                (
                    "modality",
                    models.CharField(
                        choices=[
                            ("south_south", "South-South"),
                            ("triangular", "Triangular"),
                            ("trilateral", "Trilateral"),
                        ],
                        max_length=20,
                        verbose_name="modality",
                    ),
                ),
                (
                    "funding_nature",
                    models.CharField(
                        choices=[
                            ("grant", "Grant-funded"),
                            ("in_project", "In project (loan-funded investment project)"),
                            ("admin_budget", "Administrative budget"),
                        ],
                        max_length=20,
                        verbose_name="funding nature",
                    ),
                ),
                (
                    "project_id",
                    models.CharField(
                        blank=True,
                        help_text="Required when the activity sits inside a loan-funded investment project.",
                        max_length=40,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="investment project ID",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pipeline", "Pipeline"),
                            ("approved", "Approved"),
                            ("ongoing", "Ongoing"),
                            ("completed", "Completed"),
                            ("closed", "Closed"),
                            ("suspended", "Suspended"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pipeline",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "approval_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="year of approval"
                    ),
                ),
                (
                    "planned_start",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="planned start",
                    ),
                ),
                (
                    "planned_end",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="planned end",
                    ),
                ),
                (
                    "actual_start",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="actual start",
                    ),
                ),
                (
                    "actual_end",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="actual end",
                    ),
                ),
                (
                    "participants_women",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="women participants"
                    ),
                ),
                (
                    "participants_men",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="men participants"
                    ),
                ),
                (
                    "participants_youth",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Young people among the women and men above.",
                        null=True,
                        verbose_name="youth participants",
                    ),
                ),
                (
                    "outcomes",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="outcomes and results",
                    ),
                ),
                (
                    "action_plans_adopted",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="action / innovation plans adopted"
                    ),
                ),
                (
                    "follow_up",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="follow-up",
                    ),
                ),
                (
                    "lessons_learned",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="lessons learned",
                    ),
                ),
                (
                    "notes",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="notes",
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
                ("version", models.PositiveIntegerField(default=1, editable=False)),
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead_division",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.division",
                        verbose_name="lead division",
                    ),
                ),
                (
                    "responsible_cpm",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible CPM",
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
                        default="en",
                        max_length=2,
                        verbose_name="language of the title and summary",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical activity",
                "verbose_name_plural": "historical activities",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalActivityCountry",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("both", "Both (two-way exchange)"),
                        ],
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                (
                    "share",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Leave empty to split equally between the activity's countries.",
                        max_digits=5,
                        null=True,
                        verbose_name="share of the money (%)",
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
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
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
            ],
            options={
                "verbose_name": "historical activity country",
                "verbose_name_plural": "historical activity countries",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPartner",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="name",
                    ),
                ),
                (
                    "acronym",
                    models.CharField(
                        blank=True,
                        max_length=40,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="acronym",
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("government", "Government"),
                            ("local_government", "Local government"),
                            ("ngo", "NGO / civil society organization"),
                            ("farmers_org", "Farmers' organization"),
                            ("research", "Research / academic"),
                            ("private", "Private sector"),
                            ("multilateral", "Multilateral / UN"),
                            ("bilateral", "Bilateral donor"),
                            ("foundation", "Foundation"),
                            ("project_unit", "Project unit"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("website", models.URLField(blank=True, verbose_name="website")),
                (
                    "iati_identifier",
                    models.CharField(
                        blank=True,
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="IATI organisation identifier",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
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
                        help_text="Leave empty for international organizations.",
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
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Former names and other names people write it as, one per line: the partner fields and the partner search find the organization by them too.",
                        verbose_name="other names",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical partner organization",
                "verbose_name_plural": "historical partner organizations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Partner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="name",
                    ),
                ),
                ("name_key", models.CharField(db_index=True, editable=False, max_length=255)),
                (
                    "acronym",
                    models.CharField(
                        blank=True,
                        max_length=40,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="acronym",
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("government", "Government"),
                            ("local_government", "Local government"),
                            ("ngo", "NGO / civil society organization"),
                            ("farmers_org", "Farmers' organization"),
                            ("research", "Research / academic"),
                            ("private", "Private sector"),
                            ("multilateral", "Multilateral / UN"),
                            ("bilateral", "Bilateral donor"),
                            ("foundation", "Foundation"),
                            ("project_unit", "Project unit"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("website", models.URLField(blank=True, verbose_name="website")),
                (
                    "iati_identifier",
                    models.CharField(
                        blank=True,
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="IATI organisation identifier",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for international organizations.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="partners",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
                (
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Former names and other names people write it as, one per line: the partner fields and the partner search find the organization by them too.",
                        verbose_name="other names",
                    ),
                ),
                ("search_key", models.TextField(default="", editable=False)),
            ],
            options={
                "verbose_name": "partner organization",
                "verbose_name_plural": "partner organizations",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("name_key"),
                        django.db.models.functions.comparison.Coalesce("country_id", 0),
                        name="partner_unique_name_country",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivityPartner",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("host", "Host"),
                            ("guest", "Guest"),
                            ("broker", "Broker / facilitator"),
                            ("funder", "Funder"),
                            ("implementer", "Implementer"),
                        ],
                        max_length=12,
                        verbose_name="role",
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
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
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
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical activity partner role",
                "verbose_name_plural": "historical activity partner roles",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ActivityPartner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("host", "Host"),
                            ("guest", "Guest"),
                            ("broker", "Broker / facilitator"),
                            ("funder", "Funder"),
                            ("implementer", "Implementer"),
                        ],
                        max_length=12,
                        verbose_name="role",
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partner_links",
                        to="activities.activity",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity_links",
                        to="activities.partner",
                        verbose_name="partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity partner role",
                "verbose_name_plural": "activity partner roles",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "partner", "role"), name="activity_partner_role_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivity_sdgs",
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
                        to="activities.historicalactivity",
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
                "verbose_name": "HistoricalActivity_sdgs",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="StatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pipeline", "Pipeline"),
                            ("approved", "Approved"),
                            ("ongoing", "Ongoing"),
                            ("completed", "Completed"),
                            ("closed", "Closed"),
                            ("suspended", "Suspended"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("pipeline", "Pipeline"),
                            ("approved", "Approved"),
                            ("ongoing", "Ongoing"),
                            ("completed", "Completed"),
                            ("closed", "Closed"),
                            ("suspended", "Suspended"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="note",
                    ),
                ),
                ("changed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="activities.activity",
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "status change",
                "verbose_name_plural": "status changes",
                "ordering": ["-changed_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivity_themes",
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
                        to="activities.historicalactivity",
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
                "verbose_name": "HistoricalActivity_themes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ActivityCountry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("both", "Both (two-way exchange)"),
                        ],
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                (
                    "share",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Leave empty to split equally between the activity's countries.",
                        max_digits=5,
                        null=True,
                        verbose_name="share of the money (%)",
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="country_links",
                        to="activities.activity",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activity_links",
                        to="activities.country",
                        verbose_name="country",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity country",
                "verbose_name_plural": "activity countries",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "country"), name="activity_country_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SavedView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="name",
                    ),
                ),
                ("query", models.CharField(blank=True, max_length=2000, verbose_name="filters")),
                (
                    "shared",
                    models.BooleanField(
                        default=False,
                        help_text="Anyone signed in who has the link opens the list with these filters.",
                        verbose_name="shared by link",
                    ),
                ),
                ("token", models.CharField(editable=False, max_length=32, unique=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("owner"),
                        django.db.models.functions.text.Lower("name"),
                        name="saved_view_name_unique_per_owner",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDuplicatePair",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField(verbose_name="likeness (%)")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "To check"),
                            ("different", "Different activities"),
                            ("merged", "Merged"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "found_via",
                    models.CharField(
                        choices=[("form", "Activity form"), ("api", "API"), ("import", "Import")],
                        max_length=10,
                        verbose_name="found through",
                    ),
                ),
                (
                    "found_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="found"),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
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
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "first",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="first",
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
                    "second",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="second",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical likely duplicate",
                "verbose_name_plural": "historical likely duplicates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="DuplicatePair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField(verbose_name="likeness (%)")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "To check"),
                            ("different", "Different activities"),
                            ("merged", "Merged"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "found_via",
                    models.CharField(
                        choices=[("form", "Activity form"), ("api", "API"), ("import", "Import")],
                        max_length=10,
                        verbose_name="found through",
                    ),
                ),
                ("found_at", models.DateTimeField(auto_now_add=True, verbose_name="found")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "first",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="first",
                    ),
                ),
                (
                    "second",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="second",
                    ),
                ),
            ],
            options={
                "verbose_name": "likely duplicate",
                "verbose_name_plural": "likely duplicates",
                "indexes": [
                    models.Index(fields=["state", "-score"], name="duplicate_pair_state_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("first", "second"), name="duplicate_pair_once"),
                    models.CheckConstraint(
                        condition=models.Q(("first__lt", models.F("second"))),
                        name="duplicate_pair_ordered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivityText",
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
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="summary",
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
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
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
                "verbose_name": "historical title and summary in another language",
                "verbose_name_plural": "historical titles and summaries in other languages",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ActivityText",
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
                    "summary",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="summary",
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="texts",
                        to="activities.activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "title and summary in another language",
                "verbose_name_plural": "titles and summaries in other languages",
                "ordering": ["language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "language"), name="activity_text_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ActivityMerge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("merged_at", models.DateTimeField(auto_now_add=True, verbose_name="merged")),
                (
                    "via",
                    models.CharField(
                        choices=[("form", "Duplicates report"), ("api", "API")],
                        max_length=10,
                        verbose_name="through",
                    ),
                ),
                ("moved", models.JSONField(blank=True, default=dict, verbose_name="what moved")),
                (
                    "kept",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_from",
                        to="activities.activity",
                        verbose_name="kept activity",
                    ),
                ),
                (
                    "merged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="merged by",
                    ),
                ),
                (
                    "removed",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_into",
                        to="activities.activity",
                        verbose_name="merged activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity merge",
                "verbose_name_plural": "activity merges",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("removed", models.F("kept")), _negated=True),
                        name="activity_merge_not_itself",
                    )
                ],
            },
        ),
        migrations.RunPython(
            code=load,
            reverse_code=django.db.migrations.operations.special.RunPython.noop,
        ),
        migrations.RunPython(
            code=create,
            reverse_code=drop,
        ),
        migrations.RunPython(
            code=fill_search_keys,
            reverse_code=django.db.migrations.operations.special.RunPython.noop,
        ),
    ]
