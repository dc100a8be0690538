"""A saved view: a user's named filter set of the activity list (the list's query string).

Its own user lists, renames and deletes it (activities.services.saved_views writes it); its link
(`token`, not the row's id, so that links cannot be guessed one after another) opens the list
with its filters for its owner, and for anyone signed in once the owner shares it. The list
then shows each of them only what they may read: a view names filters, never activities.

Like the API tokens and the dashboard reports, other per-user records, it keeps no audit
history: it changes nobody's data but its owner's list of shortcuts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.text import validate_single_line_text


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line_text])
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    shared = models.BooleanField(
        _("shared by link"),
        default=False,
        help_text=_("Anyone signed in who has the link opens the list with these filters."),
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="saved_view_name_unique_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The view's link: the list with its filters (activities.views.saved_views)."""
        return reverse("activities:saved_view", args=[self.token])

    @property
    def list_url(self) -> str:
        url = reverse("activities:list")
        return f"{url}?{self.query}" if self.query else url
