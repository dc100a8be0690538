"""A person's reach in plain words, read from accounts.roles (the one description of who reads,
reads the money of, and changes what): nothing here restates a rule, it names the scope that
access_of gives."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Reach, Scope, Standing, access_of


@dataclass(frozen=True)
class ScopeSummary:
    reads: str
    money: str
    changes: str


def _reads(person: User, scope: Scope) -> str:
    match scope.reach:
        case Reach.EVERYTHING:
            return _("all activities, internal ones included, and the agency's own records")
        case Reach.ORGANIZATION:
            return _("public activities, and those %(organization)s takes part in") % {
                "organization": person.partner
            }
        case Reach.COUNTRY:
            return _("public activities, and those %(country)s takes part in") % {
                "country": person.counterpart_country
            }
        case Reach.PUBLIC:
            return _("public activities only")
    return _("nothing")


def _money(scope: Scope) -> str:
    match scope.reach:
        case Reach.EVERYTHING:
            return _("all")
        case Reach.PUBLIC:
            return _("of public activities only")
    return _("none")


def _changes(person: User, standing: Standing, scope: Scope) -> str:
    if scope.reach is Reach.EVERYTHING:
        return _(
            "everything: activities, partners, reference data, money, closed periods and people"
        )
    if scope.reach is Reach.PATCH:
        # The page prefetched them: read from the cache, not through the scope's subqueries.
        divisions = ", ".join(d.code for d in person.divisions.all())
        countries = ", ".join(c.display_name for c in person.countries.all())
        parts = [_("the activities they are responsible for or recorded")]
        if divisions:
            parts.append(_("those led by %(divisions)s") % {"divisions": divisions})
        if countries:
            parts.append(_("those about %(countries)s") % {"countries": countries})
        return "; ".join(parts)
    if standing is Standing.PARTNER_USER:
        return _(
            "nothing of the agency's records; their organization's side of its activities "
            "(confirmations, comments, proposed contributions, results updates)"
        )
    if standing is Standing.COUNTERPART:
        return _(
            "nothing of the agency's records; their country's side of its activities "
            "(confirmations, comments, proposed contributions)"
        )
    return _("nothing")


def scope_summary(person: User) -> ScopeSummary:
    """What the person reads, whose money they read and what they change, as of now (a
    deactivated account: nothing)."""
    access = access_of(person)
    return ScopeSummary(
        reads=_reads(person, access.reads),
        money=_money(access.reads_money),
        changes=_changes(person, access.standing, access.changes),
    )
