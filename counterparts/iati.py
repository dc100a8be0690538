"""The counterparts app's part of the IATI file (finance.iati.ActivityPart): each side's state
of confirmation, in the portal's own namespace (IATI has no element for it). The project layer
hands it to the file's endpoint (ssc_portal.api_urls); finance never imports it.

    <ssc:sides>
      <ssc:side country="MZ" role="receiver" state="confirmed"/>
      <ssc:side role="implementer" state="disputed" ref="XM-DAC-...">Cooperativa ...</ssc:side>
    </ssc:sides>

Only the states: the threads' comments stay on the portal. The activity's own summary (and the
DISPUTED marker) is finance's, in ssc:exchange.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from lxml import etree

from accounts.text import file_text
from activities.models import Activity
from finance.iati import EXTENSION_NS

from .models import Confirmation


def _ssc(tag: str) -> str:
    return f"{{{EXTENSION_NS}}}{tag}"


class Sides:
    """Each side's confirmation state, one query per batch of activities."""

    def load(self, ids: Sequence[int]) -> dict[int, list[Confirmation]]:
        sides: dict[int, list[Confirmation]] = defaultdict(list)
        confirmations = (
            Confirmation.objects.filter(activity_id__in=list(ids))
            .with_side()
            .order_by("activity_id", "pk")
        )
        for confirmation in confirmations:
            sides[confirmation.activity_id].append(confirmation)
        return sides

    def write(
        self, element: etree._Element, activity: Activity, loaded: dict[int, list[Confirmation]]
    ) -> None:
        confirmations = loaded.get(activity.pk)
        if not confirmations:
            return
        sides = etree.SubElement(element, _ssc("sides"))
        for confirmation in confirmations:
            side = etree.SubElement(sides, _ssc("side"), state=confirmation.state)
            if confirmation.country_link is not None:
                side.set("country", confirmation.country_link.country.iso2)
                side.set("role", confirmation.country_link.role)
            elif confirmation.partner_link is not None:
                partner = confirmation.partner_link.partner
                side.set("role", confirmation.partner_link.role)
                if partner.iati_identifier:
                    side.set("ref", file_text(partner.iati_identifier))
                side.text = file_text(partner.name)


PARTS = (Sides(),)
