"""PairCount keeps its counts by agreement too, beside those over every agreement (agreement "",
which the rows already stored are), and ActivityCount counts the activities with money by their
dimensions. Both are filled here from the rows the roll-ups already hold (the SQL of
finance.rollups.counts as it was written here; the code may change later), so the dashboard
needs no rebuild first. Reversed, the counts by agreement are deleted and ActivityCount goes."""

import django.db.models.deletion
from django.db import migrations, models

COUNT_PAIRS = """
INSERT INTO finance_paircount (provider_id, receiver_id, division_id, is_public, agreement,
                               activities)
SELECT provider_id, receiver_id, division_id, is_public, agreement, COUNT(*)
FROM finance_activitypair
GROUP BY provider_id, receiver_id, division_id, is_public, agreement
"""
REMOVE_PAIR_COUNTS = "DELETE FROM finance_paircount WHERE agreement <> ''"
COUNT_ACTIVITIES = """
INSERT INTO finance_activitycount (division_id, modality, funding_nature, status, agreement,
                                   is_public, activities)
SELECT division_id, modality, funding_nature, status, agreement, is_public, COUNT(*)
FROM finance_activitymoney
GROUP BY division_id, modality, funding_nature, status, agreement, is_public
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_division_status_index"),
        ("finance", "0038_activity_year_amounts_pivoted"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="paircount", name="one_pair_count"),
        migrations.AddField(
            model_name="paircount",
            name="agreement",
            field=models.CharField(default="", max_length=10),
            preserve_default=False,
        ),
        migrations.RunSQL(COUNT_PAIRS, REMOVE_PAIR_COUNTS),
        migrations.AddConstraint(
            model_name="paircount",
            constraint=models.UniqueConstraint(
                fields=("provider", "receiver", "division", "is_public", "agreement"),
                name="one_pair_count",
            ),
        ),
        migrations.AddIndex(
            model_name="paircount",
            index=models.Index(
                fields=["agreement"],
                include=("provider", "receiver", "division", "is_public", "activities"),
                name="pair_count_agreement_cover",
            ),
        ),
        migrations.CreateModel(
            name="ActivityCount",
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
                ("agreement", models.CharField(max_length=10)),
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
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "division",
                            "modality",
                            "funding_nature",
                            "status",
                            "agreement",
                            "is_public",
                        ),
                        name="one_activity_count",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="activitymoney",
            index=models.Index(
                fields=[
                    "division",
                    "modality",
                    "funding_nature",
                    "status",
                    "agreement",
                    "is_public",
                ],
                name="activity_money_key",
            ),
        ),
        migrations.AddIndex(
            model_name="activitymoney",
            index=models.Index(
                fields=["agreement"], include=("activity",), name="activity_money_agreement"
            ),
        ),
        migrations.RunSQL(COUNT_ACTIVITIES, migrations.RunSQL.noop),
    ]
