"""The accounts app's pages: a user's own API tokens and the locked-out page (`tokens`), and the
focal point's People pages (`people`), the language switcher's target (`language`)."""

from .language import set_language
from .people import (
    people_list,
    person_deactivate,
    person_detail,
    person_edit,
    person_invite,
    person_reactivate,
    person_resend,
)
from .tokens import api_tokens, locked_out, revoke_api_token

__all__ = [
    "api_tokens",
    "locked_out",
    "people_list",
    "person_deactivate",
    "person_detail",
    "person_edit",
    "person_invite",
    "person_reactivate",
    "person_resend",
    "revoke_api_token",
    "set_language",
]
