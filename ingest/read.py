"""Read a PDF page by page with pypdf, behind guards against hostile files.

Reading runs in a child process so a pathological file can be stopped after
``read_timeout_s`` without taking the whole batch down.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re
import sys
from pathlib import Path
from typing import Any

from ingest.errors import (
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    NoPagesError,
    NotAPdfError,
    NoTextLayerError,
    PdfError,
    PdfTimeoutError,
    PdfTooLargeError,
)
from ingest.settings import Settings
from ingest.types import RawDocument

MIN_CHARS_FOR_TEXT_PAGE = 20
_PLACEHOLDER_TITLES = {"untitled", "unbenannt", "unknown", "title", "titel"}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def title_from_filename(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize()


def check_file(path: Path, settings: Settings) -> None:
    """Cheap checks before pypdf sees the file."""
    if not path.is_file():
        raise CorruptPdfError(path, "Datei nicht gefunden / file not found")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path)
    if size > settings.max_file_mb * 1024 * 1024:
        raise PdfTooLargeError(path, f"{size / 1e6:.1f} MB > {settings.max_file_mb:g} MB")
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise NotAPdfError(path)
    if b"%%EOF" not in tail:
        raise CorruptPdfError(path, "kein %%EOF am Dateiende, vermutlich abgeschnitten / truncated")


def _read_pages(path: Path, max_pages: int) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """Runs in the child process. Returns (metadata title, lines per page)."""
    # pypdf logs every recoverable oddity; those are not the user's business.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdfError(path)
        page_count = len(reader.pages)
        if page_count == 0:
            raise NoPagesError(path)
        if page_count > max_pages:
            raise PdfTooLargeError(path, f"{page_count} Seiten > {max_pages}")
        title = ""
        try:
            meta = reader.metadata
            title = str(meta.title or "").strip() if meta else ""
            if title.lower() in _PLACEHOLDER_TITLES:
                title = ""  # what a tool writes when nobody set a title; the file name says more
        except Exception:  # broken metadata must not cost the text
            title = ""
        pages = tuple(tuple((page.extract_text() or "").split("\n")) for page in reader.pages)
    except PdfError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedPdfError(path) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise CorruptPdfError(path, type(exc).__name__ + ": " + str(exc)[:160]) from exc
    except RecursionError as exc:
        raise CorruptPdfError(path, "verschachtelte Struktur zu tief / structure too deep") from exc
    return title, pages


def _child(path: Path, max_pages: int, conn: multiprocessing.connection.Connection) -> None:
    try:
        conn.send(("ok", _read_pages(path, max_pages)))
    except PdfError as exc:
        conn.send(("pdf_error", (type(exc).__name__, exc.detail)))
    except Exception as exc:  # anything else is still "this file is broken", never a crash
        conn.send(("pdf_error", ("CorruptPdfError", f"{type(exc).__name__}: {str(exc)[:160]}")))
    finally:
        conn.close()


_ERRORS: dict[str, type[PdfError]] = {
    cls.__name__: cls
    for cls in (
        CorruptPdfError,
        EmptyFileError,
        EncryptedPdfError,
        NoPagesError,
        NotAPdfError,
        NoTextLayerError,
        PdfTimeoutError,
        PdfTooLargeError,
    )
}


def _read_isolated(path: Path, settings: Settings) -> tuple[str, tuple[tuple[str, ...], ...]]:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context: Any = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(path, settings.max_pages, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(settings.read_timeout_s):
            raise PdfTimeoutError(path, f"> {settings.read_timeout_s:g} s")
        kind, payload = receiver.recv()
    except EOFError as exc:
        raise CorruptPdfError(path, "der Leseprozess brach ab / reader process died") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    name, detail = payload
    raise _ERRORS.get(name, CorruptPdfError)(path, detail)


def read_pdf(path: Path, settings: Settings) -> RawDocument:
    """Read ``path`` into lines per page, or raise a :class:`PdfError` naming the reason."""
    path = Path(path)
    check_file(path, settings)
    sha = file_sha256(path)
    title, pages = _read_isolated(path, settings)
    text_pages = sum(1 for lines in pages if len("".join(lines).strip()) >= MIN_CHARS_FOR_TEXT_PAGE)
    if text_pages == 0:
        raise NoTextLayerError(path, f"0 von {len(pages)} Seiten mit Text")
    return RawDocument(
        doc_id=path.name,
        title=title or title_from_filename(path),
        source_file=str(path.resolve()),
        sha256=sha,
        pages=pages,
    )
