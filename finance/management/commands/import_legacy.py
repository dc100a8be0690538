from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from finance.importer import ImportRefused, import_legacy_workbook
from finance.legacy import UnsafeFile


class Command(BaseCommand):
    help = (
        "Import the corporate SSC workbook (sheets Activities and Contributions): all or "
        "nothing, upsert on SSC ID. With --dry-run, check and count without writing. An "
        "activity changed in the portal since the file was made is skipped unless named with "
        "--overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count only.")
        parser.add_argument(
            "--overwrite",
            action="append",
            default=[],
            metavar="SSC_ID",
            help="Import this activity's row even where the portal changed it since (repeatable).",
        )

    def handle(
        self, *args: Any, path: Path, dry_run: bool, overwrite: list[str], **options: Any
    ) -> None:
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
                    overwrite={ssc_id.strip().upper() for ssc_id in overwrite},
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
            f"{summary.partners_created} new partner organizations; "
            f"{summary.groups_created} new contributor groups; skipped "
            f"{summary.skipped} in conflict."
        )
        for review in summary.reviews:
            for conflict in review.conflicts:
                self.stdout.write(
                    self.style.WARNING(
                        f"{'Overwritten' if review.action == 'overwritten' else 'Skipped'} "
                        f"{review.ssc_id}: {conflict.label} is {conflict.portal!r} in the portal "
                        f"({conflict.by}, {conflict.at}), {conflict.file!r} in the file."
                    )
                )
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
