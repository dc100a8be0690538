"""The standards pages and endpoints in the permission walks (tests/activities/
test_permissions.py, tests/api/test_permissions.py): an export the LAC CPM asked for, built, and
what each role gets.

Agency staff build every export; country counterparts their country's 17.3.1 slice; partner
users nothing (403). An export is read by who asked for it (the CPM) and the focal point (and
the admin): the others who may use the page get 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from standards.models import ExportFormat, ExportKind, StandardsExport
from standards.services import build_export

OWNERS = ("cpm", "focal", "admin")
USERS = ("viewer", "cpm_other", "cpm", "focal", "admin", "counterpart", "counterpart_other")


def make_export(user: User) -> StandardsExport:
    export = StandardsExport.objects.create(
        requested_by=user, kind=ExportKind.SDG_1731, format=ExportFormat.CSV
    )
    build_export(export.pk)
    export.refresh_from_db()
    assert export.state == StandardsExport.State.DONE, export.problems or export.error
    return export


def post_body() -> dict[str, Any]:
    """A valid request for every role that may use the page (a counterpart's is its slice)."""
    return {"kind": ExportKind.SDG_1731, "format": ExportFormat.CSV}


def export_read() -> dict[str, Any]:
    """Who reads the CPM's export: its owners 200, the others who use the page 404."""
    return {**dict.fromkeys(USERS, 404), **dict.fromkeys(OWNERS, 200), "partner": 403}
