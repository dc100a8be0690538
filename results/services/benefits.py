"""The benefits each side expects, the scaling-up pathway and related activities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from activities.history import Through, delete_marked, marked
from activities.models import Activity

from ..models import (
    ActivityRelation,
    BenefitStream,
    ScalingPathway,
)

if TYPE_CHECKING:
    from accounts.models import User

from .common import (
    _clean,
    _raise_if,
)

# --- benefits, scaling up, related activities ----------------------------------------------------


def save_benefits(
    *, activity: Activity, benefits: Sequence[BenefitStream], through: Through | None = None
) -> None:
    """Replace the activity's expected benefit streams with `benefits`, in order. `through`: the
    page's form or the API, kept in each stream's history (removed ones' too), as by every write
    below."""
    errors: dict[str, list[str]] = {}
    for index, benefit in enumerate(benefits):
        benefit.activity, benefit.position = activity, index
        for name, messages in _clean(benefit, exclude=["activity"]).items():
            errors.setdefault(f"benefits.{index}.{name}", []).extend(messages)
    _raise_if(errors)
    with transaction.atomic():
        for old in activity.benefits.all():
            delete_marked(old, through)
        for benefit in benefits:
            benefit.pk = None
            marked(benefit, through).save()


def save_pathway(
    *, pathway: ScalingPathway, user: User | None, through: Through | None = None
) -> ScalingPathway:
    errors = _clean(pathway, exclude=["activity"])
    if pathway.amount is not None and not pathway.currency:
        errors.setdefault("currency", []).append(_("Give the amount's currency."))
    if pathway.currency and pathway.amount is None:
        errors.setdefault("amount", []).append(_("Give the amount, or leave the currency empty."))
    _raise_if(errors)
    pathway.updated_by = user
    with transaction.atomic():
        marked(pathway, through).save()
    return pathway


def add_relation(*, relation: ActivityRelation, through: Through | None = None) -> ActivityRelation:
    errors = _clean(relation, exclude=["activity"])
    if relation.related_id == relation.activity_id:
        errors.setdefault("related", []).append(_("An activity cannot be related to itself."))
    duplicate = ActivityRelation.objects.filter(
        activity_id=relation.activity_id, type=relation.type, related_id=relation.related_id
    ).exists()
    if duplicate:
        errors.setdefault("related", []).append(_("This relation is already recorded."))
    _raise_if(errors)
    with transaction.atomic():
        marked(relation, through).save()
    return relation


def delete_relation(*, relation: ActivityRelation, through: Through | None = None) -> None:
    with transaction.atomic():
        delete_marked(relation, through)
