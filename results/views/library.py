"""The core indicator library as staff read it: what each indicator counts, in what unit, under
which rule, and how many activities adopted it. The focal point keeps it in the admin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import access
from ..models import CoreIndicator, Dimension


@login_required
def library(request: HttpRequest) -> HttpResponse:
    if not access.reads_library(request.user):
        raise PermissionDenied(_("The core indicator library is for agency staff."))
    cores = CoreIndicator.objects.annotate(
        activities=Count("indicators__result__activity", distinct=True)
    ).order_by("-is_active", "position", "title")
    return render(
        request,
        "results/library.html",
        {
            "cores": list(cores),
            "dimensions": list(Dimension.objects.prefetch_related("values")),
            "keeps_library": access.keeps_library(request.user),
        },
    )
