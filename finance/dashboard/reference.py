"""What the dashboard's filters choose from and how it names what they chose: the divisions,
countries and themes of one request, and the filters in words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from activities.models import Agreement, Country, Division, FundingNature, Modality, Status, Theme

from ..rollups import GroupKey, RollupFilters


@dataclass(frozen=True)
class Reference:
    """Divisions, countries and themes, loaded once per request (three small queries): the
    filters' choices and every label of the dashboard come from here."""

    divisions: dict[int, Division]
    countries: dict[int, Country]
    themes: dict[int, Theme]

    @classmethod
    def load(cls) -> Reference:
        return cls(
            divisions={d.pk: d for d in Division.objects.all()},
            countries={c.pk: c for c in Country.objects.only("pk", "iso2", "iso3", "name")},
            themes={t.pk: t for t in Theme.objects.only("pk", "code", "name", "position")},
        )

    @cached_property
    def fingerprint(self) -> str:
        """A digest of what the dashboard's labels, links and row order are written from (each
        row's codes, stored name and place): what the page rendered from its figures depends on
        beyond them and the language."""
        rows = (
            [(d.pk, d.code, d.name) for d in self.divisions.values()],
            [(c.pk, c.iso2, c.name) for c in self.countries.values()],
            [(t.pk, t.code, t.name) for t in self.themes.values()],
        )
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]

    def division_label(self, pk: GroupKey) -> str:
        division = self.divisions.get(pk) if isinstance(pk, int) else None
        return f"{division.code}: {division.display_name}" if division else _("Not attributed")

    def country_label(self, pk: GroupKey) -> str:
        country = self.countries.get(pk) if isinstance(pk, int) else None
        return country.display_name if country else _("Not attributed")

    def theme_label(self, pk: GroupKey) -> str:
        theme = self.themes.get(pk) if isinstance(pk, int) else None
        return theme.display_name if theme else _("Not attributed")


def describe_filters(filters: RollupFilters, reference: Reference) -> list[str]:
    """The filters in words, one line per dimension (for the reports and their list)."""
    lines = []
    first, last = filters.year_from, filters.year_to
    if first is not None and last is not None:
        lines.append(_("Fiscal years %(first)s to %(last)s") % {"first": first, "last": last})
    elif first is not None:
        lines.append(_("From fiscal year %(first)s") % {"first": first})
    elif last is not None:
        lines.append(_("Up to fiscal year %(last)s") % {"last": last})
    named: list[tuple[str, Iterable[str]]] = [
        (
            _("Divisions"),
            (reference.divisions[pk].code for pk in filters.divisions if pk in reference.divisions),
        ),
        (_("Countries"), (reference.country_label(pk) for pk in filters.countries)),
        (_("Themes"), (reference.theme_label(pk) for pk in filters.themes)),
        (_("Modalities"), (str(Modality(v).label) for v in filters.modalities)),
        (_("Statuses"), (str(Status(v).label) for v in filters.statuses)),
        (_("Funding"), (str(FundingNature(v).label) for v in filters.funding_natures)),
        (_("Confirmation"), (str(Agreement(v).label) for v in filters.agreements)),
    ]
    for title, values in named:
        text = ", ".join(values)
        if text:
            lines.append(f"{title}: {text}")
    return lines or [_("No filter: all the money you may see, every fiscal year")]
