"""The demo's saved views (load_demo_data): the LAC CPM's, shared by link, opens the list for
another user; a rerun changes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from activities.saved_views import SavedView

pytestmark = pytest.mark.django_db


def test_demo_saved_views_open_and_a_rerun_changes_nothing(
    settings: Any, client_for: Callable[[User | None], Client]
) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Saved views of the activity list: 2 created, 0 unchanged" in out.getvalue()
    shared = SavedView.objects.get(owner__username="cpm", name="LAC, ongoing")
    assert shared.shared and shared.query == "division=LAC&status=ongoing"
    viewer = User.objects.get(username="viewer")
    opened = client_for(viewer).get(shared.get_absolute_url())
    assert opened.status_code == 302
    page = client_for(viewer).get(opened["Location"])
    assert page.status_code == 200 and not page.context["filter_errors"]
    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert "Saved views of the activity list: 0 created, 2 unchanged" in again.getvalue()
    assert SavedView.objects.count() == 2
