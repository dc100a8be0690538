"""Writes to accounts: API tokens (by their user only) and people (by the focal point).

Each module raises its own error, which pages turn into a message next to the field it is about.
"""

from .people import (
    PeopleError,
    PersonData,
    change_person,
    invite_person,
    resend_invitation,
    set_person_active,
)
from .tokens import (
    MAX_ACTIVE_TOKENS,
    TokenError,
    create_api_token,
    default_expiry,
    revoke_api_token,
)

__all__ = [
    "MAX_ACTIVE_TOKENS",
    "PeopleError",
    "PersonData",
    "TokenError",
    "change_person",
    "create_api_token",
    "default_expiry",
    "invite_person",
    "resend_invitation",
    "revoke_api_token",
    "set_person_active",
]
