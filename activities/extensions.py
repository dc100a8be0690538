"""What the apps above activities add to it, named in settings.ACTIVITY_EXTENSIONS.

Activities may not import finance, knowledge or results (the apps depend one way:
CONVENTIONS.md, pyproject.toml's import-linter contracts), yet some of its pages and rules must
show or count what they hold. Rather than have each app fill a list from its AppConfig.ready(),
the project's settings name every contribution by its dotted path, in one place a newcomer
reads, as Django names its MIDDLEWARE; activities loads them where it uses them. A test
overrides the setting to take one away. The kinds of contribution and what each entry must be:

- "list_filters": an `activities.filters.ListFilterExtension` (the list's money filters);
- "merge_facts": a function of activity ids giving each one's labelled facts for the merge page
  (`activities.merge_facts`);
- "partner_reach": a function of a user giving the ids of the organizations the records of another
  app it reads name (`activities.access.visible_partners`);
- "approved_results": a function giving, as a one-column `values()` queryset, the ids of the
  activities with approved results (`activities.results_seam`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.utils.module_loading import import_string

type Kind = Literal["list_filters", "merge_facts", "partner_reach", "approved_results"]


def extensions(kind: Kind) -> list[Any]:
    """The contributions of this kind, in the order the settings name them. Loaded on each call:
    the modules are imported once, so this costs a dictionary lookup per entry, and an
    overridden setting takes effect at once."""
    return [import_string(path) for path in settings.ACTIVITY_EXTENSIONS.get(kind, ())]
