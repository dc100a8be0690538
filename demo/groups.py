"""The demo's contributor groups (issue 22): the sample workbook's four "Other contributors"
labels are imported as groups (finance.contributor_groups); the Brazil-Africa marketplace's
group, "Other contributors (EMBRAPA, FARA, DFID, World Bank)", is then split among those four
as the focal point would, so the demo shows groups still to split and a split made.

The paper gives the four only together (US$ 1.5 million): the parts below are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from activities import services as activity_services
from activities.models import Activity, Partner, PartnerType
from finance import contributor_groups, services
from finance.models import ContributorGroup

ACTIVITY = "SSC-2010-02"
GROUP = "Other contributors (EMBRAPA, FARA, DFID, World Bank)"
# The members the demo partners do not hold yet: (name, acronym, type).
MORE_PARTNERS = (
    ("Forum for Agricultural Research in Africa", "FARA", PartnerType.RESEARCH),
    ("Department for International Development", "DFID", PartnerType.BILATERAL),
    ("World Bank", "World Bank", PartnerType.MULTILATERAL),
)
PARTS = {  # acronym -> part of each line, in US$
    "EMBRAPA": Decimal("600000"),
    "World Bank": Decimal("450000"),
    "DFID": Decimal("300000"),
    "FARA": Decimal("150000"),
}


@dataclass
class GroupsLoadReport:
    groups: int = 0
    split: int = 0  # the lines the split recorded

    def summary(self) -> str:
        if not self.split:
            return f"{self.groups} groups, none split now"
        return f"{self.groups} groups, {GROUP} split ({self.split} lines)"


def load_demo_groups(
    *, users: Mapping[str, User], partners: Mapping[str, Partner]
) -> GroupsLoadReport:
    """Once: a rerun finds the group split and changes nothing."""
    focal = users["focal"]
    report = GroupsLoadReport(groups=ContributorGroup.objects.count())
    group = ContributorGroup.objects.filter(label=GROUP).first()
    activity = Activity.objects.get(ssc_id=ACTIVITY)
    if group is None or not (lines := contributor_groups.group_lines(activity, group)):
        return report
    known = {**partners, **_more_partners(focal)}
    shares = {
        line.entry.pk: {known[acronym]: part for acronym, part in PARTS.items()}
        for line in lines
        if line.amount == sum(PARTS.values())
    }
    written = contributor_groups.split_group_money(
        activity=activity,
        group=group,
        shares=shares,
        user=focal,
        expected_version=services.ledger_version(activity),
    )
    report.split = len(written)
    return report


def _more_partners(user: User) -> dict[str, Partner]:
    found: dict[str, Partner] = {}
    for name, acronym, partner_type in MORE_PARTNERS:
        found[acronym] = activity_services.find_duplicate_partner(
            name, None
        ) or activity_services.create_partner(
            user=user, name=name, acronym=acronym, type=partner_type, country=None
        )
    return found
