"""Notifications about a country's side keep its ISO code beside its English name, so that
their text names the country in the reader's language (counterparts.models.side_text). Those
written before kept the name alone: their code is found from the name."""

from django.db import migrations

COUNTRY_ROLES = ("provider", "receiver", "both")  # activities.models.CountryRole, as of now


def add_country_codes(apps, schema_editor):
    Country = apps.get_model("activities", "Country")
    Notification = apps.get_model("counterparts", "Notification")
    codes = dict(Country.objects.values_list("name", "iso2"))
    changed = []
    for note in Notification.objects.only("details").iterator(chunk_size=2000):
        details = note.details or {}
        code = codes.get(details.get("side", ""))
        if details.get("role") in COUNTRY_ROLES and code and "iso2" not in details:
            note.details = {**details, "iso2": code}
            changed.append(note)
    Notification.objects.bulk_update(changed, ["details"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0013_activity_merges"),
        ("counterparts", "0003_roles_deleted_in_bulk"),
    ]

    operations = [
        migrations.RunPython(add_country_codes, migrations.RunPython.noop, elidable=True),
    ]
