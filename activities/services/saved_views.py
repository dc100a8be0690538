"""Writes to saved views (activities.saved_views): their owner creates, renames, shares and
deletes them. A view's query string holds only the list's own parameters, each valid."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import text_problem

from ..export import COLUMNS_BY_KEY
from ..filters import ActivityFilter
from ..models import Activity
from ..saved_views import SavedView
from .errors import ActivityError

# Generous: more than this and the list of views no longer helps anyone find one.
MAX_SAVED_VIEWS = 50
# What the list's address may carry besides its filters: the sort and the export's columns.
OTHER_PARAMETERS = ("columns",)
# Left out of a saved view: the page number belongs to one visit.
DROPPED_PARAMETERS = ("page", "format")


def _clean_name(name: str) -> str:
    if problem := text_problem(name):
        raise ActivityError({"name": [problem]})
    name = " ".join(name.split())
    if not name:
        raise ActivityError({"name": [_("Give the view a name.")]})
    if len(name) > 100:
        raise ActivityError({"name": [_("Keep the name under 100 characters.")]})
    return name


def clean_query(*, query: str, owner: User) -> str:
    """The list's query string kept for a view: unknown parameters and invalid values are
    refused by their name, the page number left out."""
    params = QueryDict(query, mutable=True)
    for name in DROPPED_PARAMETERS:
        params.pop(name, None)
    known = ActivityFilter.parameter_names() | set(OTHER_PARAMETERS)
    unknown = sorted(set(params) - known)
    if unknown:
        raise ActivityError(
            {"query": [_("Unknown filter: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    columns = [c for c in params.getlist("columns") if c not in COLUMNS_BY_KEY]
    if columns:
        raise ActivityError(
            {"query": [_("Unknown column: %(names)s.") % {"names": ", ".join(columns)}]}
        )
    # The filters' own checks, as the owner would meet them (the partner filter offers only
    # the organizations they may see).
    check = ActivityFilter(
        params, queryset=Activity.objects.none(), request=SimpleNamespace(user=owner)
    )
    if not check.is_valid():
        labels = {name: f.label for name, f in check.filters.items()}
        raise ActivityError(
            {
                "query": [
                    f"{labels.get(name, name)}: {message}"
                    for name, messages in check.errors.items()
                    for message in messages
                ]
            }
        )
    query = params.urlencode()
    if len(query) > 2000:
        raise ActivityError({"query": [_("These filters are too long to save.")]})
    return query


def _unique_name_error(owner: User, name: str, exclude: int | None = None) -> None:
    others = SavedView.objects.filter(owner=owner, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        message = _("You already have a view called “%(name)s”.") % {"name": name}
        raise ActivityError({"name": [message]})


@transaction.atomic
def create_saved_view(*, owner: User, name: str, query: str, shared: bool = False) -> SavedView:
    name = _clean_name(name)
    query = clean_query(query=query, owner=owner)
    # The owner's row locked: two saves at once cannot both pass the cap or the name check.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if SavedView.objects.filter(owner=owner).count() >= MAX_SAVED_VIEWS:
        raise ActivityError(
            _("You already have %(count)d saved views: delete one you no longer use first.")
            % {"count": MAX_SAVED_VIEWS}
        )
    _unique_name_error(owner, name)
    return SavedView.objects.create(
        owner=owner, name=name, query=query, shared=shared, token=secrets.token_urlsafe(16)
    )


@transaction.atomic
def update_saved_view(
    *, view: SavedView, user: User, name: str, shared: bool, expected_version: int
) -> SavedView:
    """Rename or (un)share a view; a stale form (someone saved it since) is refused."""
    if view.owner_id != user.pk:
        raise ActivityError(_("Only the view's owner changes it."))
    name = _clean_name(name)
    _unique_name_error(user, name, exclude=view.pk)
    updated = SavedView.objects.filter(pk=view.pk, version=expected_version).update(
        name=name, shared=shared, version=expected_version + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ActivityError(
            _("This view was changed in another window since you opened it: reload and try again.")
        )
    view.refresh_from_db()
    return view


@transaction.atomic
def delete_saved_view(*, view: SavedView, user: User) -> None:
    if view.owner_id != user.pk:
        raise ActivityError(_("Only the view's owner deletes it."))
    view.delete()
