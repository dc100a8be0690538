"""finance 0001 to 0034 in one migration, for new databases (Django's squashing).

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
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery

import accounts.text
import finance.models.rates

# From 0021_default_dac_purpose_codes:
# Each of the ten themes gets a default OECD DAC 5-digit purpose code, so that every activity of
# the IATI file carries a DAC sector (vocabulary 1). The focal point changes them on the theme codes
# page; every code here is active in IATI's Sector codelist (tests/finance/test_theme_codes.py).


# theme code -> DAC purpose code (name in IATI's Sector codelist)
DEFAULTS_0021 = {
    "agri-technologies": "31166",  # Agricultural extension
    "agri-production": "31120",  # Agricultural development
    "value-chains": "32161",  # Agro-industries
    "natural-resources": "31130",  # Agricultural land resources
    "climate-change": "41010",  # Environmental policy and administrative management
    "financial-services": "31193",  # Agricultural financial services
    "rural-enterprise": "32130",  # Small and medium-sized enterprises (SME) development
    "skills": "11330",  # Vocational training
    "producer-organizations": "31194",  # Agricultural co-operatives
    # Gender is a DAC policy marker, not a sector: IFAD's gender work is in rural development.
    "gender": "43040",  # Rural development
}


def add_defaults_0021(apps, schema_editor):
    Theme = apps.get_model("activities", "Theme")
    ThemeCode = apps.get_model("finance", "ThemeCode")
    for theme in Theme.objects.filter(code__in=DEFAULTS_0021):
        ThemeCode.objects.get_or_create(
            theme=theme, scheme="dac-purpose", defaults={"code": DEFAULTS_0021[theme.code]}
        )


def remove_defaults_0021(apps, schema_editor):
    ThemeCode = apps.get_model("finance", "ThemeCode")
    ThemeCode.objects.filter(scheme="dac-purpose").delete()


# From 0022_money_moves_updated_at:
# Money recorded before the ledger moved an activity's `updated_at` (finance.services,
# touch_activities): each activity's `updated_at` becomes the time of its newest ledger entry when
# that is later, so the API and the IATI file date the money already there too.


def catch_up(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    newest = Subquery(
        FinancialEntry.objects.filter(activity_id=OuterRef("pk"))
        .order_by()
        .values("activity_id")
        .annotate(newest=Max("created_at"))
        .values("newest")
    )
    Activity.objects.filter(updated_at__lt=newest).update(updated_at=newest)


# From 0029_in_kind_and_codes


def in_kind_at_actual_cost(apps, schema_editor):
    """The in-kind lines recorded before valuation methods were their amounts as given."""
    entry = apps.get_model("finance", "FinancialEntry")
    entry.objects.filter(kind="in_kind").update(valued_by="actual_cost")


# From 0030_default_sdg_targets:
# Each of the ten themes gets a default SDG target, so that the standards exports (the TOSSD
# extract's SDG focus, the SDG 17.3.1 aggregate) have one for every activity. The focal point
# changes them on the codes page; every target here is in IATI's UNSDG-Targets codelist
# (tests/finance/test_codebook.py).


# theme code -> SDG target
DEFAULTS_0030 = {
    "agri-technologies": "2.a",  # agricultural research, extension and technology
    "agri-production": "2.3",  # productivity and incomes of small-scale food producers
    "value-chains": "2.3",  # ... their access to markets and value addition
    "natural-resources": "2.4",  # sustainable food production, land and soil quality
    "climate-change": "13.1",  # resilience and adaptive capacity to climate hazards
    "financial-services": "8.10",  # access to banking, insurance and financial services
    "rural-enterprise": "8.3",  # entrepreneurship and small enterprises
    "skills": "4.4",  # skills for employment and entrepreneurship
    "producer-organizations": "2.3",  # small-scale producers' access to markets
    "gender": "5.a",  # women's equal rights to economic resources
}


def add_defaults_0030(apps, schema_editor):
    Theme = apps.get_model("activities", "Theme")
    ThemeCode = apps.get_model("finance", "ThemeCode")
    for theme in Theme.objects.filter(code__in=DEFAULTS_0030):
        ThemeCode.objects.get_or_create(
            theme=theme, scheme="sdg-target", defaults={"code": DEFAULTS_0030[theme.code]}
        )


def remove_defaults_0030(apps, schema_editor):
    ThemeCode = apps.get_model("finance", "ThemeCode")
    ThemeCode.objects.filter(scheme="sdg-target").delete()


# From 0034_groups_from_fake_partners:
# The partners earlier imports made of the workbook's group labels ("Other contributors (FAO)")
# become contributor groups: their ledger lines move to the group, the fake partner goes.
#
# Only a partner that nothing but ledger lines points at is converted: one linked to an activity,
# a user or anything else was made or used as an organization by someone, and is left alone. No
# amount, date or rate moves, so every figure that sums the ledger stays equal; the contributor
# is not a dimension of the roll-ups. The label parsing is copied from
# finance.contributor_groups, as a migration must not import app code: it reads what it did on
# the day it ran. Reversed, each group with lines becomes a partner of type "other" again.


GROUP_LABEL = re.compile(
    r"(?:others?|various)(?:\s+(?:contributors?|donors?|partners?|organi[sz]ations?))?"
    r"\s*(?:\((?P<names>[^()]*)\))?\.?",
    re.IGNORECASE,
)


NAME_SEPARATORS = re.compile(r"\s*[,;/]\s*|\s+and\s+|\s*&\s*")


def normalize_name(name):
    kept = "".join(ch if ch.isalnum() else " " for ch in name.casefold())
    return " ".join(kept.split())


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


def group_names(label):
    match = GROUP_LABEL.fullmatch(" ".join(label.split()))
    if match is None:
        return None
    return [name for name in NAME_SEPARATORS.split(match.group("names") or "") if name]


def only_ledger_points_at(partner, relations, entry_model):
    """Nothing but ledger lines (and history rows, which keep ids only) names the partner."""
    for relation in relations:
        if relation.related_model is entry_model:
            continue
        if relation.related_model._meta.model_name.startswith("historical"):
            continue
        if relation.related_model.objects.filter(**{relation.field.name: partner}).exists():
            return False
    return True


def members_finder(apps):
    """name -> partner, for organizations (name or acronym) and countries' governments."""
    Partner = apps.get_model("activities", "Partner")
    Country = apps.get_model("activities", "Country")
    by_key = {}
    for partner in Partner.objects.order_by("pk"):
        by_key.setdefault(("org", partner.name_key), partner)
        if partner.acronym:
            by_key.setdefault(("org", normalize_name(partner.acronym)), partner)
        if partner.type == "government" and partner.country_id:
            by_key.setdefault(("country", partner.country_id), partner)
    countries = {}
    for country in Country.objects.all():
        for name in (country.name, country.official_name, country.iso3, *country.aliases):
            if name:
                countries.setdefault(fold(name), country.pk)

    def find(names):
        found = []
        for name in names:
            partner = by_key.get(("org", normalize_name(name)))
            if partner is None and fold(name) in countries:
                partner = by_key.get(("country", countries[fold(name)]))
            if partner is not None and partner not in found:
                found.append(partner)
        return found

    return find


