"""An activity's title and summary in other languages (activities.texts): checked and written
with the activity, in the same transaction, by create_activity and update_activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.text import field_errors

from ..texts import ActivityText, ContentLanguage

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Activity


@dataclass(frozen=True)
class TextVersion:
    language: str
    title: str
    summary: str = ""


def check_texts(own_language: str, texts: Sequence[TextVersion] | None) -> list[str]:
    """Every problem of the versions of an activity written in `own_language`, each naming its
    language; none when they are kept as they are (None)."""
    if texts is None:
        return []
    names = dict(ContentLanguage.choices)
    problems: list[str] = []
    seen: set[str] = set()
    for text in texts:
        name = names.get(text.language)
        if name is None:
            problems.append(_("Unknown language %(code)r.") % {"code": text.language})
            continue
        if text.language in seen:
            problems.append(_("The %(language)s version is given twice.") % {"language": name})
        seen.add(text.language)
        if text.language == own_language:
            problems.append(
                _(
                    "The activity's own title and summary are in %(language)s: leave the "
                    "%(language)s version empty, or say which language the activity's own "
                    "title and summary are in."
                )
                % {"language": name}
            )
        if not text.title.strip():
            problems.append(_("Give the title in %(language)s.") % {"language": name})
        for messages in field_errors(
            ActivityText, {"title": text.title, "summary": text.summary}
        ).values():
            problems.extend(f"{name}: {message}" for message in messages)
    return problems


def sync_texts(activity: Activity, texts: Sequence[TextVersion] | None, user: User | None) -> None:
    """Bring the versions to `texts` (None: leave them). Each saved row writes its snapshot
    (who, before, after) as the activity's countries and partners do."""
    if texts is None:
        return
    existing = {row.language: row for row in activity.texts.all()}
    wanted = {text.language: text for text in texts}
    for language, stale in existing.items():
        if language not in wanted:
            stale._history_user = user  # type: ignore[attr-defined]
            stale.delete()
    for language, text in wanted.items():
        row = existing.get(language) or ActivityText(activity=activity, language=language)
        if row.pk and (row.title, row.summary) == (text.title, text.summary):
            continue
        row.title, row.summary = text.title, text.summary
        row._history_user = user  # type: ignore[attr-defined]
        row.save()
