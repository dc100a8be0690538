"""AllYearsCell also holds its cells summed over every agreement (agreement ""), which the
dashboard sums when it is not filtered by agreement: they are added here from the rows already
stored (the same sums the roll-ups now write), so the dashboard needs no rebuild first.
Reversed, they are deleted."""

from django.db import migrations

TABLE = "finance_allyearscell"
COLUMNS = "grain, division_id, country_id, theme_id, is_public, kind, stage"


def add_every_agreement(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE agreement = ''")
    schema_editor.execute(
        f"INSERT INTO {TABLE} ({COLUMNS}, agreement, amount_cents) "
        f"SELECT {COLUMNS}, '', SUM(amount_cents) FROM {TABLE} GROUP BY {COLUMNS}"
    )


def remove_every_agreement(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE agreement = ''")


class Migration(migrations.Migration):
    dependencies = [("finance", "0034_groups_from_fake_partners")]

    operations = [migrations.RunPython(add_every_agreement, remove_every_agreement)]
