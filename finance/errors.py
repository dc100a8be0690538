"""The finance app's one error: a write refused, with messages keyed by the field they are about."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import LedgerLock


class FinanceError(Exception):
    """A ledger or rate write was refused; `errors` maps a field (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        # Only the messages: each names what it is about in words, and whatever prints the
        # error (a flash message, a command's output, a failed task) shows no field key.
        super().__init__(" ".join(str(m) for messages in errors.values() for m in messages))


class LedgerConflict(FinanceError):
    """Someone recorded or corrected an entry of this activity since the caller loaded it."""

    def __init__(self, lock: LedgerLock, loaded: int):
        self.lock = lock
        if lock.updated_at is None:
            # Imports and generated data set a version with no time or author (and a version
            # sent for an activity with none yet finds a new lock): say which versions differ.
            message = _(
                "These figures are at version %(version)d, not version %(loaded)d as you loaded "
                "them. Nothing you typed was saved: check the figures below and submit again."
            ) % {"version": lock.version, "loaded": loaded}
        else:
            message = _(
                "%(who)s changed these figures at %(when)s (version %(version)d) while you "
                "were editing. Nothing you typed was saved: check the figures below and submit "
                "again."
            ) % {
                "who": lock.updated_by or _("someone"),
                "when": f"{lock.updated_at:%Y-%m-%d %H:%M} UTC",
                "version": lock.version,
            }
        super().__init__(message)
