"""`manage.py rebuild_period_figures [--check]`: recompute the results dashboard's stored rows
from results.progress and write those that differ.

Nightly (beat's `rebuild-period-figures-nightly`, results.tasks) so that a refresh a write
missed cannot leave a figure wrong for long; after restoring a backup; or with `--check` to
only count the rows that differ, exiting non-zero when there are any. A batch of activities per
transaction: rerunning it after a failure starts over harmlessly, and a run that finds
everything right writes nothing.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.period_figures import rebuild


class Command(BaseCommand):
    help = "Recompute the results dashboard's stored rows and write those that differ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count the rows that differ; exit with an error when there are any.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = rebuild(dry_run=options["check"])
        verb = "differ" if options["check"] else "rewritten"
        summary = (
            f"{result.activities:,} activities: {result.written:,} rows {verb}, "
            f"{result.deleted:,} {'stale' if options['check'] else 'deleted'}, "
            f"in {time.monotonic() - started:.1f} s."
        )
        if options["check"] and (result.written or result.deleted):
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
