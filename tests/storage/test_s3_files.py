"""Every file the portal keeps goes through the configured storage: with S3-compatible storage
(moto's server on loopback, reached over HTTP) knowledge attachments, workbook uploads and report
exports are written to the bucket, read back from it by the views and tasks, and removed from it,
with the permission checks still made by the portal."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.storage import Storage
from django.test import Client
from django.urls import reverse

from accounts.models import User
from finance import reports
from finance.models import PendingImport, ReportExport
from knowledge.models import KnowledgeAsset
from tests.finance.dashboard_data import small_portfolio
from tests.finance.test_import_conflicts import upload as upload_workbook
from tests.finance.workbooks import activity_row, build
from tests.knowledge.files import pdf_bytes, upload
from tests.knowledge.test_assets import asset_form
from tests.storage.conftest import Bucket, s3_client

pytestmark = pytest.mark.django_db


def object_bytes(bucket: Bucket, key: str) -> bytes:
    """An object as the S3 server holds it, read with boto3 rather than through the portal."""
    return s3_client(bucket.endpoint).get_object(Bucket=bucket.name, Key=key)["Body"].read()


def test_a_knowledge_file_is_stored_in_the_bucket_and_downloaded_from_it(
    s3_storage: Storage,
    s3_bucket: Bucket,
    cpm_client: Client,
    partner_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = pdf_bytes("Zapallo tostado in Palenque")
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(attachments=[upload("Palenque case.pdf", content)]),
    )
    assert response.status_code == 302
    asset = KnowledgeAsset.objects.get()
    stored = asset.files.get()
    assert s3_bucket.keys() == {stored.file.name}
    assert object_bytes(s3_bucket, stored.file.name) == content

    download = cpm_client.get(stored.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(content))
    assert download["Content-Security-Policy"] == "sandbox"
    # The check is still the portal's: a partner user never reaches an internal asset's file.
    assert partner_client.get(stored.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        cpm_client.post(reverse("knowledge:asset_delete", args=[asset.pk]))
    assert s3_bucket.keys() == set()


def test_a_file_larger_than_the_memory_limit_arrives_whole(
    s3_storage: Storage, s3_bucket: Bucket, cpm_client: Client
) -> None:
    # Past max_memory_size the file read from the bucket is spooled to a temporary file.
    limit = settings.STORAGES["default"]["OPTIONS"]["max_memory_size"]
    content = pdf_bytes("A long annex") + b"\n%" + b"0" * (limit + 1024)
    response = cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(attachments=[upload("Annex.pdf", content)]),
    )
    assert response.status_code == 302
    stored = KnowledgeAsset.objects.get().files.get()
    download = cpm_client.get(stored.get_absolute_url())
    assert download["Content-Length"] == str(len(content))
    assert b"".join(download.streaming_content) == content


def test_the_same_document_attached_twice_keeps_two_objects(
    s3_storage: Storage,
    s3_bucket: Bucket,
    cpm_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = pdf_bytes("The same report, twice")
    cpm_client.post(
        reverse("knowledge:asset_create"),
        asset_form(attachments=[upload("report.pdf", content), upload("copy.pdf", content)]),
    )
    asset = KnowledgeAsset.objects.get()
    first, second = asset.files.all()
    assert first.file.name != second.file.name
    assert s3_bucket.keys() == {first.file.name, second.file.name}

    # Removing one copy leaves the other's file in place.
    form = asset_form(title=asset.title, remove_files=[first.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert cpm_client.post(reverse("knowledge:asset_edit", args=[asset.pk]), form).status_code
    assert s3_bucket.keys() == {second.file.name}
    assert b"".join(cpm_client.get(second.get_absolute_url()).streaming_content) == content


def test_a_report_export_is_built_into_the_bucket_and_streamed_to_its_requester(
    s3_storage: Storage,
    s3_bucket: Bucket,
    cpm: User,
    cpm_client: Client,
    cpm_other_client: Client,
) -> None:
    small_portfolio()
    export = ReportExport.objects.create(requested_by=cpm, format="xlsx")
    reports.build_report_export(export.pk)
    export.refresh_from_db()
    assert export.state == "done"
    assert s3_bucket.keys() == {export.file.name}

    url = reverse("finance:report_download", args=[export.pk])
    response = cpm_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    assert data == object_bytes(s3_bucket, export.file.name)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.worksheets[0]["A1"].value == "SSC portfolio: consolidated report"
    assert cpm_other_client.get(url).status_code == 403


def test_an_uploaded_workbook_is_checked_and_imported_from_the_bucket_then_removed(
    s3_storage: Storage,
    s3_bucket: Bucket,
    focal_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = build([activity_row(title="New Delhi Conference")]).getvalue()
    pending = upload_workbook(focal_client, content, django_capture_on_commit_callbacks)
    assert pending.state == "checked", pending.problems
    assert pending.summary["created"] == 1
    assert s3_bucket.keys() == {pending.file.name}
    assert object_bytes(s3_bucket, pending.file.name) == content

    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:import_commit", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.state == "done"
    # Imported: the workbook is not kept.
    assert s3_bucket.keys() == set()
    assert PendingImport.objects.get(pk=pending.pk).run_id is not None
