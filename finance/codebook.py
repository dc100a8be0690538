"""The one code-mapping layer: which external code each of the portal's categories is published
under, for every standards export (IATI, the TOSSD extract, the SDG 17.3.1 aggregate).

- themes -> OECD DAC CRS 5-digit purpose codes and SDG targets (ThemeCode, one row per theme);
- activity types -> types of aid, kinds of contribution -> types of finance, types of
  organization -> CRS channels of delivery, modalities -> collaboration types (CategoryCode).

Defaults ship with the portal (DEFAULTS); the focal point changes them on the codes page, each
change checked against the scheme's list and kept in the history. An export loads the whole
book once (`CodeBook.load`, two queries) and asks it, so no export has codes of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from activities.history import Through, marked
from activities.models import ActivityType, Modality, PartnerType, Theme

from .errors import FinanceError
from .iati_codelists import active_codes, code_names
from .models import (
    DAC_PURPOSE_FALLBACK,
    THEME_SCHEMES,
    CategoryCode,
    CodeScheme,
    ContributionKind,
    ThemeCode,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The CRS channels of delivery at their parent level (OECD, CRS code lists: "Channel of
# delivery"); IATI has no list of them. The portal knows an organization's type, not its exact
# channel, so the parents are as precise as it can honestly be.
CRS_CHANNELS: dict[str, str] = {
    "10000": "Public sector institutions",
    "11000": "Donor government",
    "12000": "Recipient government",
    "13000": "Third country government (delegated co-operation)",
    "20000": "Non-governmental organisations (NGOs) and civil society",
    "21000": "International NGO",
    "22000": "Donor country-based NGO",
    "23000": "Developing country-based NGO",
    "30000": "Public-private partnerships (PPPs) and networks",
    "40000": "Multilateral organisations",
    "41000": "United Nations agency, fund or commission (UN)",
    "47000": "Other multilateral institution",
    "51000": "University, college or other teaching institution, research institute or think-tank",
    "60000": "Private sector institutions",
    "90000": "Other",
}


@dataclass(frozen=True)
class SchemeSpec:
    """What one category scheme maps: the portal's category, its codelist, its defaults."""

    category: type[TextChoices]
    category_label: StrOrPromise
    codelist: str  # IATI codelist name, or "" for CRS_CHANNELS
    defaults: Mapping[str, str]

    def codes(self) -> dict[str, str]:
        """{code: name} of the codes the scheme accepts."""
        return dict(CRS_CHANNELS) if not self.codelist else code_names(self.codelist)


CATEGORY_SCHEMES: dict[str, SchemeSpec] = {
    # Technical cooperation is D02 (other technical assistance) unless experts are deployed
    # (D01, donor country personnel); research and networks are project-type (C01).
    CodeScheme.AID_TYPE: SchemeSpec(
        ActivityType,
        gettext_lazy("Activity type"),
        "AidType",
        {
            **{value: "D02" for value in ActivityType.values},
            ActivityType.TECHNICAL_ASSISTANCE: "D01",
            ActivityType.RESEARCH: "C01",
            ActivityType.NETWORK: "C01",
        },
    ),
    # Standard grant, but for the loan-financed projects (standard loan). In-kind is given,
    # not lent: a grant.
    CodeScheme.FINANCE_TYPE: SchemeSpec(
        ContributionKind,
        gettext_lazy("Kind of contribution"),
        "FinanceType",
        {**{value: "110" for value in ContributionKind.values}, ContributionKind.IFAD_LOAN: "421"},
    ),
    CodeScheme.CHANNEL: SchemeSpec(
        PartnerType,
        gettext_lazy("Type of organization"),
        "",
        {
            PartnerType.GOVERNMENT: "12000",
            PartnerType.LOCAL_GOVERNMENT: "12000",
            PartnerType.PROJECT_UNIT: "12000",
            PartnerType.NGO: "20000",
            PartnerType.FARMERS_ORG: "23000",
            PartnerType.RESEARCH: "51000",
            PartnerType.PRIVATE: "60000",
            PartnerType.MULTILATERAL: "40000",
            PartnerType.BILATERAL: "11000",
            PartnerType.FOUNDATION: "90000",
            PartnerType.OTHER: "90000",
        },
    ),
    # IATI's CollaborationType: 8 is triangular co-operation; the agency's own South-South
    # exchanges are its multilateral outflows (4).
    CodeScheme.COLLABORATION: SchemeSpec(
        Modality,
        gettext_lazy("Modality"),
        "CollaborationType",
        {Modality.SOUTH_SOUTH: "4", Modality.TRIANGULAR: "8", Modality.TRILATERAL: "8"},
    ),
}


@cache
def theme_codes_accepted(scheme: str) -> frozenset[str]:
    return active_codes("Sector" if scheme == CodeScheme.DAC_PURPOSE else "UNSDG-Targets")


