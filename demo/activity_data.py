"""An activity as the services would write it again: what the demo loaders start from when
they change part of a demo activity through activities.services."""

from __future__ import annotations

from activities import services
from activities.models import Activity, Partner
from activities.services import ActivityData, CountryLink, PartnerLink


def current_activity_data(activity: Activity) -> ActivityData:
    """Everything the services set on an activity, as it is now: the base for a partial update."""
    partner_roles: dict[int, tuple[Partner, set[str]]] = {}
    for link in activity.partner_links.select_related("partner"):
        partner_roles.setdefault(link.partner_id, (link.partner, set()))[1].add(link.role)
    return ActivityData(
        ssc_id=activity.ssc_id,
        fields={name: getattr(activity, name) for name in (*services.EDITABLE_FIELDS, "status")},
        countries=[
            CountryLink(link.country, link.role, link.share)
            for link in activity.country_links.select_related("country")
        ],
        partners=[PartnerLink(p, frozenset(roles)) for p, roles in partner_roles.values()],
        themes=list(activity.themes.all()),
        sdgs=list(activity.sdgs.all()),
    )
