"""The standards app's one error: a request refused, with messages keyed by the field."""

from __future__ import annotations


class StandardsError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        # Only the messages: each names what it is about in words, and whatever prints the
        # error (a flash message, a command's output, a failed task) shows no field key.
        super().__init__(" ".join(str(m) for messages in errors.values() for m in messages))
