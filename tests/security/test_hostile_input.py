"""Hostile input is refused cleanly or stored literally and shown escaped; never a 500.

SQL and script injection in every free-text field of the activity, ledger line, knowledge asset
and learning demand forms, in the search boxes and in the API filters; bodies over the size
limits; wrong types; ids of records the caller may not see.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import create_api_token
from activities.forms import ActivityForm
from activities.models import Activity, Visibility
from finance import services
from finance.forms import EntryLineForm
from finance.models import FinancialEntry
from knowledge.forms import AssetForm, DemandForm
from knowledge.models import KnowledgeAsset, LearningDemand
from tests.activities import test_permissions as pages
from tests.api.test_activities import _new_activity
from tests.factories import ActivityFactory, country, theme
from tests.helpers import activity_form_data, record_entry
from tests.html import errors_next_to
from tests.knowledge import walk as knowledge_walk

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("ssc")</script><img src=x onerror=alert(1)>'
SQL = "x'); DROP TABLE activities_activity; -- ' OR '1'='1"
PAYLOADS = pytest.mark.parametrize("payload", [SCRIPT, SQL], ids=["script", "sql"])
RAW_MARKUP = ("<script>alert", "<img src=x onerror")


def text_fields(form_class: type[forms.BaseForm]) -> list[str]:
    """The free-text fields of a form: plain CharFields, not choices, numbers or ids."""
    return [
        name
        for name, field in form_class.base_fields.items()
        if type(field) in (forms.CharField,) and not isinstance(field.widget, forms.HiddenInput)
    ]


def _errors(html: str, field: str) -> list[str]:
    try:
        return errors_next_to(html, f"id_{field}")
    except AssertionError:  # not on the page
        return []


def assert_escaped(html: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html


# --- forms: stored literally, rendered escaped -----------------------------------------------


def _activity_body(fields: dict[str, str]) -> dict[str, Any]:
    return activity_form_data(**fields)


def _asset_body(fields: dict[str, str]) -> dict[str, Any]:
    return {**knowledge_walk._asset_body("Asset"), **fields}


def _demand_body(fields: dict[str, str]) -> dict[str, Any]:
    base = {"country": country("PE").pk, "themes": [theme(3).pk], "language": "es"}
    return {**base, "title": "Demand", "status": "open", **fields}


FORMS = {
    "activity": ("activities:create", ActivityForm, _activity_body, Activity),
    "asset": ("knowledge:asset_create", AssetForm, _asset_body, KnowledgeAsset),
    "demand": ("knowledge:demand_create", DemandForm, _demand_body, LearningDemand),
}
# Fields with a format of their own (identifiers): refusing the payload there, with a message
# next to the field, is the right answer; the free-text fields must then take it.
FORMATTED = {"ssc_id", "project_id", "activity_ssc_id", "linked_activities"}


@PAYLOADS
@pytest.mark.parametrize("form", FORMS)
def test_injection_in_every_text_field_is_stored_literally_and_shown_escaped(
    form: str, payload: str, cpm_client: Client, fast_templates: None
) -> None:
    url_name, form_class, body, model = FORMS[form]
    fields = text_fields(form_class)
    response = cpm_client.post(reverse(url_name), body(dict.fromkeys(fields, payload)))
    if response.status_code != 302:
        assert response.status_code in (200, 400)
        assert_escaped(response.text)
        refused = {name for name in fields if _errors(response.text, name)}
        assert refused and refused <= FORMATTED, refused
        fields = [name for name in fields if name not in refused]
        response = cpm_client.post(reverse(url_name), body(dict.fromkeys(fields, payload)))
    assert response.status_code == 302, response.status_code
    record = model.objects.get(title=payload)
    stored = {name: getattr(record, name) for name in fields if hasattr(record, name)}
    assert stored == dict.fromkeys(stored, payload)
    page = cpm_client.get(response["Location"])
    assert page.status_code == 200
    assert_escaped(page.text)
    assert "&lt;script&gt;" in page.text or payload == SQL


@PAYLOADS
def test_injection_in_a_ledger_line_is_stored_literally_and_shown_escaped(
    payload: str, cpm_client: Client, fast_templates: None
) -> None:
    activity = ActivityFactory(title="Ledger target")
    line = dict.fromkeys(text_fields(EntryLineForm), payload)
    # The permission walk's valid ledger line, with the payload in its text fields.
    case = pages.Case("finance:activity", "target", lambda role, method: 302)
    body = pages._post_body(case, SimpleNamespace(target=activity), None)  # type: ignore[arg-type]
    body.update({f"lines-0-{name}": value for name, value in line.items()})
    url = reverse("finance:activity", args=[activity.pk])
    response = cpm_client.post(url, body)
    assert response.status_code == 302
    entry = FinancialEntry.objects.get(activity=activity)
    assert [getattr(entry, name) for name in line] == [payload] * len(line)
    assert_escaped(cpm_client.get(url).text)


# --- search boxes and API filters ---------------------------------------------------------------

SEARCHES = [
    "activities:list",
    "activities:partner_list",
    "knowledge:search",
    "knowledge:demand_list",
    "knowledge:offer_list",
    "knowledge:route_list",
]


@PAYLOADS
@pytest.mark.parametrize("name", SEARCHES)
def test_search_boxes_answer_injection_with_an_escaped_page(
    name: str, payload: str, cpm_client: Client, fast_templates: None
) -> None:
    ActivityFactory(title="Rural finance exchange")
    response = cpm_client.get(reverse(name), {"q": payload})
    assert response.status_code in (200, 400)
    assert_escaped(response.text)
    assert Activity.objects.filter(title="Rural finance exchange").exists()


API_FILTERS = [
    (
        "/api/v1/activities/",
        ["q", "partner_name", "division", "country", "reporting_year", "status"],
    ),
    ("/api/v1/partners/", ["q", "country", "type"]),
    ("/api/v1/ledger/", ["ssc_id", "currency", "activity", "fiscal_year", "kind"]),
    ("/api/v1/knowledge/", ["q"]),
]


@pytest.fixture
def cpm_token(cpm: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user=cpm, name='hostile')[1]}"}


@PAYLOADS
@pytest.mark.parametrize(("path", "params"), API_FILTERS, ids=[p for p, _ in API_FILTERS])
def test_api_filters_refuse_or_ignore_injection_with_json(
    path: str, params: list[str], payload: str, cpm_token: dict[str, str]
) -> None:
    client = Client(headers=cpm_token)
    for param in params:
        response = client.get(path, {param: payload})
        assert response.status_code in (200, 400), (param, response.status_code)
        assert response["Content-Type"] == "application/json"
        if response.status_code == 400:
            assert param in response.json()["errors"], (param, response.json())
    assert Activity.objects.count() >= 0  # the table is still there


# --- oversized bodies ---------------------------------------------------------------------------


def test_an_oversized_form_body_is_refused_with_400_not_500(cpm_client: Client) -> None:
    body = activity_form_data(summary="x" * (3 * 1024 * 1024))
    response = cpm_client.post(reverse("activities:create"), body)
    assert response.status_code == 413
    assert "too large: at most 2.5 MB" in response.text
    assert 'href="/static/' in response.text  # in the portal's layout
    assert not Activity.objects.exists()


def test_too_many_form_fields_are_refused_with_400(cpm_client: Client) -> None:
    body = {f"field{i}": "x" for i in range(1500)}
    response = cpm_client.post(reverse("activities:create"), body)
    assert response.status_code == 413
    assert "too many fields" in response.text


def test_an_oversized_api_body_is_refused_with_a_json_400(cpm_token: dict[str, str]) -> None:
    body = json.dumps({"title": "x" * (3 * 1024 * 1024)})
    response = Client(headers=cpm_token).post(
        "/api/v1/activities/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is too large: at most 2.5 MB.",
        "code": "too_large",
    }


def test_an_oversized_upload_is_refused_with_a_message(
    cpm_client: Client, settings: Any, fast_templates: None
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    body = knowledge_walk._asset_body("Too big")
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024), "application/pdf")
    response = cpm_client.post(reverse("knowledge:asset_create"), {**body, "attachments": big})
    assert response.status_code in (200, 400, 413)
    assert "MB" in response.text
    assert not KnowledgeAsset.objects.filter(title="Too big").exists()


# --- wrong types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approval_year": "two thousand"}, "approval_year"),
        ({"title": ["an", "array"]}, "title"),
        ({"title": {"nested": "object"}}, "title"),
        ({"countries": "BR"}, "countries"),
        ({"countries": [{"iso2": 42, "role": "provider"}]}, "countries.0.iso2"),
        ({"themes": "all"}, "themes"),
    ],
)
def test_api_wrong_types_are_refused_naming_the_field(
    changes: dict[str, Any], field: str, cpm_token: dict[str, str]
) -> None:
    response = Client(headers=cpm_token).post(
        "/api/v1/activities/",
        json.dumps(_new_activity(**{"title": "Typed", **changes})),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Activity.objects.filter(title="Typed").exists()


@pytest.mark.parametrize(
    ("amount", "currency"), [("lots", "USD"), ("1e400", "USD"), ("-", "USD"), ("5", "<b>")]
)
def test_ledger_api_wrong_types_are_refused_naming_the_line(
    amount: str, currency: str, cpm_token: dict[str, str]
) -> None:
    activity = ActivityFactory()
    body = {
        "activity": activity.pk,
        "ledger_version": services.ledger_version(activity),
        "entries": [
            {
                "kind": "ifad_grant",
                "stage": "allocated",
                "amount": amount,
                "currency": currency,
                "value_date": "2024-02-01",
            }
        ],
    }
    response = Client(headers=cpm_token).post(
        "/api/v1/ledger/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert any(name.startswith("entries.0.") for name in response.json()["errors"])
    assert not FinancialEntry.objects.exists()


def test_api_body_that_is_not_json_is_refused(cpm_token: dict[str, str]) -> None:
    response = Client(headers=cpm_token).post(
        "/api/v1/activities/", "{'title': <script>", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_page_form_wrong_types_are_refused_next_to_the_field(
    cpm_client: Client, fast_templates: None
) -> None:
    body = activity_form_data(approval_year="<script>", participants_women="many")
    response = cpm_client.post(reverse("activities:create"), body)
    assert response.status_code in (200, 400)
    assert _errors(response.text, "approval_year")
    assert _errors(response.text, "participants_women")
    assert_escaped(response.text)


# --- records the caller may not see ------------------------------------------------------------


@pytest.fixture
def hidden(cpm: User) -> dict[str, Any]:
    """An internal LAC activity with a ledger line, and an internal asset: hidden from partners."""
    activity = ActivityFactory(title="Hidden LAC exchange", visibility=Visibility.INTERNAL)
    entry = record_entry(activity, amount=777, user=cpm)
    from tests.knowledge.factories import make_asset

    asset = make_asset(title="Hidden internal note", pdf_lines=["secret"], user=cpm)
    return {"activity": activity, "entry": entry, "asset": asset}


def test_records_hidden_from_a_partner_are_not_found_and_leak_nothing(
    partner_user: User, hidden: dict[str, Any], fast_templates: None
) -> None:
    client = Client()
    client.force_login(partner_user)
    token = {"Authorization": f"Bearer {create_api_token(user=partner_user, name='p')[1]}"}
    api = Client(headers=token)
    activity, entry, asset = hidden["activity"], hidden["entry"], hidden["asset"]
    answers = [
        client.get(reverse("activities:detail", args=[activity.pk])),
        client.get(reverse("finance:activity", args=[activity.pk])),
        client.get(reverse("knowledge:asset_detail", args=[asset.pk])),
        api.get(f"/api/v1/activities/{activity.pk}/"),
        api.get(f"/api/v1/ledger/{entry.pk}/"),
        api.get(f"/api/v1/knowledge/{asset.pk}/"),
    ]
    for response in answers:
        assert response.status_code == 404
        assert "Hidden" not in response.text
    # A filter naming the hidden record finds nothing rather than telling it exists.
    listed = api.get("/api/v1/ledger/", {"activity": activity.pk})
    assert listed.status_code == 200
    assert listed.json()["results"] == []


def test_another_users_token_cannot_be_revoked_or_seen(
    cpm: User, viewer_client: Client, fast_templates: None
) -> None:
    token = create_api_token(user=cpm, name="CPM's nightly sync")[0]
    page = viewer_client.get(reverse("accounts:api_tokens"))
    assert "nightly sync" not in page.text
    response = viewer_client.post(reverse("accounts:revoke_api_token", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_divisions_activity_can_be_read_by_staff_but_not_changed(
    cpm_other_client: Client, fast_templates: None
) -> None:
    # The codebase's rule: agency staff read every activity (so 403, not 404, on a write).
    activity = ActivityFactory(title="LAC only")
    assert cpm_other_client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    assert cpm_other_client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
