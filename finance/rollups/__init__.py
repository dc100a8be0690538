"""Roll-ups: the portfolio's money summed by year, division, country, theme, modality and so on.

The dashboard, the API and the reports read these summary tables, never the ledger. The package,
one module per responsibility:

- `sql`: what is stored (the derived tables and their grains) and the SQL that computes it;
- `store`: writing the stored rows, only where they differ, under the locks that keep writers apart;
- `counts`: the counted tables (the activities' pairs, the activities by their dimensions);
- `refresh_requests`: what an edit records for its refresh;
- `refresh`: how the drain finds and recomputes the cells a refresh needs;
- `verify`: the checksums that let the nightly rebuild write only what is wrong;
- `rebuild`: the full rebuild, a few fiscal years at once, surviving a killed worker;
- `first_build`: the rebuild into empty tables, their indexes built after the rows;
- `filters`: what a caller asked for;
- `activity_grain`: the selection as a condition on one activity's rows, and its activities
  counted by agreement;
- `reads`: who sees which money, the smallest grain that answers a question, and its figures.

The names below are the ones used outside the package.
"""

from .activity_grain import activity_condition, agreement_counts
from .filters import RollupFilters
from .reads import (
    DIMENSIONS,
    GROUP_BY_CHOICES,
    UNATTRIBUTED,
    Figures,
    GroupKey,
    RollupState,
    choose_grain,
    coverage,
    grouped_totals,
    money_sums,
    rollup_rows,
    rollup_scope,
    rollup_state,
    scoped_all_years_rows,
    scoped_rollup_rows,
    scoped_totals,
    totals,
    unpivot,
)
from .rebuild import (
    YearComputed,
    interrupted_rebuilds,
    rebuild_all,
    rebuild_in_progress,
    rebuild_is_alive,
    rebuild_workers,
)
from .refresh import (
    ACTIVITY_REFRESH_LIMIT,
    activity_years,
    compute_activities,
    compute_slices,
    drain_refresh_requests,
)
from .refresh_requests import (
    last_entry_id,
    request_refresh,
    request_refresh_for_activities,
    request_refresh_for_changed_activities,
    request_refresh_for_entries_after,
    slices_of_activities,
)
from .sql import EVERY_AGREEMENT, PROVIDER_ROLES, RECEIVER_ROLES, Slice
from .store import lock_rebuild_starts
from .verify import recompute_all_activity_money

__all__ = [
    "ACTIVITY_REFRESH_LIMIT",
    "DIMENSIONS",
    "EVERY_AGREEMENT",
    "GROUP_BY_CHOICES",
    "PROVIDER_ROLES",
    "RECEIVER_ROLES",
    "UNATTRIBUTED",
    "Figures",
    "GroupKey",
    "RollupFilters",
    "RollupState",
    "Slice",
    "YearComputed",
    "activity_condition",
    "activity_years",
    "agreement_counts",
    "choose_grain",
    "compute_activities",
    "compute_slices",
    "coverage",
    "drain_refresh_requests",
    "grouped_totals",
    "interrupted_rebuilds",
    "last_entry_id",
    "lock_rebuild_starts",
    "money_sums",
    "rebuild_all",
    "rebuild_in_progress",
    "rebuild_is_alive",
    "rebuild_workers",
    "recompute_all_activity_money",
    "request_refresh",
    "request_refresh_for_activities",
    "request_refresh_for_changed_activities",
    "request_refresh_for_entries_after",
    "rollup_rows",
    "rollup_scope",
    "rollup_state",
    "scoped_all_years_rows",
    "scoped_rollup_rows",
    "scoped_totals",
    "slices_of_activities",
    "totals",
    "unpivot",
]
