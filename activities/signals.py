"""What activities tells the apps above it (finance, knowledge and newer apps).

Activities may not import them (the apps depend one way: CONVENTIONS.md, pyproject.toml's
import-linter contracts), so when one of its writes must reach them it sends one of these
signals, inside the write's transaction, and the app that must react connects a receiver in
its own `receivers` module. They carry facts, not instructions: what changed, never what to do.

- `activities_changed(divisions=...)`: activities changed in something an activity's money is
  summed by (its lead division, modality, funding nature, visibility, status, countries or
  themes). `divisions` maps each activity id to its lead divisions before and after the write
  (one, or two when it moved): its money leaves the old division's figures.
- `activities_saved(activity_ids=..., user=...)`: activities were created or changed through
  the services (any field, country or partner role, status), in the write's transaction; the
  counterparts app checks whether what each side confirmed still holds.
- `partners_merged(keep=..., remove=..., user=...)`: merge_partners moved `remove`'s links to
  `keep` and is about to delete `remove`; whatever else points at `remove` must move now.
"""

from django.dispatch import Signal

activities_changed = Signal()
activities_saved = Signal()
partners_merged = Signal()
activities_merged = Signal()
