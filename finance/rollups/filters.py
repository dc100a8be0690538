"""What a dashboard or API caller asked the roll-ups for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RollupFilters:
    """What a dashboard or API caller asked for; empty means no restriction on that dimension."""

    year_from: int | None = None
    year_to: int | None = None
    divisions: tuple[int, ...] = ()
    countries: tuple[int, ...] = ()
    themes: tuple[int, ...] = ()
    modalities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    funding_natures: tuple[str, ...] = ()
    # Activity.agreement values: a dimension of every roll-up table (finance.models.rollup_tables).
    agreements: tuple[str, ...] = ()

    def dimensions(self) -> set[str]:
        used = {
            "division": self.divisions,
            "country": self.countries,
            "theme": self.themes,
            "modality": self.modalities,
            "status": self.statuses,
            "funding_nature": self.funding_natures,
            "agreement": self.agreements,
        }
        dims = {name for name, values in used.items() if values}
        if self.year_from is not None or self.year_to is not None:
            dims.add("year")
        return dims
