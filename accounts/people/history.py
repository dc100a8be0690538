"""A person's change history, as the focal point reads it: who changed what, when, and through
what (the People page's invitation, change, deactivation; anything else, such as the Django
admin, has no recorded reason).

django-simple-history keeps one snapshot per change (accounts.services.people writes exactly
one; the admin's saves may write several, and the snapshots that change nothing shown, such as
a password being set, are left out). Everything is read in a fixed number of queries: the
snapshots, their divisions and countries, then the names they point at.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from accounts.language import language_name
from accounts.models import Role, User
from accounts.services.language import SWITCHER_REASON
from accounts.services.people import Reason

Division = User._meta.get_field("divisions").related_model
Country = User._meta.get_field("countries").related_model
Partner = User._meta.get_field("partner").related_model

# Shown in this order; the label is the People page's, never the column's name.
TRACKED = ("first_name", "last_name", "email", "role", "partner_id", "counterpart_country_id",
           "is_active", "language", "divisions", "countries")  # fmt: skip


def _labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail address"),
        "role": _("Role"),
        "partner_id": _("Organization"),
        "counterpart_country_id": _("Counterpart for"),
        "is_active": _("Active"),
        "language": _("Language"),
        "divisions": _("Divisions"),
        "countries": _("Countries"),
    }


def _through() -> dict[str, str]:
    return {
        Reason.INVITE: _("invited on the People page"),
        Reason.CHANGE: _("changed on the People page"),
        Reason.DEACTIVATE: _("deactivated on the People page"),
        Reason.REACTIVATE: _("reactivated on the People page"),
        Reason.RESEND: _("invitation sent again from the People page"),
        SWITCHER_REASON: _("chosen with the language switcher"),
    }


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    through: str
    changes: list[Change] = field(default_factory=list)
    # The account existed before its history began (made before it was recorded): this first
    # snapshot shows the account as it stood after the change, not what the change was.
    history_began: bool = False


@dataclass
class _Names:
    divisions: dict[int, str]
    countries: dict[int, str]
    partners: dict[int, str]
    roles: dict[str, str]

    def show(self, name: str, value: Any) -> str:
        if value in (None, "", frozenset()):
            return "—"
        match name:
            case "role":
                return self.roles.get(value, value)
            case "partner_id":
                return self.partners.get(value, f"#{value}")
            case "counterpart_country_id":
                return self.countries.get(value, f"#{value}")
            case "is_active":
                return _("yes") if value else _("no")
            case "language":
                return language_name(value)
            case "divisions":
                return ", ".join(sorted(self.divisions.get(pk, f"#{pk}") for pk in value))
            case "countries":
                return ", ".join(sorted(self.countries.get(pk, f"#{pk}") for pk in value))
        return str(value)


def _m2m(person: User, model_name: str, column: str) -> dict[int, frozenset[int]]:
    model = apps.get_model("accounts", model_name)
    found: dict[int, set[int]] = defaultdict(set)
    for history_id, target in model.objects.filter(user_id=person.pk).values_list(
        "history_id", column
    ):
        found[history_id].add(target)
    return {key: frozenset(values) for key, values in found.items()}


def person_history(person: User) -> list[Entry]:
    """The person's changes, newest first."""
    history_model = User.history.model  # type: ignore[attr-defined]
    records = list(
        history_model.objects.filter(id=person.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    divisions = _m2m(person, "HistoricalUser_divisions", "division_id")
    countries = _m2m(person, "HistoricalUser_countries", "country_id")
    snapshots = [
        {
            **{name: getattr(record, name) for name in TRACKED[:-2]},
            "divisions": divisions.get(record.history_id, frozenset()),
            "countries": countries.get(record.history_id, frozenset()),
        }
        for record in records
    ]
    names = _names(snapshots)
    labels, through = _labels(), _through()
    entries: list[Entry] = []
    previous: dict[str, Any] = {}
    for record, snapshot in zip(records, snapshots, strict=True):
        # The first snapshot shows what the account was created with.
        changes = [
            Change(labels[name], names.show(name, previous.get(name)), names.show(name, value))
            for name, value in snapshot.items()
            if (previous.get(name) != value if previous else value not in (None, "", frozenset()))
        ]
        previous = snapshot
        reason = record.history_change_reason or ""
        if not changes and reason not in through:
            continue  # a save that changed nothing shown here (a password set, a sign-in)
        who = record.history_user
        entries.append(
            Entry(
                when=record.history_date,
                who=str(who) if who is not None else _("the person themselves or the system"),
                through=through.get(reason, _("in the Django admin or by a script")),
                changes=changes,
                history_began=record is records[0] and record.history_type != "+",
            )
        )
    return entries[::-1]


def _names(snapshots: list[dict[str, Any]]) -> _Names:
    division_ids = {pk for s in snapshots for pk in s["divisions"]}
    country_ids = {pk for s in snapshots for pk in s["countries"]} | {
        s["counterpart_country_id"] for s in snapshots if s["counterpart_country_id"]
    }
    partner_ids = {s["partner_id"] for s in snapshots if s["partner_id"]}
    return _Names(
        divisions=_by_pk(Division, division_ids, "code"),
        countries=_by_pk(Country, country_ids, "name"),
        partners=_by_pk(Partner, partner_ids, "name"),
        roles={value: str(label) for value, label in Role.choices},
    )


def _by_pk(model: Any, pks: set[int], column: str) -> dict[int, str]:
    return dict(model._default_manager.filter(pk__in=pks).values_list("pk", column))
