"""ActivityYearTotal keeps one row per activity and fiscal year with one amount column per
contribution kind and stage, as the cells do since 0037, where it kept a row per kind and stage:
fewer rows for a first build to write and index (benchmarks/README.md, roll-ups).

The stored rows are converted here, pivoted in SQL (each activity-year's rows summed into one),
so the dashboard needs no rebuild first; reversed, they are spread back into a row per kind and
stage (kind, stage and amount_cents are made nullable first, so that either direction can write
the other shape's rows beside the old ones). The covering index's amounts are the allocated
columns, the only ones the dashboard reads from it. The kinds and stages are written out: a
migration must not follow later changes of the code's choices.
"""

from django.db import migrations, models

KINDS = ("ifad_grant", "ifad_loan", "ifad_admin", "cofinancing", "in_kind")
STAGES = ("planned", "allocated", "spent")
AMOUNTS = [(kind, stage, f"{kind}_{stage}") for kind in KINDS for stage in STAGES]
TABLE = "finance_activityyeartotal"
DIMENSIONS = (
    "activity_id, year, division_id, modality, funding_nature, status, agreement, is_public"
)


def pivot_totals(apps, schema_editor):
    columns = ", ".join(column for _kind, _stage, column in AMOUNTS)
    sums = ", ".join(
        f"SUM(CASE WHEN kind = '{kind}' AND stage = '{stage}' THEN amount_cents END)"
        for kind, stage, _column in AMOUNTS
    )
    # The new rows have no amount_cents: the old rows are those that have one.
    schema_editor.execute(
        f"INSERT INTO {TABLE} ({DIMENSIONS}, {columns}) "
        f"SELECT {DIMENSIONS}, {sums} FROM {TABLE} "
        f"WHERE amount_cents IS NOT NULL GROUP BY {DIMENSIONS}"
    )
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE amount_cents IS NOT NULL")


def unpivot_totals(apps, schema_editor):
    rows = " UNION ALL ".join(
        f"SELECT {DIMENSIONS}, '{kind}', '{stage}', {column} FROM {TABLE} "
        f"WHERE amount_cents IS NULL AND {column} IS NOT NULL"
        for kind, stage, column in AMOUNTS
    )
    schema_editor.execute(f"INSERT INTO {TABLE} ({DIMENSIONS}, kind, stage, amount_cents) {rows}")
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE amount_cents IS NULL")


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0037_cell_amounts_pivoted"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activityyeartotal",
            name="rollup_activity_year_cover",
        ),
        migrations.AlterField(
            model_name="activityyeartotal",
            name="amount_cents",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="activityyeartotal",
            name="kind",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.AlterField(
            model_name="activityyeartotal",
            name="stage",
            field=models.CharField(max_length=10, null=True),
        ),
        *[
            migrations.AddField(
                model_name="activityyeartotal",
                name=column,
                field=models.BigIntegerField(null=True),
            )
            for _kind, _stage, column in AMOUNTS
        ],
        migrations.RunPython(pivot_totals, unpivot_totals),
        migrations.RemoveField(
            model_name="activityyeartotal",
            name="amount_cents",
        ),
        migrations.RemoveField(
            model_name="activityyeartotal",
            name="kind",
        ),
        migrations.RemoveField(
            model_name="activityyeartotal",
            name="stage",
        ),
        migrations.AddIndex(
            model_name="activityyeartotal",
            index=models.Index(
                fields=["division", "year"],
                include=(
                    "activity",
                    "modality",
                    "funding_nature",
                    "status",
                    "agreement",
                    "is_public",
                    "ifad_grant_allocated",
                    "ifad_loan_allocated",
                    "ifad_admin_allocated",
                    "cofinancing_allocated",
                    "in_kind_allocated",
                ),
                name="rollup_activity_year_cover",
            ),
        ),
    ]
