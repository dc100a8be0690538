"""The focal point's roll-up rebuild: start a full rebuild, watch its progress.

The dashboard reads the roll-up tables; edits refresh them slice by slice and beat rebuilds them
nightly. This page is for the times the focal point wants them rebuilt now (after fixing
reference data in the admin, say) and for seeing whether refreshes are keeping up.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User

from . import rollups, services
from .models import RollupRun

RECENT_RUNS = 10


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rollup_rebuild(request: HttpRequest) -> HttpResponse:
    """GET: the latest rebuilds and pending refreshes. POST: queue a full rebuild."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point rebuilds the roll-ups."))
    if request.method == "POST":
        try:
            services.start_rollup_rebuild(user=user)
        except services.FinanceError as error:
            for problems in error.errors.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(request, _("Rebuild queued: its progress shows below."))
        return redirect("finance:rollup_rebuild")
    state = rollups.rollup_state()
    current = rollups.rebuild_in_progress()
    runs = list(RollupRun.objects.select_related("requested_by")[:RECENT_RUNS])
    return render(
        request,
        "finance/rollup_rebuild.html",
        {
            "state": state,
            "current": current,
            # A RUNNING rebuild no process holds: its worker died; the next worker resumes it.
            "stalled": current is not None
            and current.state == RollupRun.State.RUNNING
            and not rollups.rebuild_is_alive(current),
            "runs": runs,
            "refreshing": current is not None or state.pending > 0,
        },
    )
