"""The period page, the update form and the workflow's actions, the "my tasks" page and the
follow-up pages, as their users meet them: what each may do, what bad input gets (a message
naming the field, and nothing saved) and that the pages' queries do not grow with their rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from activities.models import Activity, Partner, PartnerRole
from knowledge.models import ActionPlan
from results import services
from results.models import Indicator, Period, PlanFollowUp, Update, UpdateStatus
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country
from tests.html import all_errors, errors_next_to
from tests.knowledge.factories import make_asset, make_plan, make_route
from tests.knowledge.files import pdf_bytes, upload
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(partner_org: Partner) -> Activity:
    """LAC-led, 2025-2026, implemented by the partner user's organization."""
    return dated(ActivityFactory(partners=[(partner_org, PartnerRole.IMPLEMENTER)]))


@pytest.fixture
def indicators(activity: Activity) -> tuple[Indicator, Indicator]:
    return framework(activity)


@pytest.fixture
def period(indicators: tuple[Indicator, Indicator]) -> Period:
    return indicators[0].periods.get()


@pytest.fixture
def qualitative_period(indicators: tuple[Indicator, Indicator]) -> Period:
    return indicators[1].periods.get()


def _parts(women: str = "", men: str = "") -> dict[str, str]:
    sex = sex_dimension()
    return {
        f"part_{value_of(sex, 'Women').pk}": women,
        f"part_{value_of(sex, 'Men').pk}": men,
    }


def _draft(period: Period, user: User | None, value: int = 30, **parts: int) -> Update:
    sex = sex_dimension()
    return services.save_update(
        period=period,
        data=services.UpdateData(
            value=Decimal(value),
            parts={value_of(sex, name.title()): Decimal(v) for name, v in parts.items()},
        ),
        user=user,
    )


def _submitted(period: Period, user: User | None, value: int = 30) -> Update:
    return services.submit_update(update=_draft(period, user, value), user=user)


def _approved(period: Period, user: User | None, value: int = 30) -> Update:
    return services.approve_update(update=_submitted(period, user, value), user=user)


# --- the workflow as people go through it --------------------------------------------------------


def test_partner_reports_cpm_returns_partner_corrects_cpm_approves(
    period: Period, partner_client: Client, cpm_client: Client
) -> None:
    new = reverse("results:update_create", args=[period.pk])
    response = partner_client.post(
        new, {"value": "30", **_parts("20", "10"), "comment": "First cohort"}
    )
    assert response.status_code == 302, all_errors(response.content)
    update = Update.objects.get()
    assert (update.status, update.value, update.created_by.username) == (  # type: ignore[union-attr]
        UpdateStatus.DRAFT,
        Decimal(30),
        "partner",
    )
    response = partner_client.post(
        reverse("results:update_submit", args=[update.pk]), {"version": update.version}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED

    page = cpm_client.get(reverse("results:period", args=[period.pk]))
    assert reverse("results:update_approve", args=[update.pk]) in page.text
    response = cpm_client.post(
        reverse("results:update_return", args=[update.pk]),
        {"version": update.version, "reason": "Give the men and women of the second village"},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.return_reason) == (
        UpdateStatus.RETURNED,
        "Give the men and women of the second village",
    )
    assert "second village" in partner_client.get(reverse("results:tasks")).text

    response = partner_client.post(
        reverse("results:update_edit", args=[update.pk]),
        {"value": "45", **_parts("25", "20"), "version": update.version},
    )
    assert response.status_code == 302, all_errors(response.content)
    update.refresh_from_db()
    partner_client.post(
        reverse("results:update_submit", args=[update.pk]), {"version": update.version}
    )
    update.refresh_from_db()
    response = cpm_client.post(
        reverse("results:update_approve", args=[update.pk]), {"version": update.version}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.value, update.reviewed_by.username) == (  # type: ignore[union-attr]
        UpdateStatus.APPROVED,
        Decimal(45),
        "cpm",
    )
    page = cpm_client.get(reverse("results:period", args=[period.pk]))
    assert "<dt>Actual</dt><dd>45 people" in page.text.replace("\n", "")
    assert 'value="45"' in page.text  # the progress bar: 45 of a target of 100


def test_partner_of_another_organization_sees_nothing(
    period: Period, client_for: Any, partner_org: Partner
) -> None:
    other = PartnerFactory(name="Another cooperative", country=country("BO"))
    outsider = UserFactory(username="outsider", role=Role.PARTNER, partner=other)
    update = _submitted(period, None)
    client = client_for(outsider)
    assert client.get(reverse("results:period", args=[period.pk])).status_code == 404
    assert (
        client.post(reverse("results:update_create", args=[period.pk]), {"value": "1"}).status_code
        == 404
    )
    response = client.post(
        reverse("results:update_approve", args=[update.pk]), {"version": update.version}
    )
    assert response.status_code == 404
    assert Update.objects.count() == 1


# --- refusals: named, and nothing saved ----------------------------------------------------------


def test_text_in_the_value_is_refused_naming_the_value(
    period: Period, partner_client: Client
) -> None:
    response = partner_client.post(
        reverse("results:update_create", args=[period.pk]), {"value": "thirty", **_parts()}
    )
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_value") == [
        "“thirty” is not a number: type it like 1,500,000.50 or 0.785."
    ]
    assert not Update.objects.exists()


