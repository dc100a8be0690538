"""Who reaches the People pages and which person: the focal point (and administrators), as
accounts.roles says of those who change everything; a superuser's account is changed by
superusers only (accounts.services.people.may_manage)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import User
from .roles import access_of
from .services.people import may_manage


def manages_people(user: User) -> bool:
    return user.is_authenticated and access_of(user).keeps_reference_data


def require_people_manager(user: User) -> None:
    if not manages_people(user):
        raise PermissionDenied(_("Only the focal point manages people."))


def get_person_for_user(user: User, pk: int, *, write: bool = False) -> User:
    """The person, with what their page shows in the same query; 403 for anyone but the focal
    point, 404 for no such person."""
    require_people_manager(user)
    person = (
        User.objects.select_related("partner", "counterpart_country")
        .prefetch_related("divisions", "countries")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404(_("No such person."))
    if write and not may_manage(user, person):
        raise PermissionDenied(_("Only an administrator changes an administrator's account."))
    return person
