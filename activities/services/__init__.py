"""Writes to activities and partners.

Every change to an activity, its countries, partners and status goes through these functions, so
that each one is validated the same way from the browser, the API and the importers, runs in one
transaction, and is recorded in the audit history with its author and what it came through
(`through`: activities.history.Through, the page's form or the API; an import run's batch writes
its own reason).

- `activity`: one activity (create, update, change its status);
- `batch`: many activities at once, for the importers;
- `partners`: partner organizations (create, update, merge);
- `texts`: an activity's title and summary in other languages, written with it;
- `saved_views`: a user's named filter sets of the activity list;
- `duplicates`: an activity created past its likely duplicates, a pair told apart;
- `merges`: two activities found to be one merged, the other kept as a tombstone;
- `errors`: ActivityError, the one error they raise, and its kinds.
"""

from .activity import (
    EDITABLE_FIELDS,
    ROLLUP_FIELDS,
    ActivityData,
    CountryLink,
    PartnerLink,
    change_status,
    create_activity,
    update_activity,
)
from .batch import (
    ActivityBatchError,
    PreparedActivity,
    prepare_activity_update,
    prepare_new_activity,
    save_activities,
)
from .duplicates import (
    LikelyDuplicates,
    create_activity_past_duplicates,
    record_duplicate_pairs,
    tell_apart,
)
from .errors import ActivityError, ConflictError
from .merges import merge_activities
from .partners import (
    PartnerError,
    create_partner,
    create_partners,
    find_duplicate_partner,
    merge_partners,
    update_partner,
)
from .saved_views import create_saved_view, delete_saved_view, update_saved_view
from .texts import TextVersion

__all__ = [
    "EDITABLE_FIELDS",
    "ROLLUP_FIELDS",
    "ActivityBatchError",
    "ActivityData",
    "ActivityError",
    "ConflictError",
    "CountryLink",
    "LikelyDuplicates",
    "PartnerError",
    "PartnerLink",
    "PreparedActivity",
    "TextVersion",
    "change_status",
    "create_activity",
    "create_activity_past_duplicates",
    "create_partner",
    "create_partners",
    "create_saved_view",
    "delete_saved_view",
    "find_duplicate_partner",
    "merge_activities",
    "merge_partners",
    "prepare_activity_update",
    "prepare_new_activity",
    "record_duplicate_pairs",
    "save_activities",
    "tell_apart",
    "update_activity",
    "update_partner",
    "update_saved_view",
]
