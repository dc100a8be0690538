"""Who may see and change what: the one description every app's access module builds on.

A user holds one of six standings, read from `User.role` and the account's state; each standing
reads, reads the money of, and changes one `Scope` of the portfolio:

| Standing     | Who                           | Reads              | Money of   | Changes     |
|--------------|-------------------------------|--------------------|------------|-------------|
| FOCAL_POINT  | focal point, admin, superuser | everything         | everything | everything  |
| CPM          | country programme manager     | everything         | everything | their patch |
| STAFF_READER | viewer (other agency staff)   | everything         | everything | nothing     |
| PARTNER_USER | a partner organization's user | public + their org | public     | nothing     |
| COUNTERPART  | a country's counterpart       | public + country   | public     | nothing     |
| ANONYMOUS    | no login (public IATI file)   | public             | public     | nothing     |
| INACTIVE     | a deactivated account         | nothing            | nothing    | nothing     |

- "Their patch" (a CPM's): the records they are responsible for or recorded, those led by their
  divisions and those about their countries.
- "Their org" is what the partner organization takes part in: it reaches activities (and what
  hangs on them) only; records that no organization takes part in (knowledge assets, routes)
  are read at the public level.
- "Their country" (a country counterpart's) is what the country takes part in, in any role,
  as "their org" is for an organization.
- Partner users and country counterparts change nothing of the agency's records; what they
  write is their own side of an activity (results updates, confirmations, comments, proposed
  contributions), each app deciding where in its access module.
- Money follows the public level for anyone outside the agency: a partner user reads their
  organization's internal activities but not their money. The roll-ups can only tell public
  money from the rest, so this is what lets every page and every roll-up agree on one rule.
- Agency-only records (learning demands and offers, the dashboard, rates, theme codes, exports)
  are read by those who read everything; reference data (partners' records, rates, theme codes,
  periods, imports, roll-up rebuilds) is changed by those who change everything.

Each app applies these scopes to its own object types in its `access` module
(activities.access, knowledge.access, finance.access); no rule elsewhere reads `User.role`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import User


class Standing(enum.Enum):
    FOCAL_POINT = "focal_point"
    CPM = "cpm"
    STAFF_READER = "staff_reader"
    PARTNER_USER = "partner_user"
    COUNTERPART = "counterpart"
    ANONYMOUS = "anonymous"
    INACTIVE = "inactive"


class Reach(enum.Enum):
    """How far a scope reaches, from nothing to everything."""

    NOTHING = "nothing"
    PUBLIC = "public"
    ORGANIZATION = "organization"  # public, and what the user's organization takes part in
    COUNTRY = "country"  # public, and what the counterpart's country takes part in
    PATCH = "patch"  # a CPM's records (see the table above)
    EVERYTHING = "everything"


@dataclass(frozen=True)
class Scope:
    """One reach, with what it needs to be applied: the CPM for a patch, the organization, the
    country."""

    reach: Reach
    user: User | None = None
    partner_id: int | None = None
    country_id: int | None = None

    @property
    def is_everything(self) -> bool:
        return self.reach is Reach.EVERYTHING

    @property
    def is_nothing(self) -> bool:
        return self.reach is Reach.NOTHING

    def divisions(self) -> QuerySet[Any]:
        """The patch's divisions, as a subquery (no query of its own)."""
        assert self.user is not None, "only a patch has divisions"
        return self.user.divisions.all()

    def countries(self) -> QuerySet[Any]:
        """The patch's countries, as a subquery (no query of its own)."""
        assert self.user is not None, "only a patch has countries"
        return self.user.countries.all()

    def division_ids(self) -> list[int]:
        """As divisions(), read now (one query): see activities.access on inline ids."""
        return list(self.divisions().values_list("pk", flat=True))

    def country_ids(self) -> list[int]:
        return list(self.countries().values_list("pk", flat=True))


NOTHING = Scope(Reach.NOTHING)
PUBLIC = Scope(Reach.PUBLIC)
EVERYTHING = Scope(Reach.EVERYTHING)


@dataclass(frozen=True)
class Access:
    """One user's standing and scopes (the table above), computed by access_of."""

    standing: Standing
    reads: Scope
    reads_money: Scope
    changes: Scope

    @property
    def is_staff(self) -> bool:
        """Reads everything, agency-only records included."""
        return self.reads.is_everything

    @property
    def keeps_reference_data(self) -> bool:
        """Changes everything: partners' records, rates, theme codes, periods, imports."""
        return self.changes.is_everything

    @property
    def creates_records(self) -> bool:
        """Records activities and knowledge (their own patch at least)."""
        return not self.changes.is_nothing


def standing_of(user: User | Any) -> Standing:
    if not user.is_authenticated:
        return Standing.ANONYMOUS
    if not user.is_active:
        return Standing.INACTIVE
    if user.is_focal_point:
        return Standing.FOCAL_POINT
    if user.is_cpm:
        return Standing.CPM
    if user.is_partner_user:
        return Standing.PARTNER_USER
    if user.is_country_counterpart:
        return Standing.COUNTERPART
    return Standing.STAFF_READER


def access_of(user: User | Any) -> Access:
    """The table above for one user (no query: a patch's divisions and countries are read when
    a rule applies them)."""
    standing = standing_of(user)
    if standing is Standing.FOCAL_POINT:
        return Access(standing, EVERYTHING, EVERYTHING, EVERYTHING)
    if standing is Standing.CPM:
        return Access(standing, EVERYTHING, EVERYTHING, Scope(Reach.PATCH, user=user))
    if standing is Standing.STAFF_READER:
        return Access(standing, EVERYTHING, EVERYTHING, NOTHING)
    if standing is Standing.PARTNER_USER:
        # A partner user without an organization reads what anyone reads.
        reads = Scope(Reach.ORGANIZATION, partner_id=user.partner_id) if user.partner_id else PUBLIC
        return Access(standing, reads, PUBLIC, NOTHING)
    if standing is Standing.COUNTERPART:
        country_id = user.counterpart_country_id
        reads = Scope(Reach.COUNTRY, country_id=country_id) if country_id else PUBLIC
        return Access(standing, reads, PUBLIC, NOTHING)
    if standing is Standing.ANONYMOUS:
        return Access(standing, PUBLIC, PUBLIC, NOTHING)
    return Access(standing, NOTHING, NOTHING, NOTHING)
