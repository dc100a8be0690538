"""The focal point's rebuild page: start a rebuild, one at a time, and watch it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from finance.models import RollupRefresh, RollupRun
from tests.factories import division

pytestmark = pytest.mark.django_db
URL = reverse("finance:rollup_rebuild")
REFRESH = '<meta http-equiv="refresh"'


def test_focal_point_starts_a_rebuild_and_watches_it_run_to_the_end(
    focal_client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    page = focal_client.get(URL).content.decode()
    assert "No rebuild yet" in page
    assert REFRESH not in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = focal_client.post(URL, follow=True)
    page = response.content.decode()
    assert "Rebuild queued" in page
    assert "Waiting for the worker to start" in page
    assert REFRESH in page
    assert "Rebuild all figures now" not in page

    callbacks[0]()  # the commit queues the task: it runs eagerly in the tests
    page = focal_client.get(URL).content.decode()
    assert RollupRun.objects.get().state == RollupRun.State.DONE
    assert "Done" in page
    assert REFRESH not in page
    assert "Rebuild all figures now" in page


def test_a_second_rebuild_is_refused_while_one_is_queued(focal_client: Client) -> None:
    RollupRun.objects.create()
    response = focal_client.post(URL, follow=True)
    assert "A rebuild is already queued or running" in response.content.decode()
    assert RollupRun.objects.count() == 1


def test_progress_of_a_running_rebuild_and_of_one_whose_worker_died(
    focal_client: Client, hold_run: Callable[[RollupRun], None]
) -> None:
    run = RollupRun.objects.create(
        state=RollupRun.State.RUNNING,
        started_at=timezone.now(),
        slices_total=20,
        slices_done=7,
    )
    page = focal_client.get(URL).content.decode()
    assert "The worker running this rebuild stopped" in page

    hold_run(run)
    page = focal_client.get(URL).content.decode()
    assert "7 of 20 fiscal years rebuilt" in page
    assert '<progress max="20" value="7">' in page
    assert REFRESH in page


def test_refreshes_waiting_too_long_are_flagged(focal_client: Client) -> None:
    request = RollupRefresh.objects.create(year=2024, division=division("LAC"))
    RollupRefresh.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    page = focal_client.get(URL).content.decode()
    assert "1 request, the oldest 10\xa0minutes ago" in page
    assert "the task queue (Redis) or the worker may be down" in page


def test_cpm_may_not_rebuild(cpm_client: Client) -> None:
    assert cpm_client.get(URL).status_code == 403
    assert cpm_client.post(URL).status_code == 403
    assert not RollupRun.objects.exists()
