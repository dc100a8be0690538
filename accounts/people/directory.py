"""The People list: who matches the focal point's filters, in their order, with what each row
shows fetched in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX as UNUSABLE
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.forms import PeopleFilterForm
from accounts.models import User


def people_matching(filters: dict[str, Any]) -> QuerySet[User]:
    """`filters` is PeopleFilterForm's cleaned data (empty when the form is invalid)."""
    people = User.objects.all()
    q = " ".join(str(filters.get("q") or "").split())
    if q:
        people = people.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(full_name__icontains=q)
            | Q(email__icontains=q)
            | Q(username__icontains=q)
            | Q(last_name__icontains=q)
        )
    if filters.get("role"):
        people = people.filter(role=filters["role"])
    if filters.get("division") is not None:
        people = people.filter(divisions=filters["division"])
    if filters.get("country") is not None:
        country = filters["country"]
        # Distinct by id below: a person tied to the country both ways is listed once.
        people = people.filter(Q(countries=country) | Q(counterpart_country=country))
    match filters.get("status"):
        case "active":
            people = people.filter(is_active=True).exclude(password__startswith=UNUSABLE)
        case "invited":
            people = people.filter(is_active=True, password__startswith=UNUSABLE)
        case "inactive":
            people = people.filter(is_active=False)
    ordering = PeopleFilterForm.ORDERINGS[filters.get("ordering") or "name"]
    # Re-selected by id: the m2m filters would repeat a row, and DISTINCT does not mix with an
    # order on a joined column.
    return (
        User.objects.filter(pk__in=people.values("pk"))
        .select_related("partner", "counterpart_country")
        .prefetch_related("divisions", "countries")
        .order_by(*ordering)
    )


def status_of(person: User) -> str:
    """ "active", "invited" (no password set yet) or "inactive"."""
    if not person.is_active:
        return "inactive"
    return "active" if person.has_usable_password() else "invited"
