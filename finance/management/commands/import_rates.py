from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from finance import services


class Command(BaseCommand):
    help = "Import exchange rates from a CSV: currency, month (YYYY-MM), units per US$."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--confirm-outliers",
            action="store_true",
            help="Import rates more than five times off their neighbouring months as they are.",
        )

    def handle(self, *args: Any, path: Path, confirm_outliers: bool, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            result = services.import_rates_csv(
                text=text, user=None, source=path.name, confirm_outliers=confirm_outliers
            )
        except services.FinanceError as error:
            problems = [p for messages in error.errors.values() for p in messages]
            if isinstance(error, services.RateOutlier):
                problems.append("If these rates are right, run again with --confirm-outliers.")
            raise CommandError("Nothing was imported:\n" + "\n".join(problems)) from error
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
