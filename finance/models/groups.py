"""Contributors the corporate workbook names only as a group ("Other contributors (FAO)",
"Other contributors (Brazil, China, India, South Africa)").

Such a label is not an organization: made into a partner it would be a partner with no activity
that carries money. A group keeps the label as written and links the known partners it names;
its ledger lines stay its own until the focal point splits them among those partners
(finance.contributor_groups.split_group_money).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_single_line_text


class ContributorGroup(models.Model):
    label = models.CharField(
        _("label"),
        max_length=255,
        validators=[validate_single_line_text],
        help_text=_("As the workbook writes it, e.g. Other contributors (FAO)."),
    )
    # The label compared as partners' names are (activities.models.normalize_name): one group
    # per label, so a rerun of the import finds the group it made.
    label_key = models.CharField(max_length=255, unique=True, editable=False)
    members = models.ManyToManyField(
        "activities.Partner",
        verbose_name=_("members"),
        blank=True,
        related_name="contributor_groups",
        help_text=_("The known partner organizations the label names."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[members], excluded_fields=["label_key"])

    class Meta:
        ordering = ["label"]
        verbose_name = _("contributor group")
        verbose_name_plural = _("contributor groups")

    def __str__(self) -> str:
        return self.label
