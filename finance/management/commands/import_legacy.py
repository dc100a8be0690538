from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from finance.importer import ImportRefused, import_legacy_workbook
from finance.legacy import UnsafeFile


class Command(BaseCommand):
    help = (
        "Import the corporate SSC workbook (sheets Activities and Contributions): all or "
        "nothing, upsert on SSC ID. With --dry-run, check and count without writing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count only.")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} activities", ending="\r")

        try:
            with path.open("rb") as handle:
                summary = import_legacy_workbook(
                    handle=handle,
                    filename=path.name,
                    user=None,
                    dry_run=dry_run,
                    progress=progress,
                )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except UnsafeFile as error:
            raise CommandError(str(error)) from error
        except ImportRefused as error:
            raise CommandError(
                "Nothing was imported. Problems:\n" + "\n".join(error.problems)
            ) from error
        self.stdout.write("")
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            f"{verb} {summary.created}, updated {summary.updated}, unchanged "
            f"{summary.unchanged} activities; {summary.entries} ledger entries; "
            f"{summary.partners_created} new partner organizations."
        )
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
