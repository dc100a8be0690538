"""results 0001 to 0005 in one migration, for new databases (Django's squashing).

Migrating a new database was mostly Django rendering model states again: each operation re-renders
the models related to the one it changes. Here each table is made whole by one CreateModel, its
later fields, indexes and constraints folded in (benchmarks/README.md, 2026-12-07). A database
that applied some of the migrations replaced goes on with them: they stay beside this one.

The data operations follow the schema ones, in their first order, copied from the migrations
replaced. On a new database the tables they compute from are empty, and the reference data they
load comes out as the migrations one by one load it (the dumps of both were compared).
"""

from decimal import Decimal
from typing import Any

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import accounts.text
import finance.models.rates
from results.period_figures import rebuild

# From 0002_core_library:
# The corporate core indicators the issue names and the disaggregation dimensions every
# activity can use from the start, so that a new portal's frameworks roll up from day one. The
# focal point keeps both lists afterwards (renames, new entries, retiring one).
#
# Idempotent: a row is found by its code (indicators) or name (dimensions) and left as the focal
# point may have changed it. Reversible: going back removes the rows that no activity uses; one in
# use stays (PROTECT would refuse its deletion, and its history would lose its meaning).


# code -> (title, definition, kind, unit, measure, aggregation, source); measure is IATI's
# IndicatorMeasure code (1 unit, 5 qualitative).
CORE_INDICATORS = {
    "people-trained": (
        "People trained",
        "People who took part in a training, a learning route or an exchange visit and "
        "completed it.",
        "quantitative",
        "people",
        "1",
        "sum",
        "updates",
    ),
    "institutions-strengthened": (
        "Institutions strengthened",
        "Organizations (government services, farmers' organizations, NGOs, research centres, "
        "firms) whose capacity the activity strengthened, with evidence of the change.",
        "quantitative",
        "institutions",
        "1",
        "sum",
        "updates",
    ),
    "innovations-adopted": (
        "Innovations adopted",
        "Practices, technologies or approaches seen through the exchange that the guest side "
        "put into use.",
        "quantitative",
        "innovations",
        "1",
        "sum",
        "updates",
    ),
    "policies-influenced": (
        "Policies influenced",
        "A policy, strategy, law or regulation the exchange informed: described in the update, "
        "counted when marked achieved.",
        "qualitative",
        "",
        "5",
        "achieved",
        "updates",
    ),
    "action-plans-implemented": (
        "Action plans implemented",
        "Learning-route action plans whose latest recorded follow-up (at 3, 6 or 12 months) "
        "found them adopted: counted from the follow-ups, not reported as updates.",
        "quantitative",
        "action plans",
        "1",
        "sum",
        "plan_follow_ups",
    ),
    "follow-up-activities-financed": (
        "Follow-up activities financed",
        "Activities that carry the exchange further (a follow-up, a reciprocity visit, a "
        "scaling-up investment) and found their financing.",
        "quantitative",
        "activities",
        "1",
        "sum",
        "updates",
    ),
}


DIMENSIONS = {
    "Sex": ("Women", "Men"),
    "Age group": ("Youth 15-35", "Adults 36+"),
    "Organization type": ("Government", "Farmers' organization", "NGO", "Research", "Private"),
}


def add_library(apps, schema_editor):
    CoreIndicator = apps.get_model("results", "CoreIndicator")
    Dimension = apps.get_model("results", "Dimension")
    DimensionValue = apps.get_model("results", "DimensionValue")
    for position, (code, row) in enumerate(CORE_INDICATORS.items()):
        title, description, kind, unit, measure, aggregation, source = row
        CoreIndicator.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "description": description,
                "kind": kind,
                "unit": unit,
                "measure": measure,
                "aggregation": aggregation,
                "source": source,
                "position": position,
            },
        )
    for position, (name, values) in enumerate(DIMENSIONS.items()):
        dimension, created = Dimension.objects.get_or_create(
            name=name, defaults={"position": position}
        )
        if not created:
            continue  # the focal point's list of values stands
        for value_position, value in enumerate(values):
            DimensionValue.objects.create(dimension=dimension, value=value, position=value_position)


