"""The cells (RollupCell, AllYearsCell) keep one row per combination of dimensions with one
amount column per contribution kind and stage, where they kept a row per kind and stage:
several times fewer rows for a first build to write and index (benchmarks/README.md, roll-ups).

The stored rows are converted here, pivoted in SQL (each combination's rows summed into one),
so the dashboard needs no rebuild first; reversed, they are spread back into a row per kind and
stage (kind, stage and amount_cents are made nullable first, so that either direction can write
the other shape's rows beside the old ones). The kinds and stages are written out: a migration
must not follow later changes of the code's choices.
"""

from django.db import migrations, models

KINDS = ("ifad_grant", "ifad_loan", "ifad_admin", "cofinancing", "in_kind")
STAGES = ("planned", "allocated", "spent")
AMOUNTS = [(kind, stage, f"{kind}_{stage}") for kind in KINDS for stage in STAGES]
TABLES = {
    "finance_rollupcell": (
        "grain, year, division_id, country_id, theme_id, modality, funding_nature, status, "
        "agreement, is_public"
    ),
    "finance_allyearscell": "grain, division_id, country_id, theme_id, agreement, is_public",
}


def pivot_cells(apps, schema_editor):
    columns = ", ".join(column for _kind, _stage, column in AMOUNTS)
    sums = ", ".join(
        f"SUM(CASE WHEN kind = '{kind}' AND stage = '{stage}' THEN amount_cents END)"
        for kind, stage, _column in AMOUNTS
    )
    for table, dimensions in TABLES.items():
        # The new rows have no amount_cents: the old rows are those that have one.
        schema_editor.execute(
            f"INSERT INTO {table} ({dimensions}, {columns}) "
            f"SELECT {dimensions}, {sums} FROM {table} "
            f"WHERE amount_cents IS NOT NULL GROUP BY {dimensions}"
        )
        schema_editor.execute(f"DELETE FROM {table} WHERE amount_cents IS NOT NULL")


def unpivot_cells(apps, schema_editor):
    for table, dimensions in TABLES.items():
        rows = " UNION ALL ".join(
            f"SELECT {dimensions}, '{kind}', '{stage}', {column} FROM {table} "
            f"WHERE amount_cents IS NULL AND {column} IS NOT NULL"
            for kind, stage, column in AMOUNTS
        )
        schema_editor.execute(
            f"INSERT INTO {table} ({dimensions}, kind, stage, amount_cents) {rows}"
        )
        schema_editor.execute(f"DELETE FROM {table} WHERE amount_cents IS NULL")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_division_status_index"),
        ("finance", "0036_all_years_cell_cover"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="allyearscell",
            name="all_years_cell_cover",
        ),
        migrations.RemoveIndex(
            model_name="rollupcell",
            name="rollup_cell_full_country_cover",
        ),
        migrations.RemoveIndex(
            model_name="rollupcell",
            name="rollup_cell_country_cover",
        ),
        migrations.RemoveIndex(
            model_name="rollupcell",
            name="rollup_cell_theme_cover",
        ),
        migrations.RemoveIndex(
            model_name="rollupcell",
            name="rollup_cell_core_cover",
        ),
        migrations.RemoveIndex(
            model_name="rollupcell",
            name="rollup_cell_modality_cover",
        ),
        migrations.AlterField(
            model_name="allyearscell",
            name="amount_cents",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="allyearscell",
            name="kind",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.AlterField(
            model_name="allyearscell",
            name="stage",
            field=models.CharField(max_length=10, null=True),
        ),
        migrations.AlterField(
            model_name="rollupcell",
            name="amount_cents",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="rollupcell",
            name="kind",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.AlterField(
            model_name="rollupcell",
            name="stage",
            field=models.CharField(max_length=10, null=True),
        ),
        *[
            migrations.AddField(
                model_name=model, name=column, field=models.BigIntegerField(null=True)
            )
            for model in ("allyearscell", "rollupcell")
            for _kind, _stage, column in AMOUNTS
        ],
        migrations.RunPython(pivot_cells, unpivot_cells),
        migrations.RemoveField(
            model_name="allyearscell",
            name="amount_cents",
        ),
        migrations.RemoveField(
            model_name="allyearscell",
            name="kind",
        ),
        migrations.RemoveField(
            model_name="allyearscell",
            name="stage",
        ),
        migrations.RemoveField(
            model_name="rollupcell",
            name="amount_cents",
        ),
        migrations.RemoveField(
            model_name="rollupcell",
            name="kind",
        ),
        migrations.RemoveField(
            model_name="rollupcell",
            name="stage",
        ),
        migrations.AddIndex(
            model_name="allyearscell",
            index=models.Index(
                fields=["grain", "agreement", "country", "theme"],
                include=(
                    "division",
                    "is_public",
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="all_years_cell_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="rollupcell",
            index=models.Index(
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
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="rollup_cell_full_country_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="rollupcell",
            index=models.Index(
                condition=models.Q(("grain", "country")),
                fields=["country", "year", "division"],
                include=(
                    "agreement",
                    "is_public",
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="rollup_cell_country_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="rollupcell",
            index=models.Index(
                condition=models.Q(("grain", "theme")),
                fields=["theme", "year", "division"],
                include=(
                    "agreement",
                    "is_public",
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="rollup_cell_theme_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="rollupcell",
            index=models.Index(
                condition=models.Q(("grain", "core")),
                fields=["year", "division", "modality"],
                include=(
                    "funding_nature",
                    "status",
                    "agreement",
                    "is_public",
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="rollup_cell_core_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="rollupcell",
            index=models.Index(
                condition=models.Q(("grain", "modality")),
                fields=["year", "division", "modality"],
                include=(
                    "agreement",
                    "is_public",
                    "ifad_grant_planned",
                    "ifad_grant_allocated",
                    "ifad_grant_spent",
                    "ifad_loan_planned",
                    "ifad_loan_allocated",
                    "ifad_loan_spent",
                    "ifad_admin_planned",
                    "ifad_admin_allocated",
                    "ifad_admin_spent",
                    "cofinancing_planned",
                    "cofinancing_allocated",
                    "cofinancing_spent",
                    "in_kind_planned",
                    "in_kind_allocated",
                    "in_kind_spent",
                ),
                name="rollup_cell_modality_cover",
            ),
        ),
    ]
