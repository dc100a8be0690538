"""The standard codes page: the code each of the portal's categories is published under in the
standards exports (finance.codebook): per theme its DAC purpose and SDG target, per category
scheme (type of aid, type of finance, channel, collaboration type) each value's code, the
default or the focal point's, with the codes' names and the history of changes. Staff read it;
the focal point keeps it. Its address is still /finance/theme-codes/ (finance:theme_codes), so
links and bookmarks to the theme codes page it grew from keep working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User
from activities.history import Through, through_label
from activities.models import Theme

from . import codebook
from .access import require_agency_figures
from .forms import CategoryCodeForm, ThemeCodeForm
from .iati_codelists import code_names
from .models import DAC_PURPOSE_FALLBACK, CategoryCode, CodeScheme, ThemeCode

HISTORY_ROWS = 15


@dataclass(frozen=True)
class CodeCell:
    """One mapping as the page shows it: the code, its name, whether the focal point changed
    it from the shipped default, and who did last."""

    code: str
    name: str
    changed: bool
    updated_by: Any = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SchemeTable:
    scheme: str
    title: str
    category_label: str
    rows: list[tuple[str, str, CodeCell]]  # (value, value's label, code)


@dataclass(frozen=True)
class Change:
    when: datetime
    who: Any
    scheme: str
    subject: str
    code: str
    through: str = ""


def _theme_names(scheme: str) -> dict[str, str]:
    return code_names("Sector" if scheme == CodeScheme.DAC_PURPOSE else "UNSDG-Targets")


def _theme_rows() -> list[tuple[Theme, list[CodeCell | None]]]:
    """Every theme with its DAC purpose and SDG target (None: no code). A theme code is
    "changed" once the focal point saved it: the shipped ones came with the migrations."""
    found = {
        (mapping.theme_id, mapping.scheme): mapping
        for mapping in ThemeCode.objects.select_related("updated_by")
    }
    names = {
        scheme: _theme_names(scheme) for scheme in (CodeScheme.DAC_PURPOSE, CodeScheme.SDG_TARGET)
    }
    rows = []
    for theme in Theme.objects.all():
        cells: list[CodeCell | None] = []
        for scheme in (CodeScheme.DAC_PURPOSE, CodeScheme.SDG_TARGET):
            mapping = found.get((theme.pk, scheme))
            cells.append(
                None
                if mapping is None
                else CodeCell(
                    mapping.code,
                    names[scheme].get(mapping.code, ""),
                    mapping.updated_by_id is not None,
                    mapping.updated_by,
                    mapping.updated_at,
                )
            )
        rows.append((theme, cells))
    return rows


def _scheme_tables() -> list[SchemeTable]:
    """Each category scheme: every value's code, the focal point's over the default."""
    saved = {
        (mapping.scheme, mapping.value): mapping
        for mapping in CategoryCode.objects.select_related("updated_by")
    }
    tables = []
    for scheme, spec in codebook.CATEGORY_SCHEMES.items():
        names = spec.codes()
        rows = []
        for value, label in spec.category.choices:
            mapping = saved.get((scheme, value))
            default = spec.defaults.get(value, "")
            code = mapping.code if mapping else default
            cell = CodeCell(
                code,
                names.get(code, ""),
                mapping is not None and mapping.code != default,
                mapping.updated_by if mapping else None,
                mapping.updated_at if mapping else None,
            )
            rows.append((value, str(label), cell))
        tables.append(
            SchemeTable(scheme, str(CodeScheme(scheme).label), str(spec.category_label), rows)
        )
    return tables


def _history(themes: dict[int, str]) -> list[Change]:
    """The latest changes of every mapping, newest first: two queries."""
    theme_changes = ThemeCode.history.select_related("history_user").order_by("-history_date")
    category_changes = CategoryCode.history.select_related("history_user").order_by("-history_date")
    labels = {
        (scheme, value): str(label)
        for scheme, spec in codebook.CATEGORY_SCHEMES.items()
        for value, label in spec.category.choices
    }
    changes = chain(
        (
            Change(
                h.history_date,
                h.history_user,
                str(CodeScheme(h.scheme).label),
                themes.get(h.theme_id, ""),
                h.code,
                through_label(h.history_change_reason),
            )
            for h in theme_changes.exclude(history_user=None)[:HISTORY_ROWS]
        ),
        (
            Change(
                h.history_date,
                h.history_user,
                str(CodeScheme(h.scheme).label),
                labels.get((h.scheme, h.value), h.value),
                h.code,
                through_label(h.history_change_reason),
            )
            for h in category_changes[:HISTORY_ROWS]
        ),
    )
    return sorted(changes, key=lambda change: change.when, reverse=True)[:HISTORY_ROWS]


def _save(form: Form, user: User, *, category: bool) -> bool:
    """Save the form's code through the codebook; its refusal goes on the form's fields."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if category:
            codebook.set_category_code(
                scheme=data["scheme"],
                value=data["value"],
                code=data["code"],
                user=user,
                through=Through.FORM,
            )
        else:
            codebook.set_theme_code(
                theme=data["theme"],
                scheme=data["scheme"],
                code=data["code"],
                user=user,
                through=Through.FORM,
            )
    except codebook.FinanceError as error:
        for name, problems in error.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return False
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def theme_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_agency_figures(user, _("The standard codes are for agency staff."))
    schemes = [(scheme, str(CodeScheme(scheme).label)) for scheme in codebook.CATEGORY_SCHEMES]
    posted = request.POST if request.method == "POST" else None
    is_category = posted is not None and posted.get("form") == "category"
    theme_form = ThemeCodeForm(None if is_category else posted)
    category_form = CategoryCodeForm(posted if is_category else None, schemes=schemes)
    if posted is not None:
        if not user.is_focal_point:
            raise PermissionDenied(_("Only the focal point keeps the standard codes."))
        form: Form = category_form if is_category else theme_form
        if _save(form, user, category=is_category):
            messages.success(request, _("The code was saved."))
            return redirect("finance:theme_codes")
    theme_rows = _theme_rows()
    dac_names = _theme_names(CodeScheme.DAC_PURPOSE)
    return render(
        request,
        "finance/theme_codes.html",
        {
            "form": theme_form,
            "category_form": category_form,
            "theme_rows": theme_rows,
            "scheme_tables": _scheme_tables(),
            "history": _history({theme.pk: theme.name for theme, _cells in theme_rows}),
            "can_edit": user.is_focal_point,
            "fallback": DAC_PURPOSE_FALLBACK,
            "fallback_name": dac_names[DAC_PURPOSE_FALLBACK],
            "sector_names": sorted(dac_names.items()),
        },
        status=400 if posted is not None else 200,
    )
