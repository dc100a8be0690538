"""ActivityQuantity and InKindQuantity: the ledger's in-kind quantities over all years, each
activity's, and those summed by the activity's ActivityMoney key (by agreement and over every
agreement), which the dashboard reads instead of the ledger's lines over all years. Filled here
from the ledger and ActivityMoney (the SQL of finance.rollups.quantities as it was written here;
the code may change later), so the dashboard needs no rebuild first. Reversed, both go."""

import django.db.models.deletion
from django.db import migrations, models

ACTIVITY_ROWS = """
INSERT INTO finance_activityquantity (activity_id, division_id, agreement, is_public, received,
                                      country_id, unit, quantity, not_valued, lines)
WITH line AS (
    SELECT m.activity_id, m.division_id, m.agreement, m.is_public, e.provider_country_id,
           e.unit, e.quantity, e.kind, e.valued_by, e.entry_type
    FROM finance_activitymoney m
    JOIN finance_financialentry e ON e.activity_id = m.activity_id AND e.unit <> ''
)
SELECT activity_id, division_id, agreement, is_public, FALSE, provider_country_id, unit,
       COALESCE(SUM(quantity), 0),
       SUM(CASE WHEN kind = 'in_kind' AND valued_by = 'not_valued' THEN quantity END),
       COUNT(CASE WHEN kind = 'in_kind' AND valued_by = 'not_valued'
                       AND entry_type = 'original' THEN 1 END)
FROM line
GROUP BY activity_id, division_id, agreement, is_public, provider_country_id, unit
UNION ALL
SELECT l.activity_id, l.division_id, l.agreement, l.is_public, TRUE, link.country_id, l.unit,
       COALESCE(SUM(l.quantity), 0), NULL, 0
FROM line l
JOIN activities_activitycountry link
  ON link.activity_id = l.activity_id AND link.role IN ('receiver', 'both')
WHERE l.unit = 'participant_days'
GROUP BY l.activity_id, l.division_id, l.agreement, l.is_public, link.country_id, l.unit
"""
SUMMED = """
INSERT INTO finance_inkindquantity (division_id, agreement, is_public, received, country_id,
                                    unit, quantity, not_valued, lines)
SELECT division_id, agreement, is_public, received, country_id, unit, SUM(quantity),
       SUM(not_valued), SUM(lines)
FROM finance_activityquantity
GROUP BY division_id, agreement, is_public, received, country_id, unit
"""
EVERY_AGREEMENT = """
INSERT INTO finance_inkindquantity (division_id, agreement, is_public, received, country_id,
                                    unit, quantity, not_valued, lines)
SELECT division_id, '', is_public, received, country_id, unit, SUM(quantity), SUM(not_valued),
       SUM(lines)
FROM finance_inkindquantity
GROUP BY division_id, is_public, received, country_id, unit
"""


def _fields() -> list[tuple[str, models.Field]]:
    return [
        (
            "id",
            models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        ("agreement", models.CharField(max_length=10)),
        ("is_public", models.BooleanField()),
        ("received", models.BooleanField()),
        ("unit", models.CharField(max_length=20)),
        ("quantity", models.DecimalField(decimal_places=2, max_digits=20)),
        ("not_valued", models.DecimalField(decimal_places=2, max_digits=20, null=True)),
        ("lines", models.PositiveIntegerField()),
        ("country", _key("activities.country", null=True)),
        ("division", _key("activities.division")),
    ]


def _key(to: str, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to=to,
    )


_SUMS = ("received", "country", "unit", "quantity", "not_valued", "lines")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_division_status_index"),
        ("finance", "0039_count_pairs_and_activities_by_agreement"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityQuantity",
            fields=[*_fields(), ("activity", _key("activities.activity"))],
        ),
        migrations.CreateModel(name="InKindQuantity", fields=_fields()),
        migrations.RunSQL(ACTIVITY_ROWS, migrations.RunSQL.noop),
        migrations.RunSQL(SUMMED, migrations.RunSQL.noop),
        migrations.RunSQL(EVERY_AGREEMENT, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="activityquantity",
            index=models.Index(fields=["activity"], name="activity_quantity_activity"),
        ),
        migrations.AddIndex(
            model_name="activityquantity",
            index=models.Index(
                fields=["division", "agreement", "is_public"],
                include=_SUMS,
                name="activity_quantity_key",
            ),
        ),
        migrations.AddIndex(
            model_name="inkindquantity",
            index=models.Index(
                fields=["agreement"],
                include=("division", "is_public", *_SUMS),
                name="in_kind_quantity_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="inkindquantity",
            index=models.Index(
                fields=["division", "agreement", "is_public"], name="in_kind_quantity_key"
            ),
        ),
    ]
