"""`manage.py load_income_groups PATH`: the World Bank income classification for a fiscal year.

The CSV has the columns iso3, income_group (LIC, LMIC, UMIC, HIC) and fiscal_year. Every row is
checked first; one bad row refuses the whole file, listing each problem with its row number, so
the classification is never half updated.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from activities.models import Country, IncomeGroup

COLUMNS = ("iso3", "income_group", "fiscal_year")
# The Bank's analytical income classification starts with fiscal year 1989.
FIRST_FISCAL_YEAR = 1989


def read_income_groups(
    path: Path, countries: dict[str, Country]
) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """The valid rows as iso3 -> (group, fiscal year), and every problem found."""
    rows: dict[str, tuple[str, int]] = {}
    problems: list[str] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise CommandError(f"{path.name}: missing column(s) {', '.join(missing)}.")
        reader.fieldnames = header
        seen: dict[str, int] = {}
        for number, row in enumerate(reader, start=2):
            iso3 = (row["iso3"] or "").strip().upper()
            group = (row["income_group"] or "").strip().upper()
            year_text = (row["fiscal_year"] or "").strip()
            if not (iso3 or group or year_text):
                continue
            row_problems = []
            if iso3 not in countries:
                row_problems.append(f"unknown ISO3 code {iso3!r}")
            elif iso3 in seen:
                row_problems.append(f"{iso3} already given on row {seen[iso3]}")
            if group not in IncomeGroup.values:
                row_problems.append(
                    f"income group {group!r} is not one of {', '.join(IncomeGroup.values)}"
                )
            year = int(year_text) if year_text.isdigit() else 0
            if not FIRST_FISCAL_YEAR <= year <= 2100:
                row_problems.append(f"fiscal year {year_text!r} is not a year from 1989")
            if row_problems:
                problems.append(f"row {number}: {'; '.join(row_problems)}")
                continue
            seen[iso3] = number
            rows[iso3] = (group, year)
    return rows, problems


class Command(BaseCommand):
    help = (
        "Set countries' World Bank income group from a CSV (iso3,income_group,fiscal_year). "
        "All or nothing: any bad row refuses the file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file: iso3,income_group,fiscal_year")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        countries = Country.objects.in_bulk(field_name="iso3")
        rows, problems = read_income_groups(path, countries)
        if problems:
            raise CommandError(
                f"{path.name} was not loaded ({len(problems)} bad row(s)):\n  "
                + "\n  ".join(problems)
            )
        if not rows:
            raise CommandError(f"{path.name} has no rows.")
        changed = []
        for iso3, (group, year) in rows.items():
            country = countries[iso3]
            if (country.income_group, country.income_group_year) != (group, year):
                country.income_group, country.income_group_year = group, year
                changed.append(country)
        with transaction.atomic():
            Country.objects.bulk_update(changed, ["income_group", "income_group_year"])
        self.stdout.write(
            f"{len(rows)} rows read: {len(changed)} countries updated, "
            f"{len(rows) - len(changed)} unchanged; "
            f"{len(countries) - len(rows)} countries not in the file keep their group."
        )
