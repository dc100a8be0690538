"""Who may build and download the standards exports (built on accounts.roles, finance.access).

| Export                        | Build and download                                          |
|-------------------------------|-------------------------------------------------------------|
| TOSSD extract                 | agency staff (focal point, CPMs, viewers): every activity   |
| SDG 17.3.1 aggregate, whole   | agency staff                                                |
| SDG 17.3.1, one country slice | that country's counterparts: the rows where it is provider, |
|                               | from public activities (their money is what they read)      |
| partner users, anonymous      | nothing: an organization speaks for no country              |

An export is read back by the one who asked for it, or the focal point.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from finance.access import reads_agency_figures

from .models import ExportKind, StandardsExport


def exports_all(user: User | Any) -> bool:
    return bool(user.is_authenticated and reads_agency_figures(user))


def slice_country_of(user: User | Any) -> int | None:
    """The country whose 17.3.1 slice a counterpart may download, else None."""
    if not user.is_authenticated or exports_all(user) or not user.is_country_counterpart:
        return None
    return user.counterpart_country_id


def may_use_standards(user: User | Any) -> bool:
    return exports_all(user) or slice_country_of(user) is not None


def require_standards(user: User | Any) -> None:
    if not may_use_standards(user):
        raise PermissionDenied(
            _("Standards reporting is for agency staff and country counterparts.")
        )


def kinds_for(user: User | Any) -> list[str]:
    if exports_all(user):
        return list(ExportKind.values)
    return [ExportKind.SDG_1731] if slice_country_of(user) is not None else []


def readable_exports(user: User | Any) -> Any:
    found = StandardsExport.objects.select_related("requested_by", "slice_country")
    if user.is_authenticated and user.is_focal_point:
        return found
    return found.filter(requested_by_id=user.pk)


def get_export_for_user(user: User | Any, pk: int) -> StandardsExport:
    """An export its requester or the focal point may read; 404 for anyone else (who need not
    learn that it exists)."""
    require_standards(user)
    export = readable_exports(user).filter(pk=pk).first()
    if export is None:
        raise Http404(_("No such export."))
    return export
