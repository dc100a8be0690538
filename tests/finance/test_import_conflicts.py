"""A workbook older than the portal: the preview names what the file would change back, the import
leaves the portal's newer values unless the focal point overwrites them activity by activity, and
the history says which import run made each change. Also: the same file twice, renamed sheets."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import activity_history_entries
from activities.models import Activity, DuplicatePair, FoundVia, PairState
from finance.export import build_workbook
from finance.importer import ImportRefused, ImportSummary, import_legacy_workbook
from finance.legacy import read_workbook
from finance.models import FinancialEntry, ImportRun, PendingImport
from tests.finance.workbooks import activity_row, build, contribution_row
from tests.helpers import edit_form_data, record_entry

pytestmark = pytest.mark.django_db

SSC_ID = "SSC-2010-01"


def run(
    handle: io.BytesIO,
    user: User,
    *,
    dry_run: bool = False,
    overwrite: tuple[str, ...] = (),
    filename: str = "ssc.xlsx",
) -> ImportSummary:
    handle.seek(0)
    return import_legacy_workbook(
        handle=handle, filename=filename, user=user, dry_run=dry_run, overwrite=overwrite
    )


def exported() -> io.BytesIO:
    return io.BytesIO(build_workbook(Activity.objects.all()))


def cpm_renames(client: Client, title: str) -> None:
    """The CPM changes the title on the edit page, as people do (giving the activity's type,
    which the form asks for and the workbook does not have)."""
    activity = Activity.objects.get(ssc_id=SSC_ID)
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        edit_form_data(activity, title=title, activity_type="training"),
    )
    assert response.status_code == 302


def review_of(summary: ImportSummary, ssc_id: str = SSC_ID):  # type: ignore[no-untyped-def]
    [review] = [r for r in summary.reviews if r.ssc_id == ssc_id]
    return review


def test_a_stale_export_names_the_conflict_and_the_import_keeps_the_newer_title(
    focal: User, cpm_other: User, cpm_other_client: Client
) -> None:
    run(build([activity_row(title="Old title")]), focal)
    stale = exported()  # the focal point keeps this copy...
    cpm_renames(cpm_other_client, "Title the CPM chose")  # ...while the CPM edits the activity

    preview = run(stale, focal, dry_run=True)
    review = review_of(preview)
    assert review.action == "conflict" and preview.skipped == 1
    [conflict] = review.conflicts
    assert (conflict.label, conflict.portal, conflict.file, conflict.by) == (
        "Title",
        "Title the CPM chose",
        "Old title",
        str(cpm_other),
    )
    edited = Activity.history.filter(title="Title the CPM chose").get()  # type: ignore[attr-defined]
    assert conflict.at == edited.history_date.isoformat()

    summary = run(stale, focal)
    assert Activity.objects.get(ssc_id=SSC_ID).title == "Title the CPM chose"
    assert summary.skipped == 1 and summary.updated == 0
    assert ImportRun.objects.get(pk=summary.run_id).activities_skipped == 1


def test_a_conflict_the_focal_point_ticks_is_overwritten_and_the_history_names_the_run(
    focal: User, cpm_other_client: Client
) -> None:
    run(build([activity_row(title="Old title")]), focal)
    stale = exported()
    cpm_renames(cpm_other_client, "Title the CPM chose")

    summary = run(stale, focal, overwrite=(SSC_ID,), filename="ssc-2024.xlsx")
    activity = Activity.objects.get(ssc_id=SSC_ID)
    assert activity.title == "Old title"
    assert review_of(summary).action == "overwritten" and summary.skipped == 0
    latest = activity_history_entries(activity)[0]
    assert latest.user == focal
    assert latest.through == f"Import run #{summary.run_id} (ssc-2024.xlsx)"
    assert [(c.label, c.old, c.new) for c in latest.changes] == [
        ("Title", "Title the CPM chose", "Old title")
    ]


def test_a_file_without_stamp_conflicts_with_changes_made_after_the_last_import(
    focal: User, cpm_other_client: Client
) -> None:
    original = build([activity_row(title="Old title")])
    run(original, focal)
    cpm_renames(cpm_other_client, "Title the CPM chose")
    assert review_of(run(original, focal, dry_run=True)).action == "conflict"
    # A change the file makes to a field nobody touched since is no conflict.
    edited = build([activity_row(title="Title the CPM chose", notes="Typed in the workbook")])
    summary = run(edited, focal)
    assert review_of(summary).action == "updated" and summary.skipped == 0
    assert Activity.objects.get(ssc_id=SSC_ID).notes == "Typed in the workbook"


def test_money_recorded_in_the_portal_after_the_export_is_a_conflict(
    focal: User, cpm_other: User
) -> None:
    run(build([activity_row(planned=200000)]), focal)
    stale = exported()
    record_entry(Activity.objects.get(ssc_id=SSC_ID), amount=5000, user=cpm_other)

    summary = run(stale, focal)
    [conflict] = review_of(summary).conflicts
    assert (conflict.label, conflict.portal, conflict.file, conflict.by) == (
        "IFAD planned (USD)",
        "205,000.00",
        "200,000.00",
        str(cpm_other),
    )
    assert FinancialEntry.objects.filter(activity__ssc_id=SSC_ID, stage="planned").count() == 2


def test_the_preview_lists_each_changed_field_and_ledger_line(focal: User) -> None:
    run(build([activity_row(title="Old title", planned=200000)]), focal)
    summary = run(
        build(
            [activity_row(title="New title", status="Completed", planned=250000)],
            [contribution_row(planned=1000, allocated=None)],
        ),
        focal,
        dry_run=True,
    )
    review = review_of(summary)
    assert review.action == "updated" and (review.sheet, review.row) == ("Activities", 2)
    assert [(d.label, d.old, d.new) for d in review.fields] == [
        ("Title", "Old title", "New title"),
        ("Status", "Ongoing", "Completed"),
    ]
    assert [(d.label, d.old, d.new) for d in review.lines] == [
        ("Government of India, cofinancing (cash) planned (USD)", "0.00", "1,000.00"),
        ("IFAD planned (USD)", "200,000.00", "250,000.00"),
    ]


def renamed(activities_title: str, contributions_title: str) -> io.BytesIO:
    handle = build([activity_row()], [contribution_row()])
    workbook = openpyxl.load_workbook(handle)
    workbook["Activities"].title = activities_title
    workbook["Contributions"].title = contributions_title
    workbook.create_sheet("Read me", 0).append(["How to fill in this workbook"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_sheets_with_other_names_are_found_by_their_header_rows(focal: User) -> None:
    summary = run(renamed("SSC activities 2024", "Cofinancing 2024"), focal)
    assert summary.sheets == {
        "Activities": "SSC activities 2024",
        "Contributions": "Cofinancing 2024",
    }
    assert summary.created == 1 and summary.entries == 4
    assert review_of(summary).sheet == "SSC activities 2024"


def test_a_workbook_without_the_header_rows_is_refused_naming_the_columns(focal: User) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Project", "Amount"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused) as refused:
        run(buffer, focal)
    assert refused.value.problems[0].startswith(
        "Activities: No sheet has this sheet's header row ('SSC ID', 'Activity', "
        "'Nature of activity', 'Year', 'Lead division', 'Modality', 'Status')"
    )


def test_an_altered_stamp_is_not_trusted(focal: User) -> None:
    run(build([activity_row()]), focal)
    workbook = openpyxl.load_workbook(exported())
    [prop] = workbook.custom_doc_props.props
    prop.value = prop.value[:-3] + "abc"
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_workbook(buffer, known_ssc_ids=set())
    assert parsed.made_at is None
    assert "not written by this portal" in str(parsed.warnings[0])


def upload(client: Client, content: bytes, capture) -> PendingImport:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        client.post(
            reverse("finance:imports"), {"file": SimpleUploadedFile("ssc-2024.xlsx", content)}
        )
    return PendingImport.objects.latest("pk")


def test_the_preview_page_names_an_earlier_import_of_the_same_file(
    focal: User,
    focal_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    content = build([activity_row()]).getvalue()
    first = upload(focal_client, content, django_capture_on_commit_callbacks)
    page = focal_client.get(reverse("finance:import_detail", args=[first.pk])).content.decode()
    assert "already imported" not in page
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:import_commit", args=[first.pk]))
    run_ = ImportRun.objects.get()

    second = upload(focal_client, content, django_capture_on_commit_callbacks)
    page = focal_client.get(reverse("finance:import_detail", args=[second.pk])).content.decode()
    assert f"by {focal} (import run #{run_.pk})" in page
    assert "This file was already imported on" in page


def test_the_preview_page_offers_each_conflict_and_imports_only_the_ticked_ones(
    focal: User,
    focal_client: Client,
    cpm_other_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    run(build([activity_row(title="Old title"), activity_row("SSC-2010-02", title="B")]), focal)
    stale = exported().getvalue()
    cpm_renames(cpm_other_client, "Title the CPM chose")
    pending = upload(focal_client, stale, django_capture_on_commit_callbacks)
    url = reverse("finance:import_detail", args=[pending.pk])
    with django_assert_max_num_queries(5):  # the menu's inbox count among them
        page = focal_client.get(url).content.decode()
    assert f'name="overwrite" value="{SSC_ID}"' in page
    assert "Title the CPM chose" in page and "Old title" in page
    assert 'value="SSC-2010-02"' not in page  # no conflict, nothing to tick

    # Only an activity the check found in conflict can be overwritten.
    response = focal_client.post(
        reverse("finance:import_commit", args=[pending.pk]), {"overwrite": ["SSC-2010-02"]}
    )
    assert response.status_code == 302
    assert PendingImport.objects.get(pk=pending.pk).state == "checked"
    assert "SSC-2010-02 is not an activity in conflict" in focal_client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(
            reverse("finance:import_commit", args=[pending.pk]), {"overwrite": [SSC_ID]}
        )
    assert Activity.objects.get(ssc_id=SSC_ID).title == "Old title"
    history = focal_client.get(
        reverse("activities:history", args=[Activity.objects.get(ssc_id=SSC_ID).pk])
    ).content.decode()
    run_ = ImportRun.objects.latest("pk")
    assert f"through Import run #{run_.pk} (ssc-2024.xlsx)" in history


def test_the_money_history_names_the_import_run_of_each_entry(
    focal: User,
    focal_client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    summary = run(build([activity_row(), activity_row("SSC-2010-02")]), focal, filename="a.xlsx")
    record_entry(Activity.objects.get(ssc_id=SSC_ID), user=focal)
    with django_assert_max_num_queries(7):  # the menu's inbox count among them
        page = focal_client.get(reverse("finance:history")).content.decode()
    # Four IFAD lines from the file, one typed on the page (named by nobody but its author).
    assert page.count(f"through Import run #{summary.run_id} (a.xlsx)") == 4


def test_the_command_says_what_it_skipped_and_overwrites_what_it_is_told(
    focal: User, cpm_other: User, cpm_other_client: Client, tmp_path: object
) -> None:
    run(build([activity_row(title="Old title")]), focal)
    path = tmp_path / "stale.xlsx"  # type: ignore[operator]
    path.write_bytes(exported().getvalue())
    cpm_renames(cpm_other_client, "Title the CPM chose")

    output = io.StringIO()
    call_command("import_legacy", str(path), stdout=output)
    assert "skipped 1 in conflict" in output.getvalue()
    assert (
        f"Skipped {SSC_ID}: Title is 'Title the CPM chose' in the portal ({cpm_other}, "
        in output.getvalue()
    )
    assert Activity.objects.get(ssc_id=SSC_ID).title == "Title the CPM chose"
    call_command("import_legacy", str(path), "--overwrite", SSC_ID.lower(), stdout=io.StringIO())
    assert Activity.objects.get(ssc_id=SSC_ID).title == "Old title"


def test_the_preview_page_lists_a_new_activitys_likely_duplicates(
    focal: User,
    focal_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """The file logs again, under another SSC ID, an activity already in the portal: the
    preview names it before anything is imported; once imported, the pair waits, open, in the
    focal point's report."""
    run(build([activity_row(title="New Delhi Conference on rural finance")]), focal)
    existing = Activity.objects.get()
    again = activity_row("SSC-2010-07", title="New Delhi conference on rural finance")
    other = activity_row("SSC-2010-08", title="Study tour on dairy", providers="Kenya")
    pending = upload(
        focal_client, build([again, other]).getvalue(), django_capture_on_commit_callbacks
    )
    page = focal_client.get(reverse("finance:import_detail", args=[pending.pk])).content.decode()
    assert "SSC-2010-07 may already be in the portal:" in page
    assert existing.ssc_id in page and "same countries: Brazil, China, India" in page
    assert "SSC-2010-08 may already be in the portal" not in page
    assert "The first 2 new activities were compared" in page
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:import_commit", args=[pending.pk]))
    [pair] = DuplicatePair.objects.all()
    assert (pair.first, pair.second.ssc_id) == (existing, "SSC-2010-07")
    assert pair.state == PairState.OPEN and pair.found_via == FoundVia.IMPORT


def test_two_alike_activities_of_one_file_make_one_open_pair(
    focal: User,
    focal_client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    twins = [
        activity_row("SSC-2010-07", title="New Delhi conference on rural finance"),
        activity_row("SSC-2010-08", title="New Delhi Conference on rural finance"),
    ]
    pending = upload(focal_client, build(twins).getvalue(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:import_commit", args=[pending.pk]))
    [pair] = DuplicatePair.objects.all()
    assert {pair.first.ssc_id, pair.second.ssc_id} == {"SSC-2010-07", "SSC-2010-08"}
