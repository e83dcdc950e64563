"""The ingest step end to end: files → pages → chunks → vectors → Chroma + catalog.

Per file, in this order: hash (an unchanged file stops here, no embedding), read, clean, chunk,
analyse, embed only what the cache lacks, upsert vectors, swap the catalog rows in one
transaction, then delete the file's stale vectors. A run that is killed anywhere leaves the
previous state of each file or the new one; the next run repairs vectors that were orphaned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from ingest.catalog import Catalog
from ingest.chunk import chunk_document, sentence_units
from ingest.clean import clean_document
from ingest.embed import LotseEmbeddings, get_embedder, text_key
from ingest.errors import IndexLockedError, PdfError, UnknownDocumentError
from ingest.lexical import analyse
from ingest.read import file_sha256, read_pdf
from ingest.settings import Settings
from ingest.store import VectorStore
from ingest.types import Chunk, FileOutcome, IngestReport

# Bump when reading, cleaning or chunking changes the stored text: documents indexed by an older
# pipeline are then re-processed although their file is unchanged (the embedding cache keeps
# that cheap: only texts that really changed are embedded again).
PIPELINE_VERSION = "9"


def pipeline_signature(settings: Settings) -> str:
    return (
        f"{PIPELINE_VERSION}|{settings.chunk_target_chars}|{settings.chunk_max_chars}|"
        f"{settings.chunk_overlap_sentences}"
    )


@dataclass(frozen=True)
class ProgressEvent:
    kind: str  # file | stage | embed | done
    doc: str
    done: int = 0
    total: int = 0
    message: str = ""


ProgressFn = Callable[[ProgressEvent], None]


def _quiet(_: ProgressEvent) -> None:
    return None


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_path), timeout=settings.lock_timeout_s)
    try:
        with lock:
            yield
    except Timeout as exc:
        raise IndexLockedError(
            f"Eine andere Indizierung läuft gerade ({settings.lock_path}). "
            "Bitte warten, bis sie fertig ist, und dann erneut starten."
        ) from exc


def collect_pdfs(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and the folders they came from (for finding vanished documents).

    In a folder only ``*.pdf`` files count; a file named explicitly is always tried."""
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folders.append(path.resolve())
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            files.append(path)
    return files, folders


