from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from activities.access import without_merged
from activities.models import Activity
from finance.export import build_workbook


class Command(BaseCommand):
    help = "Write every activity and its money to PATH in the corporate workbook format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        content = build_workbook(without_merged(Activity.objects.all()))
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error}") from error
        self.stdout.write(f"Wrote {Activity.objects.count()} activities to {path}.")
