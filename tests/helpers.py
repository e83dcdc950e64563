"""Shared test helpers: settings for a temporary data dir, hostile folders, index inspection."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest.catalog import Catalog
from ingest.embed import FakeEmbeddings, LotseEmbeddings, get_embedder
from ingest.errors import (
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    NoPagesError,
    NotAPdfError,
    NoTextLayerError,
    PdfError,
)
from ingest.settings import Settings
from ingest.store import VectorStore
from ingest.types import DocumentInfo
from tests.data import pdfgen

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT / "corpus"
PROJECT_DATA_DIR = PROJECT_ROOT / "data"
LOTSE = PROJECT_ROOT / ".venv" / "bin" / "lotse"
PYTHON = Path(sys.executable)

TRENDATLAS = "trendatlas-clusterinitiativen-deutschland.pdf"
STATUS_QUO = "cluster-management-status-quo-perspektiven.pdf"
CORONA = "trendstudie-cluster-corona.pdf"
HANDWERK = "cluster-und-handwerk-baden-wuerttemberg.pdf"
CLEVER = "clever-vernetzt-clusterstrategie-bw.pdf"
CORPUS_PAGES = {TRENDATLAS: 36, STATUS_QUO: 6, CORONA: 72, HANDWERK: 166, CLEVER: 48}
# the running header of each document: the first line of every raw page (checked in test_read)
RUNNING_HEADERS = {
    TRENDATLAS: "Trendatlas – Clusterinitiativen in Deutschland",
    STATUS_QUO: "Cluster Management – Status Quo & Perspektiven",
    CORONA: "Trendstudie Regionale Cluster in Zeiten von Corona",
    HANDWERK: "Cluster und Handwerk in Baden-Württemberg",
    CLEVER: "Clever vernetzt! Clusterstrategie Baden-Württemberg",
}


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: a temporary data dir, the fake embedder unless told otherwise, and no
    ``.env`` file. Refuses the project's own ``data/`` folder (a real ingest may be running there)."""
    data_dir = Path(data_dir).resolve()
    if data_dir == PROJECT_DATA_DIR or PROJECT_DATA_DIR in data_dir.parents:
        raise AssertionError(f"tests must not use the project's data folder: {data_dir}")
    values: dict[str, object] = {"data_dir": data_dir, "corpus_dir": CORPUS_DIR, "embedder": "fake"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def small_chunk_settings(data_dir: Path, **overrides: object) -> Settings:
    """Small chunks so that a generated two-page PDF gives several of them."""
    values: dict[str, object] = {"chunk_target_chars": 400, "chunk_max_chars": 600}
    values.update(overrides)
    return make_settings(data_dir, **values)


# --- hostile files ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hostile:
    name: str
    error: type[PdfError]
    says: str  # a word the reason must contain


HOSTILE = (
    Hostile("verschluesselt.pdf", EncryptedPdfError, "Passwort"),
    Hostile("gescannt.pdf", NoTextLayerError, "OCR"),
    Hostile("abgeschnitten.pdf", CorruptPdfError, "abgeschnitten"),
    Hostile("leer.pdf", EmptyFileError, "leer"),
    Hostile("notiz.pdf", NotAPdfError, "Keine PDF"),
    Hostile("ohne-seiten.pdf", NoPagesError, "keine Seiten"),
)
GOOD_NAME = "bericht.pdf"


def write_hostile(kind: Hostile, folder: Path, good: Path) -> Path:
    path = folder / kind.name
    if kind.error is EncryptedPdfError:
        return pdfgen.write_encrypted_pdf(good, path)
    if kind.error is NoTextLayerError:
        return pdfgen.write_scanned_pdf(path)
    if kind.error is CorruptPdfError:
        return pdfgen.write_truncated_pdf(CORPUS_DIR / TRENDATLAS, path)
    if kind.error is EmptyFileError:
        return pdfgen.write_empty_file(path)
    if kind.error is NotAPdfError:
        return pdfgen.write_not_a_pdf(path)
    if kind.error is NoPagesError:
        return pdfgen.write_zero_page_pdf(path)
    raise AssertionError(kind)


def build_hostile_folder(folder: Path) -> Path:
    """One good small report plus one file of every hostile kind."""
    folder.mkdir(parents=True, exist_ok=True)
    good = pdfgen.write_report(folder / GOOD_NAME, "gut", title="Guter Bericht")
    for kind in HOSTILE:
        write_hostile(kind, folder, good)
    return folder


# --- looking into an index ----------------------------------------------------------------------
def catalog_ids(settings: Settings, doc: str | None = None) -> set[str]:
    catalog = Catalog(settings.catalog_path)
    try:
        return catalog.chunk_ids(doc)
    finally:
        catalog.close()


def chroma_ids(settings: Settings, embedder: LotseEmbeddings | None = None) -> set[str]:
    return VectorStore(settings, embedder or get_embedder(settings)).ids()


def documents(settings: Settings) -> dict[str, DocumentInfo]:
    catalog = Catalog(settings.catalog_path)
    try:
        return {d.doc: d for d in catalog.documents()}
    finally:
        catalog.close()


def assert_consistent(settings: Settings, embedder: LotseEmbeddings | None = None) -> None:
    """Chroma holds exactly the catalog's chunks, and every manifest row counts its chunks."""
    catalog = Catalog(settings.catalog_path)
    try:
        ids = catalog.chunk_ids()
        assert chroma_ids(settings, embedder) == ids
        for info in catalog.documents():
            stored = catalog.chunks(info.doc)
            assert len(stored) == info.chunks, info.doc
            assert {s.chunk.id for s in stored} == catalog.chunk_ids(info.doc)
            assert len(catalog.pages(info.doc)) == info.pages, info.doc
    finally:
        catalog.close()


class CountingEmbeddings(FakeEmbeddings):
    """The fake embedder that counts what it is asked to embed (same name: same index)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.texts: list[str] = []

    def embed_documents_array(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.texts.extend(texts)
        return super().embed_documents_array(texts)


# --- the command line ---------------------------------------------------------------------------
def lotse_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update({"LOTSE_DATA_DIR": str(data_dir), "LOTSE_EMBEDDER": "fake", "COLUMNS": "200"})
    env.update(extra)
    return env


def run_lotse(
    args: list[str], data_dir: Path, cwd: Path, *, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``lotse`` command, isolated from the project's data and any ``.env``;
    ``stdin`` feeds batch mode (one question or claim per line)."""
    assert shutil.which(str(LOTSE)), f"{LOTSE} is not installed (run scripts/setup.sh)"
    return subprocess.run(
        [str(LOTSE), *args],
        input=stdin,
        cwd=cwd,
        env=lotse_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
