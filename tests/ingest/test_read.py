"""Reading PDFs page by page, and a typed, named error for every kind of hostile file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from ingest.errors import (
    CorruptPdfError,
    LotseError,
    NoTextLayerError,
    PdfError,
    PdfTimeoutError,
    PdfTooLargeError,
)
from ingest.read import read_pdf
from ingest.types import RawDocument
from tests.data import pdfgen
from tests.helpers import (
    CORPUS_DIR,
    CORPUS_PAGES,
    HANDWERK,
    HOSTILE,
    RUNNING_HEADERS,
    Hostile,
    make_settings,
    write_hostile,
)


@pytest.fixture
def good_pdf(tmp_path: Path) -> Path:
    return pdfgen.write_report(tmp_path / "bericht.pdf", "lesen", title="Bericht über Kammerarbeit")


def test_good_pdf_gives_pages_title_and_hash(good_pdf: Path, tmp_path: Path) -> None:
    raw = read_pdf(good_pdf, make_settings(tmp_path / "data"))
    assert isinstance(raw, RawDocument)
    assert raw.doc_id == "bericht.pdf"
    assert raw.title == "Bericht über Kammerarbeit"
    assert raw.sha256 == hashlib.sha256(good_pdf.read_bytes()).hexdigest()
    assert Path(raw.source_file).is_absolute() and Path(raw.source_file) == good_pdf.resolve()
    assert len(raw.pages) == 2
    first_page = " ".join(raw.pages[0])
    assert "für das Vorhaben Lesen" in first_page
    assert all(isinstance(line, str) for page in raw.pages for line in page)


def test_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    # reportlab writes the placeholder title "untitled" when nobody set one
    path = pdfgen.write_text_pdf(
        tmp_path / "jahresbericht_handwerk-2012.pdf", [["Der Handwerksbetrieb plant gemeinsame Projekte."]], title=None
    )
    raw = read_pdf(path, make_settings(tmp_path / "data"))
    assert raw.title == "Jahresbericht handwerk 2012"


@pytest.mark.parametrize("name", sorted(CORPUS_PAGES))
def test_corpus_page_counts_titles_and_running_header(name: str, corpus_docs: dict) -> None:
    raw, _ = corpus_docs[name]
    assert len(raw.pages) == CORPUS_PAGES[name]
    assert raw.title and raw.title != name
    # every page starts with the running header and then "Seite N": the cleaner must drop both
    assert {page[0].strip() for page in raw.pages} == {RUNNING_HEADERS[name]}
    assert [page[1].strip() for page in raw.pages] == [f"Seite {n}" for n in range(1, len(raw.pages) + 1)]


@pytest.mark.parametrize("kind", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_file_gives_its_typed_error_naming_the_file(kind: Hostile, good_pdf: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_hostile(kind, folder, good_pdf)
    with pytest.raises(PdfError) as caught:
        read_pdf(path, make_settings(tmp_path / "data"))
    error = caught.value
    assert type(error) is kind.error
    assert isinstance(error, LotseError)
    assert str(error).startswith(f"{kind.name}: ")
    assert kind.says in str(error)
    assert error.path == path


def test_scanned_pdf_says_ocr_would_be_needed(tmp_path: Path) -> None:
    path = pdfgen.write_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(NoTextLayerError, match=r"^scan\.pdf: .*OCR.*\(0 von 2 Seiten mit Text\)$"):
        read_pdf(path, make_settings(tmp_path / "data"))


def test_corrupt_inside_with_intact_head_and_tail_is_corrupt(tmp_path: Path) -> None:
    # passes the cheap checks (%PDF- head, %%EOF tail), so pypdf itself must fail and be translated
    data = bytearray((CORPUS_DIR / "cluster-management-status-quo-perspektiven.pdf").read_bytes())
    start, end = len(data) // 4, 3 * len(data) // 4
    data[start:end] = bytes((i * 7919) % 251 for i in range(end - start))
    path = tmp_path / "verdorben.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptPdfError, match=r"^verdorben\.pdf: "):
        read_pdf(path, make_settings(tmp_path / "data"))


def test_file_over_the_size_limit_is_refused(good_pdf: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", max_file_mb=0.0005)  # 500 bytes
    assert good_pdf.stat().st_size > 500
    with pytest.raises(PdfTooLargeError, match=r"^bericht\.pdf: .*MB"):
        read_pdf(good_pdf, settings)


def test_file_over_the_page_limit_is_refused(good_pdf: Path, tmp_path: Path) -> None:
    with pytest.raises(PdfTooLargeError, match=r"^bericht\.pdf: .*2 Seiten > 1"):
        read_pdf(good_pdf, make_settings(tmp_path / "data", max_pages=1))


def test_reading_a_big_pdf_past_the_time_limit_times_out(tmp_path: Path) -> None:
    copy = shutil.copy(CORPUS_DIR / HANDWERK, tmp_path / HANDWERK)
    with pytest.raises(PdfTimeoutError) as caught:
        read_pdf(Path(copy), make_settings(tmp_path / "data", read_timeout_s=0.001))
    assert str(caught.value).startswith(f"{HANDWERK}: ")
    assert "zu lange" in str(caught.value)


def test_pathological_small_pdf_is_stopped_by_the_time_limit(good_pdf: Path, tmp_path: Path) -> None:
    slow = pdfgen.write_slow_pdf(good_pdf, tmp_path / "endlos.pdf")
    settings = make_settings(tmp_path / "data", read_timeout_s=4)
    assert slow.stat().st_size < 100_000  # small: only the time guard can catch it
    with pytest.raises(PdfTimeoutError, match=r"^endlos\.pdf: "):
        read_pdf(slow, settings)
    # the same limit lets an ordinary file through
    assert read_pdf(good_pdf, settings).doc_id == "bericht.pdf"


def test_missing_file_is_a_pdf_error(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match=r"^fehlt\.pdf: "):
        read_pdf(tmp_path / "fehlt.pdf", make_settings(tmp_path / "data"))
