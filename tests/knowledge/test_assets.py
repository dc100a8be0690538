"""Recording, reading, editing and deleting knowledge assets through their pages, files
included: what is stored, what is refused, and who may download what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Visibility
from knowledge import services
from knowledge.models import AssetFile, KnowledgeAsset
from knowledge.uploads import check_upload
from tests.factories import ActivityFactory, division, theme
from tests.html import errors_next_to
from tests.knowledge.factories import make_asset
from tests.knowledge.files import PNG, office_bytes, pdf_bytes, upload
from tests.knowledge.storage import stored_files

pytestmark = pytest.mark.django_db


def asset_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "asset_type": "case_study",
        "title": "The Palenque learning route, told by its hosts",
        "abstract": "How the hosts organized the route.",
        "body": "",
        "language": "en",
        "published_on": "2024-06-01",
        "division": division("LAC").pk,
        "themes": [theme(7).pk],
        "countries": [],
        "sdgs": [],
        "author_organizations": [],
        "external_url": "",
        "licence": "cc_by",
        "visibility": "internal",
        "linked_activities": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(title="Palenque learning route", countries=["CO"])


def test_cpm_uploads_a_pdf_that_is_stored_with_its_text_and_links(
    cpm_client: Client, cpm: User, activity: Activity
) -> None:
    before = stored_files()
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(
            linked_activities=activity.ssc_id.lower(),
            attachments=[upload("Palenque case.pdf", pdf_bytes("Zapallo tostado in Palenque"))],
        ),
    )
    asset = KnowledgeAsset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == asset.get_absolute_url()
    assert list(asset.activities.all()) == [activity]
    assert asset.created_by == cpm
    stored = asset.files.get()
    assert (stored.original_name, stored.kind, stored.pages) == ("Palenque case.pdf", "pdf", 1)
    assert "Zapallo tostado" in stored.text and "Zapallo tostado" in asset.file_text
    assert stored_files() - before == {stored.file.name}
    # The stored name is ours, never the uploader's.
    assert "Palenque case" not in stored.file.name
    assert default_storage.open(stored.file.name).read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "script.exe: this type of file is not accepted"),
        ("photo.pdf", PNG, "photo.pdf is named like a PDF document but its content is a PNG"),
        ("notes.docx", pdf_bytes("x"), "notes.docx is named like a Word document but its"),
        (
            "big.pdf",
            pdf_bytes("x" * 50) + b"\n%" + b"0" * (1024 * 1024),
            "big.pdf is larger than 1 MB",
        ),
    ],
)
def test_refused_uploads_store_nothing_and_say_which_field_and_file(
    cpm_client: Client,
    settings,
    filename: str,
    content: bytes,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    before = stored_files()
    good = upload("fine.pdf", pdf_bytes("fine"))
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(attachments=[good, upload(filename, content)]),
    )
    assert response.status_code == 400
    assert any(message in error for error in errors_next_to(response.content, "id_attachments"))
    # The summary above the form names the field too.
    assert any(
        item.startswith("Files") and message in item for item in _summary(response.content.decode())
    )
    assert not KnowledgeAsset.objects.exists()
    assert not AssetFile.objects.exists()
    assert stored_files() == before


def _summary(html: str) -> list[str]:
    from tests.html import parse

    return [
        node.text()
        for node in parse(html).iter()
        if node.tag == "li"
        and node.parent is not None
        and node.parent.parent is not None
        and "alert--error" in node.parent.parent.classes
    ]


def test_an_asset_needs_a_file_a_link_or_a_body(cpm_client: Client) -> None:
    response = cpm_client.post(reverse("knowledge:asset_create"), asset_form())
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_attachments") == [
        "Attach a file, give an external link or write the body: the asset needs content."
    ]
    assert not KnowledgeAsset.objects.exists()


def test_linked_activities_must_exist_for_the_user(cpm_client: Client, activity: Activity) -> None:
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(body="Text", linked_activities=f"{activity.ssc_id}, SSC-1999-99"),
    )
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_linked_activities") == [
        "No activity you can see has the SSC ID SSC-1999-99."
    ]


def test_a_file_stored_before_a_failure_is_removed_again(
    monkeypatch: pytest.MonkeyPatch, cpm: User
) -> None:
    before = stored_files()

    def broken(assets: Any) -> int:
        raise RuntimeError("index failed")

    monkeypatch.setattr(services, "reindex_assets", broken)
    checked = check_upload(upload("a.pdf", pdf_bytes("text")))
    with pytest.raises(RuntimeError):
        services.save_asset(
            asset=None,
            data=services.AssetData(
                fields=asset_form() | {"division": division("LAC")},
                themes=[theme(1)],
                new_files=[checked],
            ),
            user=cpm,
        )
    assert stored_files() == before
    assert not KnowledgeAsset.objects.exists()


def test_editing_removes_a_ticked_file_once_saved_and_adds_new_ones(
    cpm_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    asset = make_asset(pdf_lines=["first version"])
    old = asset.files.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = cpm_client.post(
            reverse("knowledge:asset_edit", args=[asset.pk]),
            asset_form(
                title=asset.title,
                remove_files=[old.pk],
                attachments=[upload("second.docx", office_bytes("docx"))],
            ),
        )
    assert response.status_code == 302
    assert not default_storage.exists(old.file.name)
    new = asset.files.get()
    assert new.kind == "docx"
    asset.refresh_from_db()
    assert asset.file_text == ""  # the only text came from the removed PDF


def test_delete_asks_first_then_removes_row_and_files(
    cpm_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    asset = make_asset(pdf_lines=["to delete"])
    name = asset.files.get().file.name
    url = reverse("knowledge:asset_delete", args=[asset.pk])
    page = cpm_client.get(url)
    assert page.status_code == 200
    assert b'data-confirm="Delete for good? This cannot be undone."' in page.content
    assert KnowledgeAsset.objects.filter(pk=asset.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = cpm_client.post(url)
    assert response["Location"] == reverse("knowledge:search")
    assert not KnowledgeAsset.objects.exists()
    assert not default_storage.exists(name)


def test_download_sends_the_checked_type_in_a_sandbox(cpm_client: Client) -> None:
    asset = make_asset(pdf_lines=["download me"])
    file = asset.files.get()
    response = cpm_client.get(file.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_office_documents_download_as_attachments(cpm: User, cpm_client: Client) -> None:
    asset = make_asset()
    services.save_asset(
        asset=asset,
        data=services.AssetData(
            fields={},
            themes=[theme(1)],
            new_files=[check_upload(upload("Plan.xlsx", office_bytes("xlsx")))],
        ),
        user=cpm,
    )
    response = cpm_client.get(asset.files.get().get_absolute_url())
    assert response["Content-Disposition"] == 'attachment; filename="Plan.xlsx"'


def test_files_of_internal_assets_never_reach_partner_users(
    partner_client: Client, viewer_client: Client
) -> None:
    internal = make_asset(pdf_lines=["internal"])
    public = make_asset(pdf_lines=["public"], visibility=Visibility.PUBLIC)
    assert partner_client.get(internal.files.get().get_absolute_url()).status_code == 404
    assert partner_client.get(internal.get_absolute_url()).status_code == 404
    assert partner_client.get(public.files.get().get_absolute_url()).status_code == 200
    assert viewer_client.get(internal.files.get().get_absolute_url()).status_code == 200
    # A file id of another asset is not reachable through a visible asset's URL.
    crossed = reverse("knowledge:file_download", args=[public.pk, internal.files.get().pk])
    assert partner_client.get(crossed).status_code == 404


def test_every_knowledge_form_lists_its_choices(
    focal_client: Client, activity: Activity, partner_org: object
) -> None:
    """The long selects are built in Python: each must still carry its options."""
    pages = ["asset_create", "route_create", "demand_create", "offer_create"]
    for name in pages:
        html = focal_client.get(reverse(f"knowledge:{name}")).content.decode()
        for select in re.findall(r"<select[^>]*>(.*?)</select>", html, re.S):
            assert "<option" in select, f"an empty select on {name}"
    offer = focal_client.get(reverse("knowledge:offer_create")).content.decode()
    assert "Cooperativa Agraria del Sur" in offer and ">Peru<" in offer


def test_new_asset_form_is_prefilled_from_the_activity(
    cpm_client: Client, activity: Activity
) -> None:
    response = cpm_client.get(reverse("knowledge:asset_create") + f"?activity={activity.pk}")
    form = response.context["form"]
    assert form.initial["linked_activities"] == activity.ssc_id
    assert form.initial["division"] == activity.lead_division_id
    assert form.initial["countries"] == [activity.country_links.get().country_id]


def test_asset_page_shows_only_the_linked_activities_the_reader_may_see(
    partner_client: Client,
) -> None:
    hidden = ActivityFactory(title="Internal exchange")
    shown = ActivityFactory(title="Public exchange", visibility=Visibility.PUBLIC)
    asset = make_asset(activities=[hidden, shown], visibility=Visibility.PUBLIC)
    page = partner_client.get(asset.get_absolute_url()).content.decode()
    assert "Public exchange" in page
    assert "Internal exchange" not in page


def test_missing_fields_are_refused_next_to_each_field(cpm_client: Client) -> None:
    response = cpm_client.post(
        reverse("knowledge:asset_create"), asset_form(title="", body="Text", themes=[])
    )
    assert response.status_code == 400
    assert errors_next_to(response.content, "id_title") == ["This field is required."]
    assert errors_next_to(response.content, "id_themes") == ["This field is required."]
    assert not KnowledgeAsset.objects.exists()


def test_an_edit_over_a_later_change_is_refused_then_kept_when_saved_again(
    cpm_client: Client, focal_client: Client
) -> None:
    asset = make_asset(title="Crab fattening")
    url = reverse("knowledge:asset_edit", args=[asset.pk])
    opened = re.search(r'name="read_at" value="([^"]+)"', cpm_client.get(url).text)
    assert opened is not None
    read_at = opened.group(1)
    # Someone else saves first.
    focal_client.post(
        url,
        asset_form(
            external_url="https://example.org/asset",
            title="Crab fattening in Mozambique",
            read_at=read_at,
        ),
    )
    late = cpm_client.post(
        url,
        asset_form(
            external_url="https://example.org/asset",
            title="Crab fattening, revised",
            read_at=read_at,
        ),
    )
    assert late.status_code == 400
    assert "Someone else changed this knowledge asset since you read it." in late.text
    assert "What you typed is still below" in late.text
    tampered = cpm_client.post(
        url, asset_form(external_url="https://example.org/asset", title="X", read_at="garbage")
    )
    assert tampered.status_code == 400
    asset.refresh_from_db()
    assert asset.title == "Crab fattening in Mozambique"
    # The page now carries the current time: saving again keeps this person's version.
    again = re.search(r'name="read_at" value="([^"]+)"', late.text)
    assert again is not None and again.group(1) != read_at
    saved = cpm_client.post(
        url,
        asset_form(
            external_url="https://example.org/asset",
            title="Crab fattening, revised",
            read_at=again.group(1),
        ),
    )
    assert saved.status_code == 302
    asset.refresh_from_db()
    assert asset.title == "Crab fattening, revised"
