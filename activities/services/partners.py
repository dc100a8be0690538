"""Writes to partner organizations: creation, change, and the merge of two duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import field_errors, text_problem

from .. import bulk
from ..history import Through, marked
from ..models import (
    MAX_PARTNER_ALIASES,
    ActivityPartner,
    Country,
    Partner,
    fold_text,
    normalize_name,
)
from ..signals import partners_merged
from .errors import ActivityError


class PartnerError(ActivityError):
    pass


def find_duplicate_partner(
    name: str, country: Country | None, *, exclude_pk: int | None = None
) -> Partner | None:
    rows = Partner.objects.filter(name_key=normalize_name(name), country=country)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.first()


def _save_partner(partner: Partner, user: User | None, through: Through | None) -> Partner:
    # Checked before the spaces are tidied: a line break or tab is refused, not made a space.
    if refused := field_errors(Partner, {"name": partner.name}):
        raise PartnerError(refused)
    partner.name = " ".join(partner.name.split())
    partner.aliases = tidy_aliases(partner)
    partner.set_keys()
    try:
        partner.full_clean(exclude=["name_key", "search_key"], validate_constraints=False)
    except ValidationError as error:
        raise PartnerError.from_validation_error(error) from None
    duplicate = find_duplicate_partner(partner.name, partner.country, exclude_pk=partner.pk)
    if duplicate:
        raise PartnerError(
            {
                "name": [
                    _("%(name)s already exists in %(country)s: use it, or merge the two.")
                    % {
                        "name": duplicate.name,
                        "country": duplicate.country or _("no country"),
                    }
                ]
            }
        )
    partner._history_user = user  # type: ignore[attr-defined]
    marked(partner, through).save()
    return partner


def tidy_aliases(partner: Partner) -> list[str]:
    """The other names with their spacing tidied, each once, without the name or acronym.

    Anything but a list of one-line texts is left as it is, for Partner.clean() to refuse: a
    tab or a control character is refused, not made a space.
    """
    if not isinstance(partner.aliases, list) or not all(
        isinstance(alias, str) and not text_problem(alias) for alias in partner.aliases
    ):
        return partner.aliases
    seen = {fold_text(partner.name), fold_text(partner.acronym)}
    kept = []
    for alias in partner.aliases:
        tidy = " ".join(alias.split())
        if tidy and fold_text(tidy) not in seen:
            seen.add(fold_text(tidy))
            kept.append(tidy)
    return kept


@transaction.atomic
def create_partner(*, user: User | None, through: Through | None = None, **values: Any) -> Partner:
    """`through`: the page's form (no API writes partners), kept in the partner's history."""
    return _save_partner(Partner(**values), user, through)


@transaction.atomic
def create_partners(
    *, partners: Sequence[Partner], user: User | None, reason: str | None = None
) -> list[Partner]:
    """Create unsaved partners with the checks and history create_partner gives each one, in a
    few queries (importers meet hundreds of new organizations); PartnerError lists every refusal.
    """
    errors: dict[str, list[str]] = {}
    keys: set[tuple[str, int | None]] = set()
    for partner in partners:
        partner.name = " ".join(partner.name.split())
        partner.aliases = tidy_aliases(partner)
        partner.set_keys()
        try:
            partner.full_clean(exclude=["name_key", "search_key"], validate_constraints=False)
        except ValidationError as error:
            for name, messages in PartnerError.from_validation_error(error).errors.items():
                errors.setdefault(name, []).extend(f"{partner.name}: {m}" for m in messages)
        if (partner.name_key, partner.country_id) in keys:
            errors.setdefault("name", []).append(
                _("%(name)s is listed twice.") % {"name": partner.name}
            )
        keys.add((partner.name_key, partner.country_id))
    for duplicate in Partner.objects.filter(
        name_key__in={key for key, _country in keys}
    ).select_related("country"):
        if (duplicate.name_key, duplicate.country_id) in keys:
            errors.setdefault("name", []).append(
                _("%(name)s already exists in %(country)s: use it, or merge the two.")
                % {"name": duplicate.name, "country": duplicate.country or _("no country")}
            )
    if errors:
        raise PartnerError(errors)
    bulk.insert_with_history(partners, user=user, when=timezone.now(), reason=reason)
    return list(partners)


@transaction.atomic
def update_partner(
    *, partner: Partner, user: User | None, through: Through | None = None, **values: Any
) -> Partner:
    for name, value in values.items():
        setattr(partner, name, value)
    return _save_partner(partner, user, through)


@transaction.atomic
def merge_partners(
    *, keep: Partner, remove: Partner, user: User | None, through: Through | None = None
) -> Partner:
    """Move every link of `remove` onto `keep`, then delete `remove`.

    A role both already play in the same activity is kept once. Other apps that point at
    partners move their links on activities.signals.partners_merged, so that none is left behind.
    """
    if keep.pk == remove.pk:
        raise PartnerError(_("Choose two different partners to merge."))
    for row in ActivityPartner.objects.filter(partner=remove).select_related("activity"):
        clash = ActivityPartner.objects.filter(
            activity_id=row.activity_id, partner=keep, role=row.role
        ).exists()
        row._history_user = user  # type: ignore[attr-defined]
        marked(row, through)
        if clash:
            row.delete()
        else:
            row.partner = keep
            row.save()
    partners_merged.send(sender=Partner, keep=keep, remove=remove, user=user)
    User.objects.filter(partner=remove).update(partner=keep)
    for name in ("acronym", "website", "iati_identifier"):
        if not getattr(keep, name) and getattr(remove, name):
            setattr(keep, name, getattr(remove, name))
    # The merged organization's names stay findable: people still type the one they know.
    keep.aliases = [*keep.aliases, remove.name, *remove.aliases]
    keep.aliases = tidy_aliases(keep)[:MAX_PARTNER_ALIASES]
    keep.set_keys()
    keep._history_user = user  # type: ignore[attr-defined]
    marked(keep, through).save()
    remove._history_user = user  # type: ignore[attr-defined]
    marked(remove, through).delete()
    return keep
