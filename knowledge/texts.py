"""A knowledge asset's title and abstract in other languages: checked and written with the asset
by services.save_asset (in its transaction), and their history read back for the asset's page.

Every saved or removed version writes one django-simple-history snapshot with who, when and
through what (the page's form, the API: activities.history.Through, kept as the snapshot's
change reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from activities.history import Through, through_label
from activities.services.texts import version_problems
from activities.texts import ContentLanguage

from .models import AssetText, search_config_for

if TYPE_CHECKING:
    from accounts.models import User

    from .models import KnowledgeAsset


@dataclass(frozen=True)
class TextVersion:
    language: str
    title: str
    abstract: str = ""


def check_texts(own_language: str, texts: Sequence[TextVersion] | None) -> list[str]:
    """Every problem of the versions of an asset written in `own_language`, each naming its
    language; none when they are kept as they are (None)."""
    if texts is None:
        return []
    return version_problems(
        own_language,
        [(text.language, text.title, {"abstract": text.abstract}) for text in texts],
        model=AssetText,
        own_message=_(
            "The asset's own title and abstract are in %(language)s: leave the %(language)s "
            "version empty, or say which language the asset's own title and abstract are in."
        ),
    )


def sync_texts(
    asset: KnowledgeAsset,
    texts: Sequence[TextVersion] | None,
    user: User | None,
    through: Through | None,
) -> bool:
    """Bring the versions to `texts` (None: leave them); whether any was saved. Each saved or
    removed row writes its snapshot (who, before, after, through what)."""
    if texts is None:
        return False
    existing = {row.language: row for row in asset.texts.all()}
    wanted = {text.language: text for text in texts}
    reason = through.value if through else None
    saved = False
    for language, stale in existing.items():
        if language not in wanted:
            stale._history_user = user  # type: ignore[attr-defined]
            stale._change_reason = reason  # type: ignore[attr-defined]
            stale.delete()
    for language, text in wanted.items():
        row = existing.get(language) or AssetText(asset=asset, language=language)
        if row.pk and (row.title, row.abstract) == (text.title, text.abstract):
            continue
        row.title, row.abstract = text.title, text.abstract
        row._history_user = user  # type: ignore[attr-defined]
        row._change_reason = reason  # type: ignore[attr-defined]
        row.save()
        saved = True
    return saved


def reindex_texts(texts: QuerySet[AssetText]) -> int:
    """Each version's search vector: its title (A) and abstract (B) in its own language
    (PostgreSQL only; SQLite searches the text)."""
    if connection.vendor != "postgresql":
        return 0
    config = search_config_for("language")
    return texts.update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("abstract", weight="B", config=config)
    )


@dataclass
class TextChange:
    """One field of one version changed: before and after ("" when it was added or removed)."""

    when: datetime.datetime
    who: str
    through: str
    label: str
    before: str
    after: str


def text_history(asset: KnowledgeAsset) -> list[TextChange]:
    """Every change to the asset's versions in other languages, newest first: two queries."""
    rows = list(
        AssetText.history.filter(asset_id=asset.pk).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    users = {
        user.pk: str(user)
        for user in get_user_model().objects.filter(
            pk__in={row.history_user_id for row in rows if row.history_user_id}
        )
    }
    names = dict(ContentLanguage.choices)
    changes: list[TextChange] = []
    last: dict[int, Any] = {}
    for row in rows:
        before = last.get(row.id)
        name = names.get(row.language, row.language)
        labels = {
            "title": _("Title in %(language)s") % {"language": name},
            "abstract": _("Abstract in %(language)s") % {"language": name},
        }
        for part, label in labels.items():
            old = getattr(before, part, "") if before is not None else ""
            new = "" if row.history_type == "-" else getattr(row, part)
            if row.history_type == "-":
                old = getattr(row, part)
            if old == new:
                continue
            changes.append(
                TextChange(
                    when=row.history_date,
                    who=users.get(row.history_user_id, "") if row.history_user_id else "",
                    through=through_label(row.history_change_reason),
                    label=label,
                    before=old,
                    after=new,
                )
            )
        last[row.id] = row
    return changes[::-1]