def test_parts_larger_than_the_total_are_refused_naming_them(
    period: Period, partner_client: Client
) -> None:
    response = partner_client.post(
        reverse("results:update_create", args=[period.pk]), {"value": "10", **_parts("8", "5")}
    )
    assert response.status_code == 400
    women = value_of(sex_dimension(), "Women")
    assert errors_next_to(response.content, f"id_part_{women.pk}") == [
        "The values by Sex add up to 13, more than the total (10)."
    ]
    assert not Update.objects.exists()


def test_a_value_for_a_period_outside_the_activitys_dates_is_refused(
    period: Period, activity: Activity, partner_client: Client
) -> None:
    dated(activity, start="2026-01-01", end="2026-12-31")  # the 2025 period is now outside
    response = partner_client.post(
        reverse("results:update_create", args=[period.pk]), {"value": "10", **_parts()}
    )
    assert response.status_code == 400
    assert "is no longer within the activity&#x27;s dates" in response.text
    assert not Update.objects.exists()


@pytest.mark.parametrize("who", ["partner_client", "viewer_client", "cpm_other_client"])
def test_an_approval_by_someone_not_allowed_is_refused(
    who: str, period: Period, request: pytest.FixtureRequest
) -> None:
    update = _submitted(period, None)
    client: Client = request.getfixturevalue(who)
    response = client.post(
        reverse("results:update_approve", args=[update.pk]), {"version": update.version}
    )
    # The partner reports (sees the update) but does not approve; the others do not see
    # submitted updates at all (readers outside see approved ones only).
    assert response.status_code == (403 if who == "partner_client" else 404)
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED


def test_a_cpm_of_another_division_cannot_approve_even_an_update_they_see(
    period: Period, cpm_other_client: Client
) -> None:
    update = _approved(period, None)
    response = cpm_other_client.post(
        reverse("results:update_approve", args=[update.pk]), {"version": update.version}
    )
    assert response.status_code == 403


def test_an_edit_of_a_locked_update_is_refused(period: Period, partner_client: Client) -> None:
    update = _approved(period, None, value=30)
    response = partner_client.post(
        reverse("results:update_edit", args=[update.pk]),
        {"value": "99", **_parts(), "version": update.version},
    )
    assert response.status_code == 400
    assert "An approved update is locked: revise it with a reason instead." in response.text
    update.refresh_from_db()
    assert (update.value, update.status) == (Decimal(30), UpdateStatus.APPROVED)
    # Its page sends the reporter to the revision instead of a form.
    page = partner_client.get(reverse("results:update_edit", args=[update.pk]))
    assert page.status_code == 302


