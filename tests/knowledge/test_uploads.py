"""Uploads are judged by their content and size, never by their name alone."""

from __future__ import annotations

import pytest

from knowledge.models import FileKind
from knowledge.uploads import UploadRefused, check_upload
from tests.knowledge.files import (
    GIF,
    JPEG,
    PNG,
    WEBP,
    office_bytes,
    pdf_bytes,
    upload,
    zip_bomb_docx,
)


def test_a_pdf_is_accepted_with_its_pages_text_and_checksum() -> None:
    checked = check_upload(upload("route.pdf", pdf_bytes("Crab fattening in Satkhira", pages=3)))
    assert (checked.kind, checked.pages) == (FileKind.PDF, 3)
    assert checked.text.count("Crab fattening in Satkhira") == 3
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notes.docx", office_bytes("docx"), FileKind.DOCX),
        ("budget.xlsx", office_bytes("xlsx"), FileKind.XLSX),
        ("slides.pptx", office_bytes("pptx"), FileKind.PPTX),
        ("photo.png", PNG, FileKind.PNG),
        ("photo.jpg", JPEG, FileKind.JPEG),
        ("photo.JPEG", JPEG, FileKind.JPEG),
        ("animation.gif", GIF, FileKind.GIF),
        ("photo.webp", WEBP, FileKind.WEBP),
    ],
)
def test_office_documents_and_images_are_recognized_by_content(
    name: str, content: bytes, kind: str
) -> None:
    assert check_upload(upload(name, content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "this type of file is not accepted"),
        ("notes.txt", b"plain text", "this type of file is not accepted"),
        ("noextension", b"%PDF-1.4", "this type of file is not accepted"),
        ("empty.pdf", b"", "is empty"),
        # Names that lie about the content.
        ("report.pdf", PNG, "is named like a PDF document but its content is a PNG image"),
        ("photo.png", pdf_bytes("x"), "is named like a PNG image but its content is a PDF"),
        (
            "notes.docx",
            office_bytes("xlsx"),
            "named like a Word document but its content is an Excel",
        ),
        ("report.pdf", b"<html><script>alert(1)</script>", "is not a PDF document"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "is damaged"),
        # A zip that is no Office document, and dangerous ones.
        ("notes.docx", office_bytes("docx", with_content_types=False), "is not a Word document"),
        (
            "notes.docx",
            office_bytes(
                "docx", content_type="application/vnd.ms-word.document.macroEnabled.main+xml"
            ),
            "contains macros",
        ),
        (
            "notes.docx",
            office_bytes("docx", extra={"word/vbaProject.bin": b"x"}),
            "contains macros",
        ),
        ("notes.docx", zip_bomb_docx(), "compressed suspiciously well"),
        ("broken.pdf", b"%PDF-1.7\n garbage that is no PDF at all", "cannot be read"),
        ("locked.pdf", pdf_bytes("secret", password="s3cret"), "password-protected"),
    ],
)
def test_wrong_lying_or_dangerous_files_are_refused_with_their_name(
    name: str, content: bytes, message: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload(name, content))
    assert message in str(refused.value)
    assert name.split(".")[0] in str(refused.value)


def test_a_file_over_the_size_limit_is_refused() -> None:
    content = pdf_bytes("big")
    with pytest.raises(UploadRefused, match="is larger than 0 MB"):
        check_upload(upload("big.pdf", content), max_bytes=len(content) - 1)
    assert check_upload(upload("big.pdf", content), max_bytes=len(content)).kind == FileKind.PDF


def test_the_size_limit_comes_from_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    with pytest.raises(UploadRefused, match="larger than 1 MB"):
        check_upload(upload("big.png", PNG + b"\x00" * (1024 * 1024)))


def test_folders_and_control_characters_are_stripped_from_the_name() -> None:
    checked = check_upload(upload("../../etc/evil\x07.png", PNG))
    assert checked.name == "evil.png"
