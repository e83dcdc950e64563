"""Uploaded PDFs: safe file names and saving into the corpus folder (no Streamlit here).

Uploads land directly in ``settings.corpus_dir``: the file name is the document's id, so a
re-ingest of the corpus folder finds them, and uploading a newer version of a file replaces it
(only when the user asked for that).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_ODD = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 120


class UploadRefused(ValueError):
    """The upload is not accepted; the message says why, in German."""


def safe_pdf_name(raw: str) -> str:
    """A plain, portable file name for an uploaded PDF, or :class:`UploadRefused`.

    Only the last path component counts (``../../etc/x.pdf`` → ``x.pdf``, ``C:\\a\\b.pdf`` →
    ``b.pdf``); umlauts are spelled out, every other odd character becomes ``-``; hidden-file dots
    and separators at the ends go. The name must end in ``.pdf``."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base).replace("\x00", "").strip()
    if not base.lower().endswith(".pdf"):
        raise UploadRefused(f"„{raw}“ ist keine PDF-Datei (der Name muss auf .pdf enden).")
    stem = base[:-4].translate(_GERMAN)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _ODD.sub("-", stem.replace(" ", "-"))
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_ ")[:_MAX_STEM].strip(".-_ ")
    if not stem:
        raise UploadRefused(f"„{raw}“ hat keinen brauchbaren Dateinamen.")
    return f"{stem}.pdf"


@dataclass(frozen=True)
class SavedUpload:
    path: Path
    previous: bytes | None  # the file it replaced, to put back if the new one fails


def save_upload(folder: Path, raw_name: str, content: bytes, *, max_mb: float, replace: bool) -> SavedUpload:
    """Write an uploaded PDF into ``folder`` under a safe name (atomically)."""
    name = safe_pdf_name(raw_name)
    if len(content) > max_mb * 1024 * 1024:
        raise UploadRefused(f"{name}: größer als die Grenze von {max_mb:g} MB.")
    if not content:
        raise UploadRefused(f"{name}: die Datei ist leer.")
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if target.parent != folder.resolve():  # cannot happen after safe_pdf_name; the last guard
        raise UploadRefused(f"{name}: ungültiger Dateiname.")
    previous = target.read_bytes() if target.exists() else None
    if previous is not None and previous != content and not replace:
        raise UploadRefused(
            f"{name}: eine andere Datei mit diesem Namen liegt schon in der Bibliothek. "
            "Zum Ersetzen „Vorhandene Dateien ersetzen“ ankreuzen."
        )
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return SavedUpload(path=target, previous=previous)


def undo_upload(saved: SavedUpload) -> None:
    """Put back what the upload replaced (or remove it): a file that failed to ingest must not
    stay in the corpus folder and fail again on every re-ingest."""
    if saved.previous is None:
        saved.path.unlink(missing_ok=True)
    else:
        saved.path.write_bytes(saved.previous)