def partners_to_groups(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    ContributorGroup = apps.get_model("finance", "ContributorGroup")
    # Hidden relations too (related_name="+", as a contribution proposal's): each protects.
    relations = [
        field
        for field in Partner._meta.get_fields(include_hidden=True)
        if field.is_relation and field.auto_created and not field.concrete
    ]
    fakes = [
        partner
        for partner in Partner.objects.order_by("pk")
        if group_names(partner.name) is not None
        and only_ledger_points_at(partner, relations, FinancialEntry)
    ]
    if not fakes:
        return
    find = members_finder(apps)
    for partner in fakes:
        group, created = ContributorGroup.objects.get_or_create(
            label_key=normalize_name(partner.name), defaults={"label": partner.name}
        )
        if created:
            group.members.set([m for m in find(group_names(partner.name)) if m not in fakes])
        FinancialEntry.objects.filter(contributor=partner).update(
            contributor=None, contributor_group=group
        )
        partner.delete()


def groups_to_partners(apps, schema_editor):
    Partner = apps.get_model("activities", "Partner")
    FinancialEntry = apps.get_model("finance", "FinancialEntry")
    ContributorGroup = apps.get_model("finance", "ContributorGroup")
    for group in ContributorGroup.objects.filter(entries__isnull=False).distinct():
        partner, _created = Partner.objects.get_or_create(
            name_key=group.label_key,
            country=None,
            defaults={"name": group.label, "type": "other"},
        )
        FinancialEntry.objects.filter(contributor_group=group).update(
            contributor=partner, contributor_group=None
        )


# From 0008_activity_money


# The roll-ups computed before this table existed: its rows, from their totals (the SQL of
# finance.rollups.sql.ACTIVITY_MONEY as it was written here; the code may change later).
FILL_0008 = """
INSERT INTO finance_activitymoney (activity_id, division_id, modality, funding_nature, status,
                                   is_public, ifad_cents, cofinancing_cents, in_kind_cents,
                                   total_cents)
SELECT t.activity_id, MAX(t.division_id), MAX(t.modality), MAX(t.funding_nature), MAX(t.status),
       MAX(CASE WHEN t.is_public THEN 1 ELSE 0 END) = 1,
       SUM(CASE WHEN t.stage = 'allocated' AND t.kind IN ('ifad_admin', 'ifad_grant', 'ifad_loan')
                THEN t.amount_cents ELSE 0 END),
       SUM(CASE WHEN t.stage = 'allocated' AND t.kind = 'cofinancing'
                THEN t.amount_cents ELSE 0 END),
       SUM(CASE WHEN t.stage = 'allocated' AND t.kind = 'in_kind' THEN t.amount_cents ELSE 0 END),
       SUM(CASE WHEN t.stage = 'allocated' THEN t.amount_cents ELSE 0 END)
FROM finance_activityyeartotal t
GROUP BY t.activity_id
"""


# From 0013_activity_pairs


# Who shares with whom for the activities the roll-ups already hold: the SQL of
# finance.rollups.sql.ACTIVITY_PAIRS as it was written here (the code may change later).
FILL_0013 = """
INSERT INTO finance_activitypair (activity_id, provider_id, receiver_id, division_id, modality,
                                  funding_nature, status, is_public)
SELECT m.activity_id, p.country_id, r.country_id, m.division_id, m.modality, m.funding_nature,
       m.status, m.is_public
FROM finance_activitymoney m
JOIN activities_activitycountry p ON p.activity_id = m.activity_id
JOIN activities_activitycountry r ON r.activity_id = m.activity_id AND r.country_id <> p.country_id
WHERE p.role IN ('provider', 'both') AND r.role IN ('receiver', 'both')
"""


# From 0015_pair_counts


# The counts of the pairs the roll-ups already hold: the SQL of finance.rollups.sql.PAIR_COUNTS as
# it was written here (the code may change later).
FILL_0015 = """
INSERT INTO finance_paircount (provider_id, receiver_id, division_id, is_public, activities)
SELECT provider_id, receiver_id, division_id, is_public, COUNT(*)
FROM finance_activitypair
GROUP BY provider_id, receiver_id, division_id, is_public
"""


# From 0016_all_years_cells


# The country and theme cells the roll-ups already hold, summed over the years: the SQL of
# finance.rollups.sql.ALL_YEARS as it was written here (the code may change later).
FILL_0016 = """
INSERT INTO finance_allyearscell (grain, division_id, country_id, theme_id, is_public, kind,
                                  stage, amount_cents)
SELECT grain, division_id, country_id, theme_id, is_public, kind, stage, SUM(amount_cents)
FROM finance_rollupcell
WHERE grain IN ('country', 'theme')
GROUP BY grain, division_id, country_id, theme_id, is_public, kind, stage
"""


# From 0017_modality_grain


# The modality cells of the core cells the roll-ups already hold: the SQL of
# finance.rollups.sql._INSERT_COARSE for the modality grain as it was written here.
FILL_0017 = """
INSERT INTO finance_rollupcell (grain, year, division_id, country_id, theme_id, modality,
                                funding_nature, status, is_public, kind, stage, amount_cents)
SELECT 'modality', year, division_id, NULL, NULL, modality, '', '', is_public, kind, stage,
       SUM(amount_cents)
FROM finance_rollupcell
WHERE grain = 'core'
GROUP BY year, division_id, modality, is_public, kind, stage
"""


# From 0031_rollups_keep_agreement


# The roll-ups are derived: the rows already stored get the agreement 'none' from the new
# column's default, and every slice they hold is asked to be recomputed whole (a RollupRefresh
# without activity, as a workbook import asks), which the drain beat queues every minute does:
# it rewrites the totals and cells whose agreement differs and the activity tables after them.
# The SQL of finance.rollups.refresh_requests.request_refresh as it was written here.
REQUEST_EVERY_SLICE = """
INSERT INTO finance_rolluprefresh (year, division_id, activity_key, requested_at)
SELECT year, division_id, NULL, CURRENT_TIMESTAMP FROM finance_rollupslice
"""


class Migration(migrations.Migration):
    replaces = [
        ("finance", "0001_ledger_and_exchange_rates"),
        ("finance", "0002_import_runs"),
        ("finance", "0003_pending_imports"),
        ("finance", "0004_rollup_tables"),
        ("finance", "0005_report_exports"),
        ("finance", "0006_rollup_tables_without_constraints"),
        ("finance", "0007_rollup_cell_full_country_index"),
        ("finance", "0008_activity_money"),
        ("finance", "0009_entry_year_rollup_index"),
        ("finance", "0010_rollup_cell_full_theme_index"),
        ("finance", "0011_refresh_by_activity"),
        ("finance", "0012_covering_grain_indexes"),
        ("finance", "0013_activity_pairs"),
        ("finance", "0014_full_theme_cover"),
        ("finance", "0015_pair_counts"),
        ("finance", "0016_all_years_cells"),
        ("finance", "0017_modality_grain"),
        ("finance", "0018_division_cover_indexes"),
        ("finance", "0019_import_conflicts_and_checksum_lookup"),
        ("finance", "0020_theme_codes"),
        ("finance", "0021_default_dac_purpose_codes"),
        ("finance", "0022_money_moves_updated_at"),
        ("finance", "0023_widen_amount_columns"),
        ("finance", "0024_text_and_date_validators"),
        ("finance", "0025_closed_periods"),
        ("finance", "0026_closed_period_text_and_date_validators"),
        ("finance", "0027_drop_full_theme_cover"),
        ("finance", "0028_pair_activity_cover"),
        ("finance", "0029_in_kind_and_codes"),
        ("finance", "0030_default_sdg_targets"),
        ("finance", "0031_rollups_keep_agreement"),
        ("finance", "0032_index_in_kind_quantities"),
        ("finance", "0033_contributor_groups"),
        ("finance", "0034_groups_from_fake_partners"),
    ]

    initial = True

    dependencies = [
        ("activities", "0008_activity_agreement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalExchangeRate",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="Stored as the first day of the month.",
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="month",
                    ),
                ),
                (
                    "units_per_usd",
                    models.DecimalField(
                        decimal_places=8, max_digits=20, verbose_name="units per US$"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="source",
                    ),
                ),
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
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical exchange rate",
                "verbose_name_plural": "historical exchange rates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="LedgerLock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(blank=True, null=True)),
                (
                    "activity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ledger_lock",
                        to="activities.activity",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger version",
                "verbose_name_plural": "ledger versions",
            },
        ),
        migrations.CreateModel(
            name="ExchangeRate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="Stored as the first day of the month.",
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="month",
                    ),
                ),
                (
                    "units_per_usd",
                    models.DecimalField(
                        decimal_places=8, max_digits=20, verbose_name="units per US$"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="source",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "exchange rate",
                "verbose_name_plural": "exchange rates",
                "ordering": ["-month", "currency"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("currency", "month"), name="one_rate_per_month"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("units_per_usd__gt", 0)), name="rate_is_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("filename", models.CharField(max_length=255, verbose_name="file name")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256 checksum")),
                ("activities_created", models.PositiveIntegerField(default=0)),
                ("activities_updated", models.PositiveIntegerField(default=0)),
                ("activities_unchanged", models.PositiveIntegerField(default=0)),
                ("entries_recorded", models.PositiveIntegerField(default=0)),
                ("warnings", models.JSONField(blank=True, default=list)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "activities_skipped",
                    models.PositiveIntegerField(default=0, verbose_name="skipped as conflicts"),
                ),
            ],
            options={
                "verbose_name": "workbook import",
                "verbose_name_plural": "workbook imports",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["sha256"], name="finance_importrun_sha256")],
            },
        ),
        migrations.CreateModel(
            name="PendingImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("filename", models.CharField(max_length=255, verbose_name="file name")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256 checksum")),
                ("file", models.FileField(blank=True, upload_to="imports/")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("checking", "Checking"),
                            ("checked", "Ready to import"),
                            ("refused", "Refused"),
                            ("importing", "Importing"),
                            ("done", "Imported"),
                        ],
                        default="checking",
                        max_length=10,
                    ),
                ),
                ("summary", models.JSONField(blank=True, default=dict)),
                ("problems", models.JSONField(blank=True, default=list)),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="finance.importrun",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("overwrite", models.JSONField(blank=True, default=list)),
            ],
            options={
                "verbose_name": "pending import",
                "verbose_name_plural": "pending imports",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="RollupRefresh",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("requested_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "division",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                ("activity_key", models.BigIntegerField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="RollupRun",
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
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("slices_total", models.PositiveIntegerField(default=0)),
                ("slices_done", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "roll-up rebuild",
                "verbose_name_plural": "roll-up rebuilds",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ActivityYearTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("modality", models.CharField(max_length=20)),
                ("funding_nature", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("is_public", models.BooleanField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ifad_grant", "IFAD grant"),
                            ("ifad_loan", "IFAD loan-financed project"),
                            ("ifad_admin", "IFAD administrative budget"),
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("allocated", "Allocated (committed)"),
                            ("spent", "Spent (disbursed)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("amount_cents", models.BigIntegerField()),
                (
                    "activity",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                ("agreement", models.CharField(max_length=10)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["activity"], name="rollup_activity_year_activity"),
                    models.Index(
                        fields=[
                            "year",
                            "division",
                            "modality",
                            "funding_nature",
                            "status",
                            "is_public",
                            "agreement",
                        ],
                        name="rollup_activity_year_subslice",
                    ),
                    models.Index(
                        fields=["division", "year"],
                        include=(
                            "activity",
                            "modality",
                            "funding_nature",
                            "status",
                            "agreement",
                            "is_public",
                            "kind",
                            "stage",
                            "amount_cents",
                        ),
                        name="rollup_activity_year_cover",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "grain",
                    models.CharField(
                        choices=[
                            ("full", "every dimension"),
                            ("core", "without country and theme"),
                            ("country", "by country"),
                            ("theme", "by theme"),
                            ("modality", "by year, division and modality"),
                        ],
                        max_length=8,
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("modality", models.CharField(blank=True, max_length=20)),
                ("funding_nature", models.CharField(blank=True, max_length=20)),
                ("status", models.CharField(blank=True, max_length=20)),
                ("is_public", models.BooleanField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ifad_grant", "IFAD grant"),
                            ("ifad_loan", "IFAD loan-financed project"),
                            ("ifad_admin", "IFAD administrative budget"),
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("allocated", "Allocated (committed)"),
                            ("spent", "Spent (disbursed)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("amount_cents", models.BigIntegerField()),
                (
                    "country",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
                ("agreement", models.CharField(max_length=10)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=[
                            "grain",
                            "year",
                            "division",
                            "modality",
                            "funding_nature",
                            "status",
                            "is_public",
                            "agreement",
                        ],
                        name="rollup_cell_subslice",
                    ),
                    models.Index(
                        condition=models.Q(("grain", "full")),
                        fields=["country", "year"],
                        include=(
                            "division",
                            "theme",
                            "modality",
                            "funding_nature",
                            "status",
                            "agreement",
                            "is_public",
                            "kind",
                            "stage",
                            "amount_cents",
                        ),
                        name="rollup_cell_full_country_cover",
                    ),
                    models.Index(
                        condition=models.Q(("grain", "country")),
                        fields=["country", "year", "division"],
                        include=("agreement", "is_public", "kind", "stage", "amount_cents"),
                        name="rollup_cell_country_cover",
                    ),
                    models.Index(
                        condition=models.Q(("grain", "theme")),
                        fields=["theme", "year", "division"],
                        include=("agreement", "is_public", "kind", "stage", "amount_cents"),
                        name="rollup_cell_theme_cover",
                    ),
                    models.Index(
                        condition=models.Q(("grain", "core")),
                        fields=["year", "division", "modality"],
                        include=(
                            "funding_nature",
                            "status",
                            "agreement",
                            "is_public",
                            "kind",
                            "stage",
                            "amount_cents",
                        ),
                        name="rollup_cell_core_cover",
                    ),
                    models.Index(
                        condition=models.Q(("grain", "modality")),
                        fields=["year", "division", "modality"],
                        include=("agreement", "is_public", "kind", "stage", "amount_cents"),
                        name="rollup_cell_modality_cover",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupSlice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("computed_at", models.DateTimeField()),
                (
                    "division",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("year", "division"), name="one_rollup_slice")
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportExport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filters", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                (
                    "format",
                    models.CharField(
                        choices=[("xlsx", "Excel workbook (.xlsx)"), ("pdf", "PDF document")],
                        max_length=4,
                        verbose_name="format",
                    ),
                ),
                ("language", models.CharField(blank=True, max_length=10)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Being built"),
                            ("done", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=8,
                    ),
                ),
                (
                    "progress",
                    models.PositiveSmallIntegerField(default=0, help_text="Percent done."),
                ),
                ("file", models.FileField(blank=True, upload_to="reports/")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_exports",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "report export",
                "verbose_name_plural": "report exports",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ActivityMoney",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("modality", models.CharField(max_length=20)),
                ("funding_nature", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("is_public", models.BooleanField()),
                ("ifad_cents", models.BigIntegerField()),
                ("cofinancing_cents", models.BigIntegerField()),
                ("in_kind_cents", models.BigIntegerField()),
                ("total_cents", models.BigIntegerField()),
                (
                    "activity",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                ("agreement", models.CharField(max_length=10)),
            ],
            options={
                "indexes": [
                    models.Index(
                        models.OrderBy(models.F("total_cents"), descending=True),
                        models.F("activity"),
                        name="activity_money_ranking",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("activity",), name="one_activity_money_row")
                ],
            },
        ),
        migrations.CreateModel(
            name="ActivityPair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("modality", models.CharField(max_length=20)),
                ("funding_nature", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("is_public", models.BooleanField()),
                (
                    "activity",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                (
                    "receiver",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                ("agreement", models.CharField(max_length=10)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["provider", "receiver", "division", "is_public"],
                        name="activity_pair_key",
                    ),
                    models.Index(
                        fields=["activity"],
                        include=("provider", "receiver"),
                        name="activity_pair_activity_cover",
                    ),
                    models.Index(
                        fields=["division"],
                        include=(
                            "activity",
                            "provider",
                            "receiver",
                            "modality",
                            "funding_nature",
                            "status",
                            "agreement",
                            "is_public",
                        ),
                        name="activity_pair_division_cover",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PairCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_public", models.BooleanField()),
                ("activities", models.PositiveIntegerField()),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                (
                    "receiver",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("provider", "receiver", "division", "is_public"),
                        name="one_pair_count",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AllYearsCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "grain",
                    models.CharField(
                        choices=[
                            ("full", "every dimension"),
                            ("core", "without country and theme"),
                            ("country", "by country"),
                            ("theme", "by theme"),
                            ("modality", "by year, division and modality"),
                        ],
                        max_length=8,
                    ),
                ),
                ("is_public", models.BooleanField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ifad_grant", "IFAD grant"),
                            ("ifad_loan", "IFAD loan-financed project"),
                            ("ifad_admin", "IFAD administrative budget"),
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("allocated", "Allocated (committed)"),
                            ("spent", "Spent (disbursed)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("amount_cents", models.BigIntegerField()),
                (
                    "country",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.country",
                    ),
                ),
                (
                    "division",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.division",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="activities.theme",
                    ),
                ),
                ("agreement", models.CharField(max_length=10)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["grain", "division"], name="all_years_cell_division")
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalThemeCode",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("dac-purpose", "OECD DAC CRS purpose code (5 digits)"),
                            ("sdg-target", "SDG target"),
                            ("aid-type", "Type of aid (DAC)"),
                            ("finance-type", "Type of finance (DAC)"),
                            ("channel", "Channel of delivery (CRS)"),
                            ("collaboration", "Collaboration type"),
                        ],
                        max_length=20,
                        verbose_name="scheme",
                    ),
                ),
                ("code", models.CharField(max_length=20, verbose_name="code")),
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                (
                    "updated_by",
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
                "verbose_name": "historical theme code",
                "verbose_name_plural": "historical theme codes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ThemeCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("dac-purpose", "OECD DAC CRS purpose code (5 digits)"),
                            ("sdg-target", "SDG target"),
                            ("aid-type", "Type of aid (DAC)"),
                            ("finance-type", "Type of finance (DAC)"),
                            ("channel", "Channel of delivery (CRS)"),
                            ("collaboration", "Collaboration type"),
                        ],
                        max_length=20,
                        verbose_name="scheme",
                    ),
                ),
                ("code", models.CharField(max_length=20, verbose_name="code")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="external_codes",
                        to="activities.theme",
                        verbose_name="theme",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "theme code",
                "verbose_name_plural": "theme codes",
                "ordering": ["scheme", "theme__position", "theme__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("theme", "scheme"), name="one_code_per_theme_scheme"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ClosedPeriod",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "fiscal_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="fiscal year"
                    ),
                ),
                (
                    "up_to",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="up to (inclusive)",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason",
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="closed at"
                    ),
                ),
                (
                    "reopened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reopened at"),
                ),
                (
                    "reopen_reason",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason for reopening",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reopened_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "closed period",
                "verbose_name_plural": "closed periods",
                "ordering": ["-closed_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("fiscal_year__isnull", True), ("up_to__isnull", False)),
                            models.Q(("fiscal_year__isnull", False), ("up_to__isnull", True)),
                            _connector="OR",
                        ),
                        name="closed_period_is_a_year_or_a_date",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalClosedPeriod",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "fiscal_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="fiscal year"
                    ),
                ),
                (
                    "up_to",
                    models.DateField(
                        blank=True,
                        null=True,
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="up to (inclusive)",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason",
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="closed at"
                    ),
                ),
                (
                    "reopened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reopened at"),
                ),
                (
                    "reopen_reason",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason for reopening",
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
                    "closed_by",
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
                (
                    "reopened_by",
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
                "verbose_name": "historical closed period",
                "verbose_name_plural": "historical closed periods",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPeriodException",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason",
                    ),
                ),
                (
                    "expires_on",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="expires on (inclusive)",
                    ),
                ),
                (
                    "granted_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="granted at"
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
                        verbose_name="activity",
                    ),
                ),
                (
                    "granted_by",
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
                (
                    "period",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="finance.closedperiod",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical closed-period exception",
                "verbose_name_plural": "historical closed-period exceptions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PeriodException",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason",
                    ),
                ),
                (
                    "expires_on",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date],
                        verbose_name="expires on (inclusive)",
                    ),
                ),
                (
                    "granted_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="granted at"
                    ),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="period_exceptions",
                        to="activities.activity",
                        verbose_name="activity",
                    ),
                ),
                (
                    "granted_by",
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
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="exceptions",
                        to="finance.closedperiod",
                    ),
                ),
            ],
            options={
                "verbose_name": "closed-period exception",
                "verbose_name_plural": "closed-period exceptions",
                "ordering": ["-granted_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="CategoryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("dac-purpose", "OECD DAC CRS purpose code (5 digits)"),
                            ("sdg-target", "SDG target"),
                            ("aid-type", "Type of aid (DAC)"),
                            ("finance-type", "Type of finance (DAC)"),
                            ("channel", "Channel of delivery (CRS)"),
                            ("collaboration", "Collaboration type"),
                        ],
                        max_length=20,
                        verbose_name="scheme",
                    ),
                ),
                ("value", models.CharField(max_length=30, verbose_name="category")),
                ("code", models.CharField(max_length=10, verbose_name="code")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "category code",
                "verbose_name_plural": "category codes",
                "ordering": ["scheme", "value"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scheme", "value"), name="one_code_per_category"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalCategoryCode",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("dac-purpose", "OECD DAC CRS purpose code (5 digits)"),
                            ("sdg-target", "SDG target"),
                            ("aid-type", "Type of aid (DAC)"),
                            ("finance-type", "Type of finance (DAC)"),
                            ("channel", "Channel of delivery (CRS)"),
                            ("collaboration", "Collaboration type"),
                        ],
                        max_length=20,
                        verbose_name="scheme",
                    ),
                ),
                ("value", models.CharField(max_length=30, verbose_name="category")),
                ("code", models.CharField(max_length=10, verbose_name="code")),
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
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical category code",
                "verbose_name_plural": "historical category codes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRateCard",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("expert_days", "Expert-days"),
                            ("expert_months", "Expert-months"),
                            ("participant_days", "Participant-days"),
                            ("scholarships", "Scholarships"),
                            ("venue_days", "Venue-days"),
                            ("equipment", "Equipment (items)"),
                        ],
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="value of one unit"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the rate comes from, e.g. the government's expert fee scale 2026.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="source",
                    ),
                ),
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
                        help_text="Empty: the card applies to every provider country without its own.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="provider country",
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
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical rate card",
                "verbose_name_plural": "historical rate cards",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="RateCard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("expert_days", "Expert-days"),
                            ("expert_months", "Expert-months"),
                            ("participant_days", "Participant-days"),
                            ("scholarships", "Scholarships"),
                            ("venue_days", "Venue-days"),
                            ("equipment", "Equipment (items)"),
                        ],
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="value of one unit"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the rate comes from, e.g. the government's expert fee scale 2026.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="source",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the card applies to every provider country without its own.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="provider country",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "rate card",
                "verbose_name_plural": "rate cards",
                "ordering": ["-year", "unit", "country__name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("country__isnull", False)),
                        fields=("unit", "country", "year"),
                        name="one_rate_card_per_country",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("country__isnull", True)),
                        fields=("unit", "year"),
                        name="one_default_rate_card",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="rate_card_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FinancialEntry",
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
                            ("ifad_grant", "IFAD grant"),
                            ("ifad_loan", "IFAD loan-financed project"),
                            ("ifad_admin", "IFAD administrative budget"),
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "valuation_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("staff_time", "Staff days x rate"),
                            ("venue", "Venue"),
                            ("travel", "Travel"),
                            ("equipment", "Equipment"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                        verbose_name="valued as",
                    ),
                ),
                (
                    "valuation_basis",
                    models.CharField(
                        blank=True,
                        help_text="How the in-kind value was reached, e.g. 20 staff days x US$ 350.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="valuation basis",
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("allocated", "Allocated (committed)"),
                            ("spent", "Spent (disbursed)"),
                        ],
                        max_length=10,
                        verbose_name="stage",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=20, verbose_name="amount"),
                ),
                (
                    "currency",
                    models.CharField(
                        default="USD",
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "value_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="value date"
                    ),
                ),
                ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                (
                    "units_per_usd",
                    models.DecimalField(
                        decimal_places=8,
                        editable=False,
                        max_digits=20,
                        verbose_name="rate used (units per US$)",
                    ),
                ),
                (
                    "amount_usd",
                    models.DecimalField(
                        decimal_places=2,
                        editable=False,
                        max_digits=20,
                        verbose_name="amount in US$",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True,
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reference",
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="note",
                    ),
                ),
                (
                    "entry_type",
                    models.CharField(
                        choices=[
                            ("original", "Original"),
                            ("adjustment", "Adjustment"),
                            ("reversal", "Reversal"),
                        ],
                        default="original",
                        max_length=10,
                        verbose_name="entry type",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason for the correction",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="financial_entries",
                        to="activities.activity",
                    ),
                ),
                (
                    "contributor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for IFAD's own resources.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="financial_entries",
                        to="activities.partner",
                        verbose_name="contributor",
                    ),
                ),
                (
                    "corrects",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corrections",
                        to="finance.financialentry",
                        verbose_name="corrects",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "provider_country",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.country",
                        verbose_name="provider country",
                    ),
                ),
                (
                    "quantity",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="quantity",
                    ),
                ),
                (
                    "rate_card_version",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="rate card version"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("expert_days", "Expert-days"),
                            ("expert_months", "Expert-months"),
                            ("participant_days", "Participant-days"),
                            ("scholarships", "Scholarships"),
                            ("venue_days", "Venue-days"),
                            ("equipment", "Equipment (items)"),
                        ],
                        db_default="",
                        default="",
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                (
                    "unit_rate",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="value of one unit",
                    ),
                ),
                (
                    "valued_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("actual_cost", "Actual cost"),
                            ("rate_card", "Rate card"),
                            ("not_valued", "Not valued"),
                        ],
                        db_default="",
                        default="",
                        max_length=12,
                        verbose_name="valuation method",
                    ),
                ),
                (
                    "rate_card",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="finance.ratecard",
                        verbose_name="rate card",
                    ),
                ),
            ],
            options={
                "verbose_name": "financial entry",
                "verbose_name_plural": "financial entries",
                "ordering": ["value_date", "pk"],
                "indexes": [
                    models.Index(
                        fields=["activity", "stage"], name="finance_fin_activit_802293_idx"
                    ),
                    models.Index(
                        fields=["fiscal_year", "activity"],
                        include=("kind", "stage", "amount_usd"),
                        name="entry_year_rollup",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("amount__gte", 0), ("entry_type", "original")),
                            models.Q(("entry_type", "original"), _negated=True),
                            _connector="OR",
                        ),
                        name="original_entry_not_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("corrects__isnull", True), ("entry_type", "original")),
                            models.Q(
                                models.Q(("entry_type", "original"), _negated=True),
                                ("corrects__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="corrections_point_at_an_entry",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalFinancialEntry",
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
                            ("ifad_grant", "IFAD grant"),
                            ("ifad_loan", "IFAD loan-financed project"),
                            ("ifad_admin", "IFAD administrative budget"),
                            ("cofinancing", "Cofinancing (cash)"),
                            ("in_kind", "In-kind"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "valuation_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("staff_time", "Staff days x rate"),
                            ("venue", "Venue"),
                            ("travel", "Travel"),
                            ("equipment", "Equipment"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                        verbose_name="valued as",
                    ),
                ),
                (
                    "valuation_basis",
                    models.CharField(
                        blank=True,
                        help_text="How the in-kind value was reached, e.g. 20 staff days x US$ 350.",
                        max_length=300,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="valuation basis",
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("allocated", "Allocated (committed)"),
                            ("spent", "Spent (disbursed)"),
                        ],
                        max_length=10,
                        verbose_name="stage",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=20, verbose_name="amount"),
                ),
                (
                    "currency",
                    models.CharField(
                        default="USD",
                        max_length=3,
                        validators=[finance.models.rates.validate_currency],
                        verbose_name="currency",
                    ),
                ),
                (
                    "value_date",
                    models.DateField(
                        validators=[accounts.text.validate_portal_date], verbose_name="value date"
                    ),
                ),
                ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                (
                    "units_per_usd",
                    models.DecimalField(
                        decimal_places=8,
                        editable=False,
                        max_digits=20,
                        verbose_name="rate used (units per US$)",
                    ),
                ),
                (
                    "amount_usd",
                    models.DecimalField(
                        decimal_places=2,
                        editable=False,
                        max_digits=20,
                        verbose_name="amount in US$",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True,
                        max_length=100,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reference",
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="note",
                    ),
                ),
                (
                    "entry_type",
                    models.CharField(
                        choices=[
                            ("original", "Original"),
                            ("adjustment", "Adjustment"),
                            ("reversal", "Reversal"),
                        ],
                        default="original",
                        max_length=10,
                        verbose_name="entry type",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        max_length=500,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="reason for the correction",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, db_index=True, editable=False)),
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
                        help_text="Empty for IFAD's own resources.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.partner",
                        verbose_name="contributor",
                    ),
                ),
                (
                    "corrects",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="finance.financialentry",
                        verbose_name="corrects",
                    ),
                ),
                (
                    "created_by",
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
                (
                    "provider_country",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="activities.country",
                        verbose_name="provider country",
                    ),
                ),
                (
                    "quantity",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="quantity",
                    ),
                ),
                (
                    "rate_card_version",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="rate card version"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("expert_days", "Expert-days"),
                            ("expert_months", "Expert-months"),
                            ("participant_days", "Participant-days"),
                            ("scholarships", "Scholarships"),
                            ("venue_days", "Venue-days"),
                            ("equipment", "Equipment (items)"),
                        ],
                        db_default="",
                        default="",
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                (
                    "unit_rate",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="value of one unit",
                    ),
                ),
                (
                    "valued_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("actual_cost", "Actual cost"),
                            ("rate_card", "Rate card"),
                            ("not_valued", "Not valued"),
                        ],
                        db_default="",
                        default="",
                        max_length=12,
                        verbose_name="valuation method",
                    ),
                ),
                (
                    "rate_card",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="finance.ratecard",
                        verbose_name="rate card",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical financial entry",
                "verbose_name_plural": "historical financial entries",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name="financialentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("quantity__isnull", True), ("unit", "")),
                    models.Q(models.Q(("unit", ""), _negated=True), ("quantity__isnull", False)),
                    _connector="OR",
                ),
                name="quantity_has_a_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="financialentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("entry_type", "original"), ("valued_by", "rate_card"), _negated=True),
                    models.Q(("rate_card__isnull", False), ("unit_rate__isnull", False)),
                    _connector="OR",
                ),
                name="rate_card_lines_keep_their_rate",
            ),
        ),
        migrations.AddIndex(
            model_name="financialentry",
            index=models.Index(
                condition=models.Q(("unit", ""), _negated=True),
                fields=["activity", "unit"],
                include=(
                    "fiscal_year",
                    "provider_country",
                    "quantity",
                    "kind",
                    "valued_by",
                    "entry_type",
                ),
                name="entry_quantities",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalContributorGroup",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        help_text="As the workbook writes it, e.g. Other contributors (FAO).",
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="label",
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
                "verbose_name": "historical contributor group",
                "verbose_name_plural": "historical contributor groups",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalContributorGroup_members",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "HistoricalContributorGroup_members",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterField(
            model_name="financialentry",
            name="contributor",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for IFAD's own resources, and for a group's line.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="financial_entries",
                to="activities.partner",
                verbose_name="contributor",
            ),
        ),
        migrations.AlterField(
            model_name="historicalfinancialentry",
            name="contributor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Empty for IFAD's own resources, and for a group's line.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="activities.partner",
                verbose_name="contributor",
            ),
        ),
        migrations.CreateModel(
            name="ContributorGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        help_text="As the workbook writes it, e.g. Other contributors (FAO).",
                        max_length=255,
                        validators=[accounts.text.validate_single_line_text],
                        verbose_name="label",
                    ),
                ),
                ("label_key", models.CharField(editable=False, max_length=255, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The known partner organizations the label names.",
                        related_name="contributor_groups",
                        to="activities.partner",
                        verbose_name="members",
                    ),
                ),
            ],
            options={
                "verbose_name": "contributor group",
                "verbose_name_plural": "contributor groups",
                "ordering": ["label"],
            },
        ),
        migrations.AddField(
            model_name="financialentry",
            name="contributor_group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="finance.contributorgroup",
                verbose_name="contributor group",
            ),
        ),
        migrations.AddField(
            model_name="historicalfinancialentry",
            name="contributor_group",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.contributorgroup",
                verbose_name="contributor group",
            ),
        ),
        migrations.AddConstraint(
            model_name="financialentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("contributor__isnull", True),
                    ("contributor_group__isnull", True),
                    _connector="OR",
                ),
                name="entry_one_contributor",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontributorgroup_members",
            name="contributorgroup",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="finance.contributorgroup",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontributorgroup_members",
            name="history",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                to="finance.historicalcontributorgroup",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontributorgroup_members",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_tablespace="",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="activities.partner",
            ),
        ),
        migrations.RunSQL(
            sql=FILL_0008,
            reverse_sql="",
        ),
        migrations.RunSQL(
            sql=FILL_0013,
            reverse_sql="",
        ),
        migrations.RunSQL(
            sql=FILL_0015,
            reverse_sql="",
        ),
        migrations.RunSQL(
            sql=FILL_0016,
            reverse_sql="",
        ),
        migrations.RunSQL(
            sql=FILL_0017,
            reverse_sql="DELETE FROM finance_rollupcell WHERE grain = 'modality'",
        ),
        migrations.RunPython(
            code=add_defaults_0021,
            reverse_code=remove_defaults_0021,
        ),
        migrations.RunPython(
            code=catch_up,
            reverse_code=django.db.migrations.operations.special.RunPython.noop,
        ),
        migrations.RunPython(
            code=in_kind_at_actual_cost,
            reverse_code=django.db.migrations.operations.special.RunPython.noop,
        ),
        migrations.RunPython(
            code=add_defaults_0030,
            reverse_code=remove_defaults_0030,
        ),
        migrations.RunSQL(
            sql=REQUEST_EVERY_SLICE,
            reverse_sql="",
        ),
        migrations.RunPython(
            code=partners_to_groups,
            reverse_code=groups_to_partners,
        ),
    ]
