"""Checking knowledge files by what they contain, not by what they are called.

A file is accepted when its name has one of the accepted extensions, its size is within the
limit (settings.KNOWLEDGE_MAX_UPLOAD_MB), its first bytes are those of that very type, and it
opens: a PDF must start with `%PDF-` and be readable by pypdf (its text is extracted here, for
search); a Word, Excel or PowerPoint file must be a zip whose [Content_Types].xml declares the
matching main part, without macros, checked for zip bombs before any XML is parsed (the ideas of
finance.legacy.check_container); an image must carry its format's signature.

Nothing here writes anything: services.save_asset stores only files that passed.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any, cast

import defusedxml.ElementTree
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader

from .models import FileKind

EXTENSIONS: dict[str, str] = {
    "pdf": FileKind.PDF,
    "docx": FileKind.DOCX,
    "xlsx": FileKind.XLSX,
    "pptx": FileKind.PPTX,
    "png": FileKind.PNG,
    "jpg": FileKind.JPEG,
    "jpeg": FileKind.JPEG,
    "gif": FileKind.GIF,
    "webp": FileKind.WEBP,
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in EXTENSIONS)

# What the download sends as Content-Type: from the checked content, never from the upload.
CONTENT_TYPES: dict[str, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.GIF: "image/gif",
    FileKind.WEBP: "image/webp",
}

OFFICE_MAIN_PARTS: dict[str, str] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        FileKind.PPTX
    ),
}
MACRO_MAIN_PARTS = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
)
CONTENT_TYPES_PART = "[Content_Types].xml"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

MAX_ZIP_ENTRIES = 5000
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
# Ratios are only judged on parts big enough to matter: a 2 kB XML part compressing 200:1 is
# ordinary; a bomb needs a large part.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

# Text extraction bounds: enough to search a long report, not enough to stall a request.
MAX_PDF_PAGES_READ = 500
MAX_TEXT_CHARS = 1_000_000

KIND_LABELS: dict[str, Any] = {
    FileKind.PDF: gettext_lazy("a PDF document"),
    FileKind.DOCX: gettext_lazy("a Word document"),
    FileKind.XLSX: gettext_lazy("an Excel workbook"),
    FileKind.PPTX: gettext_lazy("a PowerPoint presentation"),
    FileKind.PNG: gettext_lazy("a PNG image"),
    FileKind.JPEG: gettext_lazy("a JPEG image"),
    FileKind.GIF: gettext_lazy("a GIF image"),
    FileKind.WEBP: gettext_lazy("a WebP image"),
}


class UploadRefused(Exception):
    """The file is refused; the message says why in words for the person who uploaded it."""


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    kind: str
    size: int
    sha256: str
    pages: int | None = None
    text: str = ""


def max_upload_bytes() -> int:
    return int(settings.KNOWLEDGE_MAX_UPLOAD_MB) * 1024 * 1024


def clean_name(name: str) -> str:
    """The file's own name (no folders, no control characters), for display and downloads."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:] or "file"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _size(handle: IO[bytes]) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def check_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedFile:
    """Check one uploaded file; raise UploadRefused with the reason, or describe the file."""
    name = clean_name(upload.name or "")
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    claimed = EXTENSIONS.get(_extension(name))
    if claimed is None:
        raise UploadRefused(
            _("%(name)s: this type of file is not accepted. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(sorted({f".{e}" for e in EXTENSIONS}))}
        )
    handle = cast(IO[bytes], upload.file)
    size = _size(handle)
    if size == 0:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    if size > limit:
        raise UploadRefused(
            _("%(name)s is larger than %(mb)s MB (it has %(size)s MB).")
            % {"name": name, "mb": limit // 2**20, "size": f"{size / 2**20:.1f}"}
        )
    found = sniff(handle, name)
    if found is None:
        raise UploadRefused(
            _("%(name)s is not %(kind)s: its content is not a type the library accepts.")
            % {"name": name, "kind": KIND_LABELS[claimed]}
        )
    if found != claimed:
        raise UploadRefused(
            _("%(name)s is named like %(claimed)s but its content is %(found)s.")
            % {"name": name, "claimed": KIND_LABELS[claimed], "found": KIND_LABELS[found]}
        )
    pages, text = (None, "")
    if found == FileKind.PDF:
        pages, text = read_pdf(handle, name)
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    handle.seek(0)
    return CheckedFile(
        upload=upload,
        name=name,
        kind=found,
        size=size,
        sha256=digest.hexdigest(),
        pages=pages,
        text=text,
    )


def sniff(handle: IO[bytes], name: str) -> str | None:
    """The file's type from its content; None when it is none of the accepted types."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return FileKind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"PK\x03\x04"):
        return office_kind(handle, name)
    return None


def office_kind(handle: IO[bytes], name: str) -> str | None:
    """Which office document a zip is, after checking it is safe to open."""
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            _check_zip_entries(entries, name)
            names = {entry.filename for entry in entries}
            if CONTENT_TYPES_PART not in names:
                return None
            if any(entry.lower().endswith("vbaproject.bin") for entry in names):
                raise UploadRefused(
                    _("%(name)s contains macros: save it without them (.docx, .xlsx, .pptx).")
                    % {"name": name}
                )
            info = archive.getinfo(CONTENT_TYPES_PART)
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            declared = _declared_content_types(archive.read(CONTENT_TYPES_PART))
    except zipfile.BadZipFile:
        raise UploadRefused(
            _("%(name)s is damaged: it cannot be opened.") % {"name": name}
        ) from None
    finally:
        handle.seek(0)
    if declared is None:
        return None
    if declared & set(MACRO_MAIN_PARTS):
        raise UploadRefused(
            _("%(name)s contains macros: save it without them (.docx, .xlsx, .pptx).")
            % {"name": name}
        )
    kinds = {OFFICE_MAIN_PARTS[t] for t in declared if t in OFFICE_MAIN_PARTS}
    return kinds.pop() if len(kinds) == 1 else None


def _check_zip_entries(entries: list[zipfile.ZipInfo], name: str) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadRefused(
            _("%(name)s has too many parts to be an ordinary document.") % {"name": name}
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused(
            _("%(name)s unpacks to more than %(mb)d MB.")
            % {"name": name, "mb": MAX_UNCOMPRESSED_BYTES // 2**20}
        )
    for entry in entries:
        if (
            entry.file_size >= RATIO_CHECKED_FROM_BYTES
            and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise UploadRefused(
                _("%(name)s is compressed suspiciously well (a zip bomb?).") % {"name": name}
            )


def _declared_content_types(xml: bytes) -> set[str] | None:
    """Every content type [Content_Types].xml declares (Default and Override entries)."""
    try:
        root = defusedxml.ElementTree.fromstring(xml)
    except Exception:  # defusedxml refusals and XML syntax errors alike: not a document
        return None
    return {
        element.attrib["ContentType"]
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in ("Default", "Override")
        and "ContentType" in element.attrib
    }


def read_pdf(handle: IO[bytes], name: str) -> tuple[int, str]:
    """Page count and text of a PDF; refuse one that pypdf cannot read or that is locked."""
    handle.seek(0)
    try:
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(
                _("%(name)s is password-protected: upload a copy without a password.")
                % {"name": name}
            )
        pages = len(reader.pages)
        parts: list[str] = []
        length = 0
        for page in reader.pages[:MAX_PDF_PAGES_READ]:
            part = page.extract_text() or ""
            parts.append(part)
            length += len(part)
            if length >= MAX_TEXT_CHARS:
                break
    except UploadRefused:
        raise
    except Exception:  # pypdf raises many kinds of errors on broken files; all mean the same
        raise UploadRefused(
            _("%(name)s is damaged: it starts like a PDF but cannot be read.") % {"name": name}
        ) from None
    finally:
        handle.seek(0)
    if pages == 0:
        raise UploadRefused(_("%(name)s has no pages.") % {"name": name})
    # PostgreSQL text cannot hold NUL characters, which some PDFs' text layers contain.
    text = "\n".join(parts).replace("\x00", "")[:MAX_TEXT_CHARS]
    return pages, text
