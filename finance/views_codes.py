"""The theme codes page: the code each theme is published under in external classifications
(the DAC purpose codes of the IATI file's sectors). Staff read it; the focal point keeps it."""

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
from activities.models import Theme

from . import codebook
from .access import require_agency_figures
from .forms import ThemeCodeForm
from .iati_codelists import code_names
from .models import DAC_PURPOSE_FALLBACK, CodeScheme, ThemeCode


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def theme_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_agency_figures(user, _("Theme codes are for agency staff."))
    form = ThemeCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not user.is_focal_point:
            raise PermissionDenied(_("Only the focal point keeps the theme codes."))
        if form.is_valid():
            try:
                codebook.set_theme_code(
                    theme=form.cleaned_data["theme"],
                    scheme=CodeScheme.DAC_PURPOSE,
                    code=form.cleaned_data["code"],
                    user=user,
                )
            except codebook.FinanceError as error:
                for name, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, _("The theme's code was saved."))
                return redirect("finance:theme_codes")
    names = code_names("Sector")
    codes = {
        mapping.theme_id: mapping
        for mapping in ThemeCode.objects.filter(scheme=CodeScheme.DAC_PURPOSE).select_related(
            "updated_by"
        )
    }
    rows = []
    for theme in Theme.objects.all():
        mapping = codes.get(theme.pk)
        rows.append((theme, mapping, names.get(mapping.code, "") if mapping else ""))
    return render(
        request,
        "finance/theme_codes.html",
        {
            "form": form,
            "rows": rows,
            "can_edit": user.is_focal_point,
            "fallback": DAC_PURPOSE_FALLBACK,
            "fallback_name": names[DAC_PURPOSE_FALLBACK],
            "sector_names": sorted(names.items()),
        },
        status=400 if request.method == "POST" else 200,
    )