@dataclass(frozen=True)
class CodeBook:
    """Every mapping, loaded at once: what the exports ask, one answer per question."""

    theme_codes: Mapping[tuple[str, int], str]
    category_codes: Mapping[tuple[str, str], str]

    @classmethod
    def load(cls) -> CodeBook:
        return cls(
            theme_codes={
                (scheme, theme_id): code
                for scheme, theme_id, code in ThemeCode.objects.values_list(
                    "scheme", "theme_id", "code"
                )
            },
            category_codes={
                (scheme, value): code
                for scheme, value, code in CategoryCode.objects.values_list(
                    "scheme", "value", "code"
                )
            },
        )

    def category(self, scheme: str, value: str) -> str:
        """The code of one category value: the focal point's, else the default ("" when the
        value has neither, e.g. an activity with no type)."""
        found = self.category_codes.get((scheme, value))
        return found if found is not None else CATEGORY_SCHEMES[scheme].defaults.get(value, "")

    def aid_type(self, activity_type: str) -> str:
        return self.category(CodeScheme.AID_TYPE, activity_type)

    def finance_type(self, kind: str) -> str:
        return self.category(CodeScheme.FINANCE_TYPE, kind)

    def channel(self, partner_type: str) -> str:
        return self.category(CodeScheme.CHANNEL, partner_type)

    def collaboration(self, modality: str) -> str:
        return self.category(CodeScheme.COLLABORATION, modality)

    def purpose(self, theme_id: int) -> str:
        return self.theme_codes.get((CodeScheme.DAC_PURPOSE, theme_id), DAC_PURPOSE_FALLBACK)

    def sdg_target(self, theme_id: int) -> str:
        """The theme's SDG target, or "" when the focal point gave it none."""
        return self.theme_codes.get((CodeScheme.SDG_TARGET, theme_id), "")

    def purpose_shares(self, theme_ids: Iterable[int]) -> dict[str, Decimal]:
        """The activity's DAC purposes with their percentages: split equally over its themes
        and summed where themes share a code; the fallback alone for an activity with none."""
        ids = list(theme_ids)
        if not ids:
            return {DAC_PURPOSE_FALLBACK: Decimal(100)}
        shares: dict[str, Decimal] = {}
        for theme_id in ids:
            code = self.purpose(theme_id)
            shares[code] = shares.get(code, Decimal(0)) + Decimal(100) / len(ids)
        return shares


def problem_with_code(scheme: str, code: str) -> str | None:
    """Why `code` cannot be published under `scheme`, or None when it can."""
    if scheme in THEME_SCHEMES:
        accepted: Iterable[str] = theme_codes_accepted(scheme)
    elif scheme in CATEGORY_SCHEMES:
        accepted = CATEGORY_SCHEMES[scheme].codes()
    else:
        return _("Choose a classification.")
    if code in accepted:
        return None
    return _("%(code)s is not in the list of codes in use for %(scheme)s.") % {
        "code": code or '""',
        "scheme": CodeScheme(scheme).label,
    }


def _keep[M: (ThemeCode, CategoryCode)](
    mapping: M, code: str, user: User | None, through: Through | None
) -> M:
    """Save the mapping with its new code (a checked one), unless it has it already."""
    if mapping.pk is not None and mapping.code == code:
        return mapping
    mapping.code, mapping.updated_by = code, user
    mapping._history_user = user  # type: ignore[attr-defined]
    marked(mapping, through).save()
    return mapping


@transaction.atomic
def set_theme_code(
    *, theme: Theme, scheme: str, code: str, user: User | None, through: Through | None = None
) -> ThemeCode:
    """The code `theme` is published under in `scheme`, checked against that scheme's list;
    `through` (the page's form) kept in the mapping's history, as by set_category_code."""
    code = code.strip()
    if scheme not in THEME_SCHEMES:
        raise FinanceError({"scheme": [_("Choose a classification.")]})
    if problem := problem_with_code(scheme, code):
        raise FinanceError({"code": [problem]})
    found = ThemeCode.objects.select_for_update().filter(theme=theme, scheme=scheme).first()
    return _keep(found or ThemeCode(theme=theme, scheme=scheme), code, user, through)


@transaction.atomic
def set_category_code(
    *, scheme: str, value: str, code: str, user: User | None, through: Through | None = None
) -> CategoryCode:
    """The code one category value is published under in `scheme` (the focal point's choice
    over the default), checked against the scheme's list."""
    code = code.strip()
    spec = CATEGORY_SCHEMES.get(scheme)
    if spec is None:
        raise FinanceError({"scheme": [_("Choose a classification.")]})
    if value not in spec.category.values:
        raise FinanceError(
            {"value": [_("Choose a value of %(category)s.") % {"category": spec.category_label}]}
        )
    if problem := problem_with_code(scheme, code):
        raise FinanceError({"code": [problem]})
    found = CategoryCode.objects.select_for_update().filter(scheme=scheme, value=value).first()
    return _keep(found or CategoryCode(scheme=scheme, value=value), code, user, through)
