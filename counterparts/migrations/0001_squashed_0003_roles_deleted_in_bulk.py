"""counterparts 0001 to 0003 in one migration, for new databases (Django's squashing).

Migrating a new database was mostly Django rendering model states again: each operation re-renders
the models related to the one it changes. Here each table is made whole by one CreateModel, its
later fields, indexes and constraints folded in (benchmarks/README.md, 2026-12-07). A database
that applied some of the migrations replaced goes on with them: they stay beside this one.

The data operations follow the schema ones, in their first order, copied from the migrations
replaced. On a new database the tables they compute from are empty, and the reference data they
load comes out as the migrations one by one load it (the dumps of both were compared).
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import accounts.text

# From 0002_existing_sides:
# Every side already on an activity gets its confirmation, to confirm: the activities recorded
# before counterparts confirmed them wait for it. Their `asked_at` stays empty, so that the
# reminders do not mail every counterpart about years of past activities at once; they are asked
# when the CPM or an edit asks them.
#
# Plain INSERT ... SELECT statements, the same on PostgreSQL and SQLite, so that a portal with
# hundreds of thousands of roles migrates in seconds.


FORWARD = [
    """
    INSERT INTO counterparts_confirmation
        (activity_id, country_link_id, partner_link_id, state, facts, version, updated_at)
    SELECT link.activity_id, link.id, NULL, 'proposed', '{}', 1, CURRENT_TIMESTAMP
    FROM activities_activitycountry link
    WHERE NOT EXISTS (
        SELECT 1 FROM counterparts_confirmation c WHERE c.country_link_id = link.id
    )
    """,
    """
    INSERT INTO counterparts_confirmation
        (activity_id, country_link_id, partner_link_id, state, facts, version, updated_at)
    SELECT link.activity_id, NULL, link.id, 'proposed', '{}', 1, CURRENT_TIMESTAMP
    FROM activities_activitypartner link
    WHERE NOT EXISTS (
        SELECT 1 FROM counterparts_confirmation c WHERE c.partner_link_id = link.id
    )
    """,
    """
    UPDATE activities_activity SET agreement = 'waiting'
    WHERE id IN (SELECT activity_id FROM counterparts_confirmation)
    """,
]


BACKWARD = [
    "UPDATE activities_activity SET agreement = 'none'",
    "DELETE FROM counterparts_confirmation",
]


class Migration(migrations.Migration):
    replaces = [
        ("counterparts", "0001_initial"),
        ("counterparts", "0002_existing_sides"),
        ("counterparts", "0003_roles_deleted_in_bulk"),
    ]

    initial = True

    dependencies = [
        ("activities", "0008_activity_agreement"),
        ("finance", "0028_pair_activity_cover"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="message",
                    ),
                ),
                (
                    "internal",
                    models.BooleanField(
                        default=False,
                        help_text="Only agency staff read internal notes; counterparts never see them.",
                        verbose_name="internal note",
                    ),
                ),
                (
                    "via",
                    models.CharField(
                        choices=[("form", "page"), ("api", "API"), ("system", "the portal")],
                        default="form",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="activities.activity",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "mentions",
                    models.ManyToManyField(
                        blank=True, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["activity", "created_at"], name="counterpart_activit_95daa6_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Confirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("proposed", "To confirm"),
                            ("confirmed", "Confirmed"),
                            ("disputed", "Disputed"),
                            ("answered", "Answered, to confirm"),
                            ("reconfirm", "To re-confirm"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("facts", models.JSONField(blank=True, default=dict, editable=False)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("asked_at", models.DateTimeField(blank=True, null=True, verbose_name="asked")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last reminded"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="confirmations",
                        to="activities.activity",
                    ),
                ),
                (
                    "country_link",
                    models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="confirmation",
                        to="activities.activitycountry",
                    ),
                ),
                (
                    "partner_link",
                    models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="confirmation",
                        to="activities.activitypartner",
                    ),
                ),
            ],
            options={
                "verbose_name": "confirmation",
                "verbose_name_plural": "confirmations",
                "ordering": ["activity_id", "pk"],
                "indexes": [
                    models.Index(fields=["state", "asked_at"], name="counterpart_state_ed7e8f_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("country_link__isnull", False), ("partner_link__isnull", True)
                            ),
                            models.Q(
                                ("country_link__isnull", True), ("partner_link__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="confirmation_one_side",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ConfirmationStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("asked", "asked to confirm"),
                            ("confirmed", "confirmed"),
                            ("disputed", "disputed"),
                            ("answered", "answered"),
                            ("reopened", "asked to re-confirm"),
                        ],
                        max_length=10,
                    ),
                ),
                ("fields", models.JSONField(blank=True, default=list)),
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
                    "via",
                    models.CharField(
                        choices=[("form", "page"), ("api", "API"), ("system", "the portal")],
                        default="form",
                        max_length=10,
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "confirmation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="counterparts.confirmation",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ContributionProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind (valued in money)"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("stage", models.CharField(max_length=10, verbose_name="stage")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=20,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="amount",
                    ),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("value_date", models.DateField(verbose_name="value date")),
                (
                    "valuation_method",
                    models.CharField(blank=True, max_length=20, verbose_name="valuation"),
                ),
                (
                    "valuation_basis",
                    models.CharField(
                        blank=True,
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="valuation basis",
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="note",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted into the ledger"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposals",
                        to="activities.activity",
                    ),
                ),
                (
                    "contributor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="contributor",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="proposal",
                        to="finance.financialentry",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "proposed contribution",
                "verbose_name_plural": "proposed contributions",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["activity", "state"], name="counterpart_activit_65a477_idx"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalComment",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="message",
                    ),
                ),
                (
                    "internal",
                    models.BooleanField(
                        default=False,
                        help_text="Only agency staff read internal notes; counterparts never see them.",
                        verbose_name="internal note",
                    ),
                ),
                (
                    "via",
                    models.CharField(
                        choices=[("form", "page"), ("api", "API"), ("system", "the portal")],
                        default="form",
                        max_length=10,
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
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
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
                "verbose_name": "historical comment",
                "verbose_name_plural": "historical comments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalComment_mentions",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "comment",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="counterparts.comment",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="counterparts.historicalcomment",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalComment_mentions",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalConfirmation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("proposed", "To confirm"),
                            ("confirmed", "Confirmed"),
                            ("disputed", "Disputed"),
                            ("answered", "Answered, to confirm"),
                            ("reconfirm", "To re-confirm"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("facts", models.JSONField(blank=True, default=dict, editable=False)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("asked_at", models.DateTimeField(blank=True, null=True, verbose_name="asked")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last reminded"),
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
                    "country_link",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activitycountry",
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
                    "partner_link",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.activitypartner",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical confirmation",
                "verbose_name_plural": "historical confirmations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalContributionProposal",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind (valued in money)"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("stage", models.CharField(max_length=10, verbose_name="stage")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=20,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="amount",
                    ),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("value_date", models.DateField(verbose_name="value date")),
                (
                    "valuation_method",
                    models.CharField(blank=True, max_length=20, verbose_name="valuation"),
                ),
                (
                    "valuation_basis",
                    models.CharField(
                        blank=True,
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="valuation basis",
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="note",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted into the ledger"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        max_length=5000,
                        validators=[accounts.text.validate_multi_line_text],
                        verbose_name="reason",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
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
                    "contributor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="contributor",
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
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="finance.financialentry",
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
                    "proposed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical proposed contribution",
                "verbose_name_plural": "historical proposed contributions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("confirm", "Asked to confirm"),
                            ("reconfirm", "Asked to re-confirm"),
                            ("disputed", "A side disputes the record"),
                            ("answered", "Your dispute was answered"),
                            ("confirmed", "A side confirmed"),
                            ("proposal", "A contribution was proposed"),
                            ("accepted", "Your proposal was accepted"),
                            ("declined", "Your proposal was declined"),
                            ("mentioned", "You were mentioned"),
                            ("reminder", "Still waiting for your confirmation"),
                        ],
                        max_length=10,
                    ),
                ),
                ("details", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                ("mailed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["user", "read_at"], name="counterpart_user_id_14f0ba_idx"),
                    models.Index(
                        condition=models.Q(("mailed_at__isnull", True)),
                        fields=["mailed_at"],
                        name="unmailed",
                    ),
                ],
            },
        ),
        migrations.RunSQL(
            sql=FORWARD,
            reverse_sql=BACKWARD,
        ),
    ]