def test_a_stale_page_gets_a_conflict_not_an_overwrite(
    period: Period, partner_client: Client, cpm_client: Client
) -> None:
    update = _draft(period, None)
    shown = update.version
    services.save_update(
        period=period,
        data=services.UpdateData(value=Decimal(31)),
        user=None,
        update=update,
        expected_version=shown,
    )
    response = partner_client.post(
        reverse("results:update_edit", args=[update.pk]),
        {"value": "12", **_parts(), "version": shown},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    response = partner_client.post(
        reverse("results:update_submit", args=[update.pk]), {"version": shown}
    )
    assert response.status_code == 409
    assert "Version: This update was changed by someone else" in response.text
    update.refresh_from_db()
    assert (update.value, update.status) == (Decimal(31), UpdateStatus.DRAFT)


def test_a_return_needs_its_reason(period: Period, cpm_client: Client) -> None:
    update = _submitted(period, None)
    response = cpm_client.post(
        reverse("results:update_return", args=[update.pk]),
        {"version": update.version, "reason": "  "},
    )
    assert response.status_code == 400
    assert "Reason for returning: Say what should be corrected." in response.text
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED


def test_a_revision_of_an_approved_value_keeps_it_until_approved(
    period: Period, partner_client: Client, cpm_client: Client
) -> None:
    update = _approved(period, None, value=30)
    response = partner_client.post(
        reverse("results:update_revise", args=[update.pk]),
        {"version": update.version, "reason": ""},
    )
    assert response.status_code == 400
    assert "Reason for the revision: Say why the approved value must change." in response.text
    response = partner_client.post(
        reverse("results:update_revise", args=[update.pk]),
        {"version": update.version, "reason": "Double-counted a village"},
    )
    revision = Update.objects.get(revises=update)
    assert response["Location"] == reverse("results:update_edit", args=[revision.pk])
    assert (revision.status, revision.revision_reason) == (
        UpdateStatus.DRAFT,
        "Double-counted a village",
    )
    page = partner_client.get(reverse("results:period", args=[period.pk]))
    assert f"Revises update #{update.pk}" in page.text
    assert reverse("results:update_revise", args=[update.pk]) not in page.text  # one at a time


def test_a_draft_is_deleted_after_its_confirmation_page(
    period: Period, partner_client: Client
) -> None:
    update = _draft(period, None)
    url = reverse("results:update_delete", args=[update.pk])
    assert "Delete this update?" in partner_client.get(url).text
    assert Update.objects.exists()
    response = partner_client.post(url, {"version": update.version})
    assert response.status_code == 302
    assert not Update.objects.exists()


def test_a_submitted_update_cannot_be_deleted(period: Period, partner_client: Client) -> None:
    update = _submitted(period, None)
    response = partner_client.post(
        reverse("results:update_delete", args=[update.pk]), {"version": update.version}
    )
    assert response.status_code == 400
    assert "Only a draft or a returned update can be deleted." in response.text
    assert Update.objects.filter(pk=update.pk).exists()


def test_a_qualitative_update_needs_its_narrative_and_whether_achieved(
    qualitative_period: Period, partner_client: Client
) -> None:
    url = reverse("results:update_create", args=[qualitative_period.pk])
    response = partner_client.post(url, {"narrative": "", "achieved": ""})
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_narrative")
    assert errors_next_to(response.content, "id_achieved")
    assert not Update.objects.exists()
    response = partner_client.post(url, {"narrative": "The law was drafted", "achieved": "yes"})
    assert response.status_code == 302
    assert Update.objects.get().achieved is True


# --- evidence -------------------------------------------------------------------------------------


def test_an_evidence_file_is_checked_by_its_content(period: Period, partner_client: Client) -> None:
    url = reverse("results:update_create", args=[period.pk])
    fake = upload("report.pdf", b"MZ this is not a PDF")
    response = partner_client.post(url, {"value": "5", **_parts(), "evidence_file": fake})
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_evidence_file")
    assert not Update.objects.exists()
    pdf = upload("attendance.pdf", pdf_bytes("Attendance list"))
    response = partner_client.post(url, {"value": "5", **_parts(), "evidence_file": pdf})
    assert response.status_code == 302, all_errors(response.content)
    update = Update.objects.get()
    download = partner_client.get(reverse("results:evidence", args=[update.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Security-Policy"] == "sandbox"


def test_evidence_of_a_draft_is_for_its_reporters_only(
    period: Period, viewer_client: Client
) -> None:
    pdf = services.UpdateData(value=Decimal(5))
    update = services.save_update(period=period, data=pdf, user=None)
    assert viewer_client.get(reverse("results:evidence", args=[update.pk])).status_code == 404


def test_a_library_asset_as_evidence_must_be_one_the_user_reads(
    period: Period, partner_client: Client, focal: User
) -> None:
    internal = make_asset(title="Internal note", user=focal)  # internal: hidden from partners
    url = reverse("results:update_create", args=[period.pk])
    response = partner_client.post(
        url, {"value": "5", **_parts(), "evidence_reference": str(internal.pk)}
    )
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_evidence_reference") == [
        "No knowledge asset you can see has this address."
    ]
    assert not Update.objects.exists()


# --- query counts ---------------------------------------------------------------------------------


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_period_page_queries_do_not_grow_with_its_updates(
    period: Period, cpm_client: Client
) -> None:
    url = reverse("results:period", args=[period.pk])
    _approved(period, None, value=5)
    few = _count_queries(cpm_client, url)
    for value in range(6, 12):
        _draft(period, None, value, women=1, men=1)
        _approved(period, None, value)
    assert _count_queries(cpm_client, url) == few


def test_the_tasks_page_queries_do_not_grow_with_its_tasks(
    period: Period, cpm_client: Client
) -> None:
    url = reverse("results:tasks") + "?show=approve"
    _submitted(period, None)
    few = _count_queries(cpm_client, url)
    for value in range(5, 30):
        _submitted(period, None, value)
    assert _count_queries(cpm_client, url) == few
    page = cpm_client.get(url)
    assert "1\u201320 of 26" in page.text  # paginated


# --- my tasks -------------------------------------------------------------------------------------


def test_a_cpm_sees_what_waits_for_approval_and_the_silent_periods(
    period: Period, qualitative_period: Period, cpm_client: Client
) -> None:
    update = _submitted(period, None)
    page = cpm_client.get(reverse("results:tasks"))
    assert f"#update-{update.pk}" in page.text
    silent = cpm_client.get(reverse("results:tasks") + "?show=periods")
    # Both 2025 periods ended; only the qualitative one has no update at all.
    assert reverse("results:update_create", args=[qualitative_period.pk]) in silent.text
    assert reverse("results:update_create", args=[period.pk]) not in silent.text


def test_a_partner_sees_drafts_and_returned_updates_of_their_activities(
    period: Period, partner_client: Client, cpm: User
) -> None:
    draft = _draft(period, None)
    returned = services.return_update(update=_submitted(period, None, 7), user=cpm, reason="Why")
    page = partner_client.get(reverse("results:tasks"))
    assert reverse("results:update_edit", args=[draft.pk]) in page.text
    assert reverse("results:update_edit", args=[returned.pk]) in page.text
    assert "Updates to approve" not in page.text


def test_a_cpm_of_another_division_has_no_task_here(
    period: Period, cpm_other_client: Client, viewer_client: Client
) -> None:
    _submitted(period, None)
    page = cpm_other_client.get(reverse("results:tasks"))
    assert "No update waits for your approval." in page.text
    assert "Nothing for you to do here" in viewer_client.get(reverse("results:tasks")).text


# --- learning-route follow-ups --------------------------------------------------------------------


@pytest.fixture
def plan(focal: User) -> ActionPlan:
    host = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
    route = make_route(hosts=[(host, "PE")], participants=[(host, "PE")], user=focal)
    return make_plan(route)


def test_a_follow_up_is_recorded_and_listed_on_the_routes_page(
    plan: ActionPlan, cpm_client: Client
) -> None:
    follow_up = plan.follow_ups.get(months=3)
    url = reverse("results:follow_up", args=[follow_up.pk])
    observed = plan.route.end_date + datetime.timedelta(days=1)
    response = cpm_client.post(
        url,
        {
            "outcome": "adopted",
            "recorded_on": observed.isoformat(),
            "evidence": "The cooperative runs the fattening pens",
            "money_found": "25000",
            "currency": "usd",
        },
    )
    assert response.status_code == 302, all_errors(response.content)
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.money_found, follow_up.currency) == (
        "adopted",
        Decimal(25000),
        "USD",
    )
    page = cpm_client.get(reverse("results:route_follow_ups", args=[plan.route_id]))
    assert "The cooperative runs the fattening pens" in page.text


def test_a_follow_up_observed_in_the_future_is_refused_naming_the_day(
    plan: ActionPlan, cpm_client: Client
) -> None:
    follow_up = plan.follow_ups.get(months=3)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = cpm_client.post(
        reverse("results:follow_up", args=[follow_up.pk]),
        {"outcome": "partly", "recorded_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_recorded_on") == [
        "A follow-up cannot be observed in the future."
    ]
    assert not PlanFollowUp.objects.recorded().exists()


def test_overdue_follow_ups_are_the_route_cpms_tasks(plan: ActionPlan, cpm_client: Client) -> None:
    PlanFollowUp.objects.filter(plan=plan, months=3).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    page = cpm_client.get(reverse("results:tasks") + "?show=follow_ups")
    assert "Overdue" in page.text
    assert reverse("results:follow_up", args=[plan.follow_ups.get(months=3).pk]) in page.text


def test_a_partner_of_another_organization_gets_no_task_from_this_activity(
    period: Period, client_for: Any
) -> None:
    draft = _draft(period, None)
    other = PartnerFactory(name="Another cooperative", country=country("BO"))
    outsider = UserFactory(username="outsider", role=Role.PARTNER, partner=other)
    page = client_for(outsider).get(reverse("results:tasks"))
    assert page.status_code == 200
    assert reverse("results:update_edit", args=[draft.pk]) not in page.text
    assert "No draft or returned update waits for your organization." in page.text
    silent = client_for(outsider).get(reverse("results:tasks") + "?show=periods")
    assert reverse("results:update_create", args=[period.pk]) not in silent.text
