"""`manage.py load_reference_data`: refresh divisions, themes, SDGs and countries.

Reads the same sources as the initial data migration (activities.reference_data). Names and codes
follow the sources; a country's division is set only where it is empty, because the focal point
may have assigned it by hand in the admin.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from activities import reference_data
from activities.models import SDG, Country, Division, Theme


class Command(BaseCommand):
    help = (
        "Update divisions, themes, SDGs and countries from the maintained packages and shipped "
        "codelists. Keeps divisions the focal point assigned to countries."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        divisions: dict[str, Division] = {}
        for code, name, regional in reference_data.DIVISIONS:
            divisions[code], _created = Division.objects.update_or_create(
                code=code, defaults={"name": name, "is_regional": regional}
            )
        for position, (code, name) in enumerate(reference_data.THEMES, start=1):
            Theme.objects.update_or_create(code=code, defaults={"name": name, "position": position})
        sdgs = reference_data.sdg_rows()
        for number, name in sdgs:
            SDG.objects.update_or_create(number=number, defaults={"name": name})

        existing = Country.objects.in_bulk(field_name="iso2")
        created = updated = kept_division = 0
        for row in reference_data.country_rows():
            values: dict[str, Any] = dict(row)
            iso2 = values.pop("iso2")
            division = divisions[code] if (code := values.pop("division")) else None
            country = existing.get(iso2) or Country(iso2=iso2)
            changed = any(getattr(country, name) != value for name, value in values.items())
            if country.division_id is None and division is not None:
                country.division = division
                changed = True
            elif division is not None and country.division_id != division.pk:
                kept_division += 1
            if not changed:
                continue
            created += country.pk is None
            updated += country.pk is not None
            for name, value in values.items():
                setattr(country, name, value)
            country.save()
        self.stdout.write(
            f"{len(divisions)} divisions, {len(reference_data.THEMES)} themes, {len(sdgs)} SDGs; "
            f"countries: {created} created, {updated} updated, "
            f"{kept_division} keep a division set by hand."
        )
