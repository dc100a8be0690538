"""What every counterparts service shares: the one error, its conflict kinds and the version
claim that refuses a stale page or API call."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils.translation import gettext as _

from activities.history import Through
from activities.services import ActivityError

from ..models import Channel


def through_of(via: str) -> Through | None:
    """The portal's Through for a step's channel, kept as the change reason of the history
    rows the step writes (its own `via` column says it in the same words); the portal's own
    steps name none."""
    return {Channel.FORM: Through.FORM, Channel.API: Through.API}.get(Channel(via))


class CounterpartError(ActivityError):
    """A counterparts write was refused. `errors` maps a field name (or "__all__") to messages."""


class StaleRecord(CounterpartError):
    """Someone else changed the record after the caller loaded it."""

    def __init__(self, record: Any):
        self.record = record
        super().__init__(
            {
                "version": [
                    _(
                        "This was changed by someone else while you were looking at it (now at "
                        "version %(version)s). Reload the page: your change was not saved."
                    )
                    % {"version": record.version}
                ]
            }
        )


def claim_version[M: Model](record: M, expected_version: int | None) -> None:
    """Claim the record's next version, or fail if someone saved since `expected_version` (the
    conditional UPDATE is atomic in the database, whichever database runs it)."""
    model = type(record)
    expected = record.version if expected_version is None else expected_version  # type: ignore[attr-defined]
    claimed = model._default_manager.filter(pk=record.pk, version=expected).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleRecord(model._default_manager.get(pk=record.pk))
    record.version = expected + 1  # type: ignore[attr-defined]


def required_text(errors: dict[str, list[str]], name: str, value: str, message: str) -> str:
    """The stripped text, or `message` recorded against `name` when it is blank."""
    text = (value or "").strip()
    if not text:
        errors.setdefault(name, []).append(message)
    return text
