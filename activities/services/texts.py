"""An activity's title and summary in other languages (activities.texts): checked and written
with the activity, in the same transaction, by create_activity and update_activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _

from accounts.text import field_errors

from ..texts import ActivityText, ContentLanguage

if TYPE_CHECKING:
    from accounts.models import User

    from ..history import Through
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
    return version_problems(
        own_language,
        [(text.language, text.title, {"summary": text.summary}) for text in texts],
        model=ActivityText,
        own_message=_(
            "The activity's own title and summary are in %(language)s: leave the "
            "%(language)s version empty, or say which language the activity's own "
            "title and summary are in."
        ),
    )


def version_problems(
    own_language: str,
    versions: Sequence[tuple[str, str, dict[str, str]]],
    *,
    model: type[models.Model],
    own_message: str,
) -> list[str]:
    """The problems of a record's versions in other languages, each (language, title, its
    other texts by field name) and each problem naming its language: the activities' and the
    knowledge assets' (`model` gives the fields' rules; `own_message`, with %(language)s, the
    refusal of a version in the record's own language)."""
    names = dict(ContentLanguage.choices)
    problems: list[str] = []
    seen: set[str] = set()
    for language, title, others in versions:
        name = names.get(language)
        if name is None:
            problems.append(_("Unknown language %(code)r.") % {"code": language})
            continue
        if language in seen:
            problems.append(_("The %(language)s version is given twice.") % {"language": name})
        seen.add(language)
        if language == own_language:
            problems.append(own_message % {"language": name})
        if not title.strip():
            problems.append(_("Give the title in %(language)s.") % {"language": name})
        for messages in field_errors(model, {"title": title, **others}).values():
            problems.extend(f"{name}: {message}" for message in messages)
    return problems


def sync_texts(
    activity: Activity,
    texts: Sequence[TextVersion] | None,
    user: User | None,
    through: Through | None = None,
) -> None:
    """Bring the versions to `texts` (None: leave them). Each saved row writes its snapshot
    (who, before, after, through what) as the activity's countries and partners do."""
    reason = through.value if through else None
    if texts is None:
        return
    existing = {row.language: row for row in activity.texts.all()}
    wanted = {text.language: text for text in texts}
    for language, stale in existing.items():
        if language not in wanted:
            stale._history_user = user  # type: ignore[attr-defined]
            stale._change_reason = reason  # type: ignore[attr-defined]
            stale.delete()
    for language, text in wanted.items():
        row = existing.get(language) or ActivityText(activity=activity, language=language)
        if row.pk and (row.title, row.summary) == (text.title, text.summary):
            continue
        row.title, row.summary = text.title, text.summary
        row._history_user = user  # type: ignore[attr-defined]
        row._change_reason = reason  # type: ignore[attr-defined]
        row.save()
