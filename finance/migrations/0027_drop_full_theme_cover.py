"""The full grain's covering index by theme goes: no target view filters by theme, and a first
build paid for building it (benchmarks/README.md, 2026-12-06).

IF EXISTS: a first build killed halfway leaves the cells' indexes missing until the next rebuild.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0026_closed_period_text_and_date_validators"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS rollup_cell_full_theme_cover",
                    migrations.RunSQL.noop,
                )
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="rollupcell", name="rollup_cell_full_theme_cover")
            ],
        ),
    ]
