"""`manage.py rebuild_rollups`: recompute every roll-up from the ledger, here and now.

The same work as the nightly rebuild and the focal point's button, without Redis or a worker:
for a first deployment, after restoring a backup, or when the task queue is down. It prints each
fiscal year as it is done; a failure exits non-zero, with the years done so far kept (each year
is its own transaction, and running the command again starts over harmlessly).
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from finance import rollups
from finance.models import RollupRun


class Command(BaseCommand):
    help = (
        "Recompute every roll-up from the ledger, one fiscal year at a time (several at once "
        "on PostgreSQL), with progress."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def report(step: rollups.YearComputed) -> None:
            outcome = "rewritten" if step.changed else "already right"
            self.stdout.write(
                f"{step.done:>3}/{step.total}  fiscal year {step.year}  {step.seconds:6.2f} s"
                f"  {outcome}"
            )

        workers = rollups.rebuild_workers()
        self.stdout.write(
            f"Rebuilding the roll-ups, one fiscal year at a time, {workers} at once "
            f"(ROLLUP_REBUILD_WORKERS)..."
        )
        try:
            run = rollups.rebuild_all(on_year=report)
        except Exception as error:
            raise CommandError(f"The rebuild failed: {error}") from error
        if run.state != RollupRun.State.DONE:
            raise CommandError(f"The rebuild ended {run.state}: {run.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {run.slices_total} fiscal years in {time.monotonic() - started:.1f} s."
            )
        )
