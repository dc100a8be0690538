"""The standards app's one error: a request refused, with messages keyed by the field."""

from __future__ import annotations


class StandardsError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
