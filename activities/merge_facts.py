"""The seam through which the apps above activities show what a merge would move.

The merge's confirmation page shows both activities side by side: their own facts, and what
other apps hold of them (finance: the ledger lines and their money; results: the results),
which activities may not import. settings.ACTIVITY_EXTENSIONS["merge_facts"] names each app's
function giving, for some activity ids, their labelled facts in a fixed number of queries
(activities/extensions.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .extensions import extensions

type Facts = dict[int, list[tuple[str, str]]]
type MergeFacts = Callable[[Sequence[int]], Facts]


def merge_facts(activity_ids: Sequence[int]) -> Facts:
    """Each activity's facts from every app the settings name, in their order there."""
    found: Facts = {pk: [] for pk in activity_ids}
    finder: MergeFacts
    for finder in extensions("merge_facts"):
        for pk, facts in finder(activity_ids).items():
            found.setdefault(pk, []).extend(facts)
    return found
