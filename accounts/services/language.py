"""A user's own choice of language (the switcher on every page).

A preference, not a change to the account's access, yet it is recorded like any other change of
the account: one history snapshot, by the user, through the switcher. Only the language column
is written, so that a focal point's change to the same person saved meanwhile is kept (and the
person's version, which guards the focal point's forms, is left alone).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.language import is_offered
from accounts.models import USER_HISTORY, User

SWITCHER_REASON = "accounts:language"


class LanguageError(Exception):
    """The language asked for is not offered."""


@transaction.atomic
def set_user_language(*, user: User, language: str) -> bool:
    """Remember `language` for `user`; False when it was already theirs (nothing written)."""
    if not is_offered(language):
        raise LanguageError(_("This language is not offered."))
    if user.language == language:
        return False
    user.language = language
    user.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        user.save(update_fields=["language"])
    finally:
        del user.skip_history_when_saving  # type: ignore[attr-defined]
    user._history_user = user  # type: ignore[attr-defined]
    user._change_reason = SWITCHER_REASON  # type: ignore[attr-defined]
    try:
        USER_HISTORY.create_historical_record(user, "~")
    finally:
        del user._history_user  # type: ignore[attr-defined]
        del user._change_reason  # type: ignore[attr-defined]
    return True
