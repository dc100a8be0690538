"""The one error the activity and partner services raise, and its kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from ..models import Activity


class ActivityError(Exception):
    """A write was refused. `errors` maps a field name (or "__all__") to its messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        # Only the messages: each names what it is about in words, and whatever prints the
        # error (a flash message, a command's output, a failed task) shows no field key.
        super().__init__(" ".join(str(m) for messages in errors.values() for m in messages))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> ActivityError:
        if hasattr(error, "error_dict"):
            return cls(
                {
                    name: [str(m) for m in errs[0].messages]
                    if len(errs) == 1
                    else [str(m) for e in errs for m in e.messages]
                    for name, errs in error.error_dict.items()
                }
            )
        return cls({"__all__": [str(m) for m in error.messages]})


class ConflictError(ActivityError):
    """Someone else saved the activity after the caller loaded it."""

    def __init__(self, activity: Activity):
        self.activity = activity
        super().__init__(
            _(
                "This activity was changed by someone else while you were editing it "
                "(now at version %(version)s). Your changes were not saved."
            )
            % {"version": activity.version}
        )
