"""The People forms' rows of the hostile-input table (tests/security/test_hostile_fields.py):
their fields and kinds, and how a value is submitted through the page that owns it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory
from tests.helpers import person_form_data

EMAIL = "email"
REFUSED, STORED = "refused", "stored"
# What an e-mail field meets: markup, controls and line breaks never make an address.
EMAIL_VALUES = [
    ("markup", "<i id=sx>X</i>@example.org", REFUSED),
    ("line_break", "ana@example.org\nBcc: all@example.org", REFUSED),
    ("bidi_override", "ana\u202e@example.org", REFUSED),
    ("control", "ana\x01@example.org", REFUSED),
    ("very_long", "a" * 300 + "@example.org", REFUSED),
    ("address", "ana.ferreira@example.org", STORED),
]

_PERSON = {
    "first_name": "text",
    "last_name": "text",
    "email": EMAIL,
    "role": "choice",
    "divisions": "choice",
    "countries": "choice",
    "partner": "choice",
    "counterpart_country": "choice",
}
FIELDS: dict[str, str] = {
    **{f"PersonInviteForm.{name}": kind for name, kind in _PERSON.items()},
    "PersonInviteForm.language": "choice",
    **{f"PersonChangeForm.{name}": kind for name, kind in _PERSON.items()},
    "PersonChangeForm.version": "number",
    "PersonVersionForm.version": "number",
    "PeopleFilterForm.q": "text",
    "PasswordResetForm.email": EMAIL,
    **{
        f"PeopleFilterForm.{name}": "choice"
        for name in ("role", "division", "country", "status", "ordering")
    },
}


def surfaces(
    answer: Callable[..., Any], page_refused: Callable[[Any, str], bool]
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """The table's submit functions, given its Answer and its "refused next to the control"."""
    people = reverse("accounts:people")

    def read(person: User, field: str) -> Callable[[], Any]:
        def value() -> Any:
            person.refresh_from_db()
            return getattr(person, field)

        return value

    def invite(world: Any, field: str, value: Any) -> Any:
        body = person_form_data(**{field: value})
        response = world.client.post(reverse("accounts:person_invite"), body)
        if response.status_code != 302:
            return answer(page_refused(response, f"id_{field}"), None)
        person = User.objects.latest("pk")
        return answer(False, read(person, field), response["Location"], (people,))

    def change(world: Any, field: str, value: Any) -> Any:
        person = UserFactory(role="viewer")
        body = person_form_data(person, **{field: value})
        response = world.client.post(reverse("accounts:person_edit", args=[person.pk]), body)
        if response.status_code != 302:
            return answer(page_refused(response, f"id_{field}"), None)
        return answer(False, read(person, field), response["Location"], (people,))

    def search(world: Any, field: str, value: Any) -> Any:
        """A filter is kept for the page it shows, not stored: accepted means the page answers."""
        url = f"{people}?{urlencode({field: value})}"
        response = world.client.get(url)
        if response.status_code != 200:
            return answer(page_refused(response, f"id_{field}"), None)
        return answer(False, lambda: value, url, (url,))

    def reset(world: Any, field: str, value: Any) -> Any:
        """An address is mailed when it has an account, never kept: accepted means the page
        answers as for any address."""
        response = world.client.post(reverse("password_reset"), {field: value})
        if response.status_code != 302:
            return answer(page_refused(response, f"id_{field}"), None)
        return answer(False, lambda: value, response["Location"], (response["Location"],))

    return {
        "PersonInviteForm": invite,
        "PersonChangeForm": change,
        "PeopleFilterForm": search,
        "PasswordResetForm": reset,
    }
