"""What the (in-memory) default storage holds, to prove a refused upload stored nothing."""

from __future__ import annotations

from django.core.files.storage import default_storage


def stored_files(folder: str = "knowledge") -> set[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return set()
    found = {f"{folder}/{name}" for name in files}
    for sub in folders:
        found |= stored_files(f"{folder}/{sub}")
    return found
