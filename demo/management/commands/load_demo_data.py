"""`manage.py load_demo_data`: demo accounts, partners, the spreadsheet sample, its knowledge,
results and counterparts' records (DEBUG only)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from activities.services import ActivityError
from demo import loader as demo
from knowledge.services import KnowledgeError


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password 'demo'), demo partner organizations, the 16 "
        "activities of the corporate spreadsheet sample, their knowledge, results, and their "
        "counterparts' confirmations, conversation and proposals. "
        "Idempotent. Refused unless DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workbook",
            type=Path,
            help="The spreadsheet sample to load (default: ../shared/legacy, else the app's copy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo accounts have a published "
                "password. Set DEBUG=1 (development only)."
            )
        try:
            result = demo.load_demo_data(workbook=options["workbook"])
        except (demo.DemoDataError, ActivityError, KnowledgeError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Partner organizations: {', '.join(result.partners)}")
        imported = result.activities
        # Kept: activities the portal changed since the last load (the demo's accepted
        # contribution is one), which the import leaves as they are.
        kept = f", {imported.skipped} kept as changed in the portal" if imported.skipped else ""
        self.stdout.write(
            f"Sample activities: {imported.created} created, {imported.updated} updated, "
            f"{imported.unchanged} unchanged{kept}; {imported.entries} ledger entries"
        )
        self.stdout.write(f"Demo partners, visibility and CPMs: {result.roles.summary()}")
        self.stdout.write(
            f"Knowledge assets, learning route, offers, demand: {result.knowledge.summary()}"
        )
        self.stdout.write(
            f"Results frameworks and action plan follow-ups: {result.results.summary()}"
        )
        self.stdout.write(
            f"Sides, conversation and proposed contributions: {result.counterparts.summary()}"
        )
        self.stdout.write(f"In-kind quantities and rate cards: {result.in_kind.summary()}")
        self.stdout.write(f"Contributor groups: {result.groups.summary()}")
        self.stdout.write(f"Saved views of the activity list: {result.saved_views.summary()}")
        self.stdout.write(result.duplicates.summary())
        self.stdout.write(result.texts.summary())
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (password for all: demo):"))
        for account, _user in result.accounts:
            self.stdout.write(f"  {account.username:<11} {account.description}")
        self.stdout.write("")
        self.stdout.write(f"Log in at {settings.SITE_URL}/accounts/login/")
