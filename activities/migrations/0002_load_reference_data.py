"""Load divisions, themes, SDGs and every country from the maintained packages.

The rows come from activities.reference_data, which reads packages and shipped codelists only
(no models), so this migration stays valid as the app's code changes.
"""

from django.db import migrations

from activities import reference_data


def load(apps, schema_editor):
    Division = apps.get_model("activities", "Division")
    Country = apps.get_model("activities", "Country")
    Theme = apps.get_model("activities", "Theme")
    SDG = apps.get_model("activities", "SDG")
    divisions = {}
    for code, name, regional in reference_data.DIVISIONS:
        divisions[code], _ = Division.objects.update_or_create(
            code=code, defaults={"name": name, "is_regional": regional}
        )
    for position, (code, name) in enumerate(reference_data.THEMES, start=1):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "position": position})
    for number, name in reference_data.sdg_rows():
        SDG.objects.update_or_create(number=number, defaults={"name": name})
    for row in reference_data.country_rows():
        values = dict(row)
        division = values.pop("division")
        values["division"] = divisions[division] if division else None
        Country.objects.update_or_create(iso2=values.pop("iso2"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
