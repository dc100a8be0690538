"""The seam through which the apps above activities show what a merge would move.

The merge's confirmation page shows both activities side by side: their own facts, and what
other apps hold of them (finance: the ledger lines and their money; results: the results),
which activities may not import. Each app registers here, in its AppConfig.ready(), a function
giving for some activity ids their labelled facts, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

type Facts = dict[int, list[tuple[str, str]]]
type MergeFacts = Callable[[Sequence[int]], Facts]
_finders: list[MergeFacts] = []


def register_merge_facts(finder: MergeFacts) -> None:
    """Add an app's facts to the merge page (once, however often ready() runs)."""
    if finder not in _finders:
        _finders.append(finder)


def merge_facts(activity_ids: Sequence[int]) -> Facts:
    """Each activity's facts from every registered app, in their order of registration."""
    found: Facts = {pk: [] for pk in activity_ids}
    for finder in _finders:
        for pk, facts in finder(activity_ids).items():
            found.setdefault(pk, []).extend(facts)
    return found