def remove_library(apps, schema_editor):
    CoreIndicator = apps.get_model("results", "CoreIndicator")
    Dimension = apps.get_model("results", "Dimension")
    Indicator = apps.get_model("results", "Indicator")
    TargetDisaggregation = apps.get_model("results", "TargetDisaggregation")
    UpdateDisaggregation = apps.get_model("results", "UpdateDisaggregation")
    CoreIndicator.objects.filter(code__in=CORE_INDICATORS).exclude(
        pk__in=Indicator.objects.filter(core__isnull=False).values("core_id")
    ).delete()
    used_values = set(TargetDisaggregation.objects.values_list("dimension_value_id", flat=True))
    used_values |= set(UpdateDisaggregation.objects.values_list("dimension_value_id", flat=True))
    used = Indicator.dimensions.through.objects.values("dimension_id")
    Dimension.objects.filter(name__in=DIMENSIONS).exclude(pk__in=used).exclude(
        values__in=used_values
    ).delete()


# From 0005_fill_period_figures:
# Fill the results dashboard's stored rows for the portals that already have results.
#
# It calls the app's own rebuild, against the rule that a data migration imports no app code:
# the rows are a cache of results.progress.actuals, and a second definition of a period's actual
# here could drift from it. A database without core indicator periods (a new portal, the test
# database) has nothing to fill and never runs it. Reversible: the rows go, and a rerun of this
# migration fills them again.


def fill(apps: Any, schema_editor: Any) -> None:
    Period = apps.get_model("results", "Period")
    if Period.objects.filter(indicator__core__isnull=False).exists():
        rebuild()


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("results", "PeriodFigure").objects.all().delete()


