"""Writes to accounts: API tokens and the language (by their user only) and people (by the
focal point).

Each module raises its own error, which pages turn into a message next to the field it is about.
"""

from .language import LanguageError, set_user_language
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
    "LanguageError",
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
    "set_user_language",
]