class Indexer:
    """Owns the catalog and the vector store for one data directory."""

    def __init__(self, settings: Settings, embedder: LotseEmbeddings | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.catalog = Catalog(settings.catalog_path)
        self.store = VectorStore(settings, self.embedder)
        self.timings: dict[str, float] = {}

    def close(self) -> None:
        self.catalog.close()

    def _timed(self, stage: str, start: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start

    # --- vectors ------------------------------------------------------------------------
    def vectors_for(self, chunks: list[Chunk], doc: str, progress: ProgressFn) -> np.ndarray:
        return self.vectors_for_texts([c.embed_text for c in chunks], doc, progress)

    def vectors_for_texts(self, texts: list[str], doc: str, progress: ProgressFn) -> np.ndarray:
        """Vectors for ``texts``; only texts the cache lacks go through the embedder."""
        keys = [text_key(self.embedder.name, text) for text in texts]
        cached = self.catalog.cached_vectors(keys)
        # similar lengths in one batch: the model pads a batch to its longest text; equal texts once
        first_of: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in cached:
                first_of.setdefault(key, i)
        missing = sorted(first_of.values(), key=lambda i: len(texts[i]))
        batch = self.settings.embed_batch_size
        for start in range(0, len(missing), batch):
            indices = missing[start : start + batch]
            vectors = self.embedder.embed_documents_array([texts[i] for i in indices])
            fresh = {keys[i]: vectors[row] for row, i in enumerate(indices)}
            self.catalog.cache_vectors(fresh)  # committed per batch: a killed run resumes here
            cached.update(fresh)
            progress(ProgressEvent("embed", doc, min(start + batch, len(missing)), len(missing)))
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([cached[key] for key in keys])

    @staticmethod
    def _metadata(chunk: Chunk) -> dict[str, str | int]:
        return {"doc": chunk.doc_id, "page": chunk.page_start, "page_end": chunk.page_end}

    def repair(self, progress: ProgressFn = _quiet) -> int:
        """Make Chroma agree with the catalog (after a killed run). Returns vectors changed."""
        stored = self.store.ids()
        wanted = {sc.chunk.id: sc.chunk for sc in self.catalog.chunks()}
        orphans = sorted(stored - wanted.keys())
        if orphans:
            self.store.delete(orphans)
        absent = [wanted[cid] for cid in sorted(wanted.keys() - stored)]
        if absent:
            vectors = self.vectors_for(absent, "(Reparatur)", progress)
            self.store.upsert([c.id for c in absent], vectors, [self._metadata(c) for c in absent])
        return len(orphans) + len(absent)

    # --- files --------------------------------------------------------------------------
    def ingest_file(self, path: Path, progress: ProgressFn = _quiet, force: bool = False) -> FileOutcome:
        doc = path.name
        start = time.perf_counter()
        try:
            previous = self.catalog.document(doc)
            current = self.catalog.get_meta(f"pipeline:{doc}") == pipeline_signature(self.settings)
            if path.is_file() and previous and current and not force:
                if file_sha256(path) == previous.sha256:
                    self._timed("hash", start)
                    return FileOutcome(doc, "unchanged", pages=previous.pages, chunks=previous.chunks)
            progress(ProgressEvent("stage", doc, message="lesen"))
            raw = read_pdf(path, self.settings)
            self._timed("read", start)
            start = time.perf_counter()
            progress(ProgressEvent("stage", doc, message="bereinigen + zerlegen"))
            clean = clean_document(raw)
            sentences = sentence_units(clean, self.settings)
            chunks = chunk_document(clean, self.settings, sentences)
            terms = [analyse(c.embed_text) for c in chunks]
            self._timed("clean+chunk", start)
        except PdfError as exc:
            return FileOutcome(doc, "failed", reason=str(exc))

        start = time.perf_counter()
        # chunks and sentences in one pass, so progress counts all embedding work of the file
        texts = [c.embed_text for c in chunks] + [x.text for x in sentences]
        vectors = self.vectors_for_texts(texts, doc, progress)[: len(chunks)]
        self._timed("embed", start)

        start = time.perf_counter()
        old_ids = self.catalog.chunk_ids(doc)
        self.store.upsert([c.id for c in chunks], vectors, [self._metadata(c) for c in chunks])
        self.catalog.replace_document(clean, chunks, terms, sentences)
        self.catalog.set_meta(f"pipeline:{doc}", pipeline_signature(self.settings))
        stale = sorted(old_ids - {c.id for c in chunks})
        if stale:
            self.store.delete(stale)
        self._timed("store", start)
        status = "replaced" if previous else "added"
        return FileOutcome(doc, status, pages=len(clean.pages), chunks=len(chunks))

    def remove(self, doc: str) -> FileOutcome:
        info = self.catalog.document(doc)
        if info is None:
            known = ", ".join(d.doc for d in self.catalog.documents()) or "keine"
            raise UnknownDocumentError(f"Dokument '{doc}' ist nicht im Index. Vorhanden: {known}.")
        ids = sorted(self.catalog.chunk_ids(doc))
        self.catalog.remove_document(doc)
        self.store.delete(ids)
        return FileOutcome(doc, "removed", pages=info.pages, chunks=info.chunks)


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    *,
    prune: bool = False,
    reindex: bool = False,
    progress: ProgressFn = _quiet,
    embedder: LotseEmbeddings | None = None,
) -> IngestReport:
    """Ingest files and folders. Bad files are reported and skipped; the rest go on."""
    files, folders = collect_pdfs(paths)
    with ingest_lock(settings):
        if reindex:
            _drop_index(settings, embedder)
        indexer = Indexer(settings, embedder)
        try:
            indexer.repair(progress)
            outcomes: list[FileOutcome] = []
            seen: set[str] = set()
            for number, path in enumerate(files, start=1):
                progress(ProgressEvent("file", path.name, number, len(files)))
                if path.name in seen:
                    outcomes.append(
                        FileOutcome(
                            path.name,
                            "failed",
                            reason=f"{path.name}: doppelter Dateiname / duplicate file name ({path})",
                        )
                    )
                    continue
                seen.add(path.name)
                outcome = indexer.ingest_file(path, progress)
                outcomes.append(outcome)
                progress(ProgressEvent("done", path.name, number, len(files), outcome.status))
            outcomes.extend(_vanished(indexer, folders, seen, prune))
        finally:
            indexer.close()
    return IngestReport(outcomes=tuple(outcomes), timings=tuple(indexer.timings.items()))


def _vanished(indexer: Indexer, folders: list[Path], seen: set[str], prune: bool) -> list[FileOutcome]:
    """Documents that came from an ingested folder whose file is gone."""
    result = []
    for info in indexer.catalog.documents():
        source = indexer.catalog.source_file(info.doc)
        if info.doc in seen or source is None:
            continue
        source_path = Path(source)
        in_folder = any(folder == source_path.parent or folder in source_path.parents for folder in folders)
        if in_folder and not source_path.exists():
            if prune:
                result.append(indexer.remove(info.doc))
            else:
                result.append(FileOutcome(info.doc, "missing", reason="Datei fehlt; mit --prune entfernen"))
    return result


def _drop_index(settings: Settings, embedder: LotseEmbeddings | None) -> None:
    """Forget all vectors and documents (the embedding cache stays: it is keyed by model)."""
    from ingest.store import COLLECTION, make_client

    client = make_client(settings)
    if COLLECTION in {c.name for c in client.list_collections()}:
        client.delete_collection(COLLECTION)
    catalog = Catalog(settings.catalog_path)
    try:
        for info in catalog.documents():
            catalog.remove_document(info.doc)
    finally:
        catalog.close()


def remove_document(doc: str, settings: Settings) -> FileOutcome:
    with ingest_lock(settings):
        indexer = Indexer(settings)
        try:
            return indexer.remove(doc)
        finally:
            indexer.close()