class Migration(migrations.Migration):
    replaces = [
        ("results", "0001_initial"),
        ("results", "0002_core_library"),
        ("results", "0003_update_counting_index"),
        ("results", "0004_period_figures"),
        ("results", "0005_fill_period_figures"),
    ]

    initial = True

    dependencies = [
        ("activities", "0007_text_and_date_validators"),
        ("knowledge", "0006_text_and_date_validators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BenefitStream",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("broker", "Broker"),
                            ("all", "All sides"),
                        ],
                        max_length=10,
                        verbose_name="for",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="expected benefit",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="benefits",
                        to="activities.activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "expected benefit",
                "verbose_name_plural": "expected benefits",
                "ordering": ["activity", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CoreIndicator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="definition",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("quantitative", "Quantitative"), ("qualitative", "Qualitative")],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        max_length=60,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="unit",
                    ),
                ),
                (
                    "measure",
                    models.CharField(
                        choices=[("1", "Unit"), ("2", "Percentage"), ("5", "Qualitative")],
                        max_length=1,
                        verbose_name="measure",
                    ),
                ),
                (
                    "aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Sum of the values"),
                            ("latest", "Latest value of each activity, summed"),
                            ("achieved", "Count of indicators marked achieved"),
                        ],
                        max_length=10,
                        verbose_name="aggregation",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("updates", "Approved indicator updates"),
                            ("plan_follow_ups", "Learning-route action plan follow-ups"),
                        ],
                        default="updates",
                        max_length=16,
                        verbose_name="values come from",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
            ],
            options={
                "verbose_name": "core indicator",
                "verbose_name_plural": "core indicators",
                "ordering": ["position", "title"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("aggregation", "achieved"),
                                ("kind", "qualitative"),
                                ("measure", "5"),
                            ),
                            models.Q(
                                ("kind", "quantitative"),
                                models.Q(("measure", "5"), _negated=True),
                                models.Q(("aggregation", "achieved"), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="core_indicator_rule_fits_kind",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Dimension",
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
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
            ],
            options={
                "verbose_name": "disaggregation dimension",
                "verbose_name_plural": "disaggregation dimensions",
                "ordering": ["position", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("name",), name="dimension_name_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="DimensionValue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="value",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "dimension",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="values",
                        to="results.dimension",
                    ),
                ),
            ],
            options={
                "verbose_name": "dimension value",
                "verbose_name_plural": "dimension values",
                "ordering": ["dimension", "position", "value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dimension", "value"), name="dimension_value_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActivityRelation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("follow_up_of", "Follow-up of"),
                            ("reciprocity_for", "Reciprocity for (the guest now hosts)"),
                            ("scaling_up_of", "Scaling up of"),
                            ("part_of", "Part of (programme)"),
                        ],
                        max_length=16,
                        verbose_name="relation",
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
                    "related",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                        verbose_name="related activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical related activity",
                "verbose_name_plural": "historical related activities",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalBenefitStream",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("broker", "Broker"),
                            ("all", "All sides"),
                        ],
                        max_length=10,
                        verbose_name="for",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="expected benefit",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
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
                "verbose_name": "historical expected benefit",
                "verbose_name_plural": "historical expected benefits",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCoreIndicator",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, verbose_name="code")),
                (
                    "title",
                    models.CharField(
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="title",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="definition",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("quantitative", "Quantitative"), ("qualitative", "Qualitative")],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        max_length=60,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="unit",
                    ),
                ),
                (
                    "measure",
                    models.CharField(
                        choices=[("1", "Unit"), ("2", "Percentage"), ("5", "Qualitative")],
                        max_length=1,
                        verbose_name="measure",
                    ),
                ),
                (
                    "aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Sum of the values"),
                            ("latest", "Latest value of each activity, summed"),
                            ("achieved", "Count of indicators marked achieved"),
                        ],
                        max_length=10,
                        verbose_name="aggregation",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("updates", "Approved indicator updates"),
                            ("plan_follow_ups", "Learning-route action plan follow-ups"),
                        ],
                        default="updates",
                        max_length=16,
                        verbose_name="values come from",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
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
                "verbose_name": "historical core indicator",
                "verbose_name_plural": "historical core indicators",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDimension",
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
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="name",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
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
                "verbose_name": "historical disaggregation dimension",
                "verbose_name_plural": "historical disaggregation dimensions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDimensionValue",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="value",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
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
                    "dimension",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.dimension",
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
                "verbose_name": "historical dimension value",
                "verbose_name_plural": "historical dimension values",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalIndicator",
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
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="description",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("quantitative", "Quantitative"), ("qualitative", "Qualitative")],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        max_length=60,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="unit",
                    ),
                ),
                (
                    "measure",
                    models.CharField(
                        choices=[("1", "Unit"), ("2", "Percentage"), ("5", "Qualitative")],
                        max_length=1,
                        verbose_name="measure",
                    ),
                ),
                (
                    "ascending",
                    models.BooleanField(
                        default=True,
                        help_text="Untick when the indicator should go down (costs, days, losses).",
                        verbose_name="higher is better",
                    ),
                ),
                (
                    "cumulative",
                    models.BooleanField(
                        default=True,
                        help_text="Ticked: a period's value is the sum of its approved updates. Unticked: each update restates the value, and the latest approved one counts.",
                        verbose_name="updates add up",
                    ),
                ),
                (
                    "baseline_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="baseline value",
                    ),
                ),
                (
                    "baseline_year",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1950)],
                        verbose_name="baseline year",
                    ),
                ),
                (
                    "baseline_comment",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="baseline comment",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
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
                    "core",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.coreindicator",
                        verbose_name="core indicator",
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
                "verbose_name": "historical indicator",
                "verbose_name_plural": "historical indicators",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPlanFollowUp",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("months", models.PositiveSmallIntegerField(verbose_name="months after the route")),
                ("due_date", models.DateField(verbose_name="due")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("adopted", "Adopted"),
                            ("partly", "Partly adopted"),
                            ("not_adopted", "Not adopted"),
                        ],
                        max_length=12,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "recorded_on",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="observed on",
                    ),
                ),
                (
                    "evidence",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="evidence",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                (
                    "money_found",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Financing found to carry the plan out.",
                        max_digits=18,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="money found",
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "money_found_usd",
                    models.DecimalField(
                        decimal_places=2,
                        editable=False,
                        max_digits=18,
                        null=True,
                        verbose_name="money found (US$)",
                    ),
                ),
                (
                    "usd_rate",
                    models.DecimalField(decimal_places=8, editable=False, max_digits=20, null=True),
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.actionplan",
                    ),
                ),
                (
                    "recorded_by",
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
                "verbose_name": "historical action plan follow-up",
                "verbose_name_plural": "historical action plan follow-ups",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalResult",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[("1", "Output"), ("2", "Outcome"), ("3", "Impact")],
                        max_length=1,
                        verbose_name="type",
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("broker", "Broker"),
                            ("all", "All sides"),
                        ],
                        default="all",
                        max_length=10,
                        verbose_name="for",
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
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="description",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
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
                "verbose_name": "historical result",
                "verbose_name_plural": "historical results",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalScalingPathway",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="How the practice would reach more people.",
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="pathway",
                    ),
                ),
                (
                    "investment",
                    models.TextField(
                        blank=True,
                        help_text="The investment programme or fund that would finance it.",
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="with what money",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=18,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="amount",
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
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
                    "champion",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="who would take it further",
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
                "verbose_name": "historical scaling-up pathway",
                "verbose_name_plural": "historical scaling-up pathways",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Indicator",
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
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="description",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("quantitative", "Quantitative"), ("qualitative", "Qualitative")],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        max_length=60,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="unit",
                    ),
                ),
                (
                    "measure",
                    models.CharField(
                        choices=[("1", "Unit"), ("2", "Percentage"), ("5", "Qualitative")],
                        max_length=1,
                        verbose_name="measure",
                    ),
                ),
                (
                    "ascending",
                    models.BooleanField(
                        default=True,
                        help_text="Untick when the indicator should go down (costs, days, losses).",
                        verbose_name="higher is better",
                    ),
                ),
                (
                    "cumulative",
                    models.BooleanField(
                        default=True,
                        help_text="Ticked: a period's value is the sum of its approved updates. Unticked: each update restates the value, and the latest approved one counts.",
                        verbose_name="updates add up",
                    ),
                ),
                (
                    "baseline_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="baseline value",
                    ),
                ),
                (
                    "baseline_year",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1950)],
                        verbose_name="baseline year",
                    ),
                ),
                (
                    "baseline_comment",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="baseline comment",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "core",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="indicators",
                        to="results.coreindicator",
                        verbose_name="core indicator",
                    ),
                ),
                (
                    "dimensions",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="results.dimension",
                        verbose_name="disaggregated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "indicator",
                "verbose_name_plural": "indicators",
                "ordering": ["result", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalPeriod",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "start",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="period start"
                    ),
                ),
                (
                    "end",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="period end"
                    ),
                ),
                (
                    "target_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="target",
                    ),
                ),
                (
                    "target_comment",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="target comment",
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical reporting period",
                "verbose_name_plural": "historical reporting periods",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalIndicator_dimensions",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "dimension",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.dimension",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="results.historicalindicator",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalIndicator_dimensions",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Period",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "start",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="period start"
                    ),
                ),
                (
                    "end",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="period end"
                    ),
                ),
                (
                    "target_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="target",
                    ),
                ),
                (
                    "target_comment",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="target comment",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="periods",
                        to="results.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "reporting period",
                "verbose_name_plural": "reporting periods",
                "ordering": ["indicator", "start", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("indicator", "start"), name="one_period_per_start"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("end__gte", models.F("start"))),
                        name="period_ends_after_start",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalTargetDisaggregation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=4, max_digits=20, verbose_name="target"),
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
                    "dimension_value",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.dimensionvalue",
                        verbose_name="dimension value",
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
                    "period",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.period",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical target disaggregation",
                "verbose_name_plural": "historical target disaggregations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PlanFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("months", models.PositiveSmallIntegerField(verbose_name="months after the route")),
                ("due_date", models.DateField(verbose_name="due")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("adopted", "Adopted"),
                            ("partly", "Partly adopted"),
                            ("not_adopted", "Not adopted"),
                        ],
                        max_length=12,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "recorded_on",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="observed on",
                    ),
                ),
                (
                    "evidence",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="evidence",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                (
                    "money_found",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Financing found to carry the plan out.",
                        max_digits=18,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="money found",
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "money_found_usd",
                    models.DecimalField(
                        decimal_places=2,
                        editable=False,
                        max_digits=18,
                        null=True,
                        verbose_name="money found (US$)",
                    ),
                ),
                (
                    "usd_rate",
                    models.DecimalField(decimal_places=8, editable=False, max_digits=20, null=True),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="knowledge.actionplan",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "action plan follow-up",
                "verbose_name_plural": "action plan follow-ups",
                "ordering": ["due_date", "plan", "months"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("plan", "months"), name="one_follow_up_per_month"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Result",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[("1", "Output"), ("2", "Outcome"), ("3", "Impact")],
                        max_length=1,
                        verbose_name="type",
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("provider", "Provider / host"),
                            ("receiver", "Receiver / guest"),
                            ("broker", "Broker"),
                            ("all", "All sides"),
                        ],
                        default="all",
                        max_length=10,
                        verbose_name="for",
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
                    "description",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="description",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
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
            ],
            options={
                "verbose_name": "result",
                "verbose_name_plural": "results",
                "ordering": ["activity", "position", "pk"],
            },
        ),
        migrations.AddField(
            model_name="indicator",
            name="result",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicators",
                to="results.result",
                verbose_name="result",
            ),
        ),
        migrations.AddField(
            model_name="historicalindicator",
            name="result",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="results.result",
                verbose_name="result",
            ),
        ),
        migrations.CreateModel(
            name="ScalingPathway",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="How the practice would reach more people.",
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="pathway",
                    ),
                ),
                (
                    "investment",
                    models.TextField(
                        blank=True,
                        help_text="The investment programme or fund that would finance it.",
                        max_length=2000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="with what money",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=18,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="amount",
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scaling_pathway",
                        to="activities.activity",
                    ),
                ),
                (
                    "champion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="who would take it further",
                    ),
                ),
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
            ],
            options={
                "verbose_name": "scaling-up pathway",
                "verbose_name_plural": "scaling-up pathways",
            },
        ),
        migrations.CreateModel(
            name="TargetDisaggregation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=4, max_digits=20, verbose_name="target"),
                ),
                (
                    "dimension_value",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="results.dimensionvalue",
                        verbose_name="dimension value",
                    ),
                ),
                (
                    "period",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="target_parts",
                        to="results.period",
                    ),
                ),
            ],
            options={
                "ordering": ["period", "dimension_value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("period", "dimension_value"), name="target_part_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Update",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        blank=True, decimal_places=4, max_digits=20, null=True, verbose_name="value"
                    ),
                ),
                (
                    "narrative",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="narrative",
                    ),
                ),
                (
                    "achieved",
                    models.BooleanField(
                        blank=True,
                        help_text="Qualitative indicators: reached?",
                        null=True,
                        verbose_name="achieved",
                    ),
                ),
                (
                    "comment",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="comment",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                (
                    "evidence_file",
                    models.FileField(
                        blank=True,
                        max_length=300,
                        upload_to="results/evidence/%Y/%m/",
                        verbose_name="evidence file",
                    ),
                ),
                (
                    "evidence_file_name",
                    models.CharField(blank=True, editable=False, max_length=255),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted for approval"),
                            ("returned", "Returned for revision"),
                            ("approved", "Approved"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "return_reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason for returning",
                    ),
                ),
                (
                    "revision_reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason for the revision",
                    ),
                ),
                (
                    "retired",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="An approved update that a later approved revision replaced.",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("submitted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("reviewed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
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
                    "period",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="updates",
                        to="results.period",
                        verbose_name="period",
                    ),
                ),
                (
                    "reviewed_by",
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
                    "revises",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revised_by",
                        to="results.update",
                        verbose_name="revises",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "indicator update",
                "verbose_name_plural": "indicator updates",
                "ordering": ["period", "created_at", "pk"],
                "indexes": [
                    models.Index(fields=["status", "period"], name="update_status_period"),
                    models.Index(
                        condition=models.Q(("retired", False), ("status", "approved")),
                        fields=["period", "-reviewed_at", "-id"],
                        include=("value", "achieved"),
                        name="update_counting",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalUpdateDisaggregation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=4, max_digits=20, verbose_name="value"),
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
                    "dimension_value",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.dimensionvalue",
                        verbose_name="dimension value",
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
                    "update",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.update",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical update disaggregation",
                "verbose_name_plural": "historical update disaggregations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUpdate",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        blank=True, decimal_places=4, max_digits=20, null=True, verbose_name="value"
                    ),
                ),
                (
                    "narrative",
                    models.TextField(
                        blank=True,
                        max_length=10000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="narrative",
                    ),
                ),
                (
                    "achieved",
                    models.BooleanField(
                        blank=True,
                        help_text="Qualitative indicators: reached?",
                        null=True,
                        verbose_name="achieved",
                    ),
                ),
                (
                    "comment",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="comment",
                    ),
                ),
                (
                    "evidence_url",
                    models.URLField(blank=True, max_length=500, verbose_name="evidence link"),
                ),
                (
                    "evidence_file",
                    models.TextField(blank=True, max_length=300, verbose_name="evidence file"),
                ),
                (
                    "evidence_file_name",
                    models.CharField(blank=True, editable=False, max_length=255),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted for approval"),
                            ("returned", "Returned for revision"),
                            ("approved", "Approved"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "return_reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason for returning",
                    ),
                ),
                (
                    "revision_reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason for the revision",
                    ),
                ),
                (
                    "retired",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="An approved update that a later approved revision replaced.",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("submitted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("reviewed_at", models.DateTimeField(blank=True, editable=False, null=True)),
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
                    "reviewed_by",
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
                    "submitted_by",
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
                    "period",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.period",
                        verbose_name="period",
                    ),
                ),
                (
                    "revises",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.update",
                        verbose_name="revises",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical indicator update",
                "verbose_name_plural": "historical indicator updates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="UpdateDisaggregation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=4, max_digits=20, verbose_name="value"),
                ),
                (
                    "dimension_value",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="results.dimensionvalue",
                        verbose_name="dimension value",
                    ),
                ),
                (
                    "update",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parts",
                        to="results.update",
                    ),
                ),
            ],
            options={
                "ordering": ["update", "dimension_value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("update", "dimension_value"), name="update_part_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ActivityRelation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("follow_up_of", "Follow-up of"),
                            ("reciprocity_for", "Reciprocity for (the guest now hosts)"),
                            ("scaling_up_of", "Scaling up of"),
                            ("part_of", "Part of (programme)"),
                        ],
                        max_length=16,
                        verbose_name="relation",
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
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations",
                        to="activities.activity",
                    ),
                ),
                (
                    "related",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations_to",
                        to="activities.activity",
                        verbose_name="related activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "related activity",
                "verbose_name_plural": "related activities",
                "ordering": ["activity", "type", "related"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "type", "related"), name="activity_relation_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("activity", models.F("related")), _negated=True),
                        name="relation_not_to_itself",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PeriodFigure",
            fields=[
                (
                    "period",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="results.period",
                    ),
                ),
                ("modality", models.CharField(max_length=20)),
                ("year", models.PositiveSmallIntegerField()),
                ("reported", models.BooleanField()),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=4, max_digits=20, null=True, verbose_name="actual"
                    ),
                ),
                (
                    "target",
                    models.DecimalField(
                        decimal_places=4, max_digits=20, null=True, verbose_name="target"
                    ),
                ),
                ("next_reported_in_activity", models.PositiveSmallIntegerField(null=True)),
                ("next_target_in_activity", models.PositiveSmallIntegerField(null=True)),
                ("rule_value_next", models.PositiveSmallIntegerField(null=True)),
                ("rule_target_next", models.PositiveSmallIntegerField(null=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "core",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.coreindicator",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "period figure",
                "verbose_name_plural": "period figures",
                "indexes": [
                    models.Index(fields=["core", "activity"], name="period_figure_core_activity")
                ],
            },
        ),
        migrations.RunPython(
            code=add_library,
            reverse_code=remove_library,
        ),
        migrations.RunPython(
            code=fill,
            reverse_code=empty,
        ),
    ]
