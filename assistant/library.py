"""Everything a question needs, loaded once per process: embedder, Chroma, catalog,
the BM25 index over the stored lexical terms, and the sentence vectors."""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.lexical_index import Bm25Index
from ingest.catalog import Catalog
from ingest.embed import LotseEmbeddings, get_embedder, text_key
from ingest.errors import IndexEmptyError
from ingest.settings import Settings
from ingest.store import VectorStore
from ingest.types import Chunk, Page, Sentence

_SENTENCE_END = re.compile(r"[.!?:;“\")]\s*$")
NOTE_START = re.compile(r"^\d{1,3}\s+(?:vgl|Vgl|Anm|siehe|Siehe|Quelle)\b")
LIST_ITEM = re.compile(r"^\s*(?:[•·▪■●◦\-–]|\d{1,2}[.)])\s+")
LIST_ITEMS = 8
# a sentence whose pronoun points back in its first words ("Dies sind z. B. …", "Als Gründe
# hierfür werden …", "Sie benennen hier …", "Diese müssten …") completes the sentence before it;
# a demonstrative before a noun ("diese Zielfelder") only names the topic again
_POINTS_BACK = re.compile(
    r"^(?:Sie\s+[a-zäöüß]|(?:\S+\s+){0,2}(?:[Dd]ies\b|[Dd]iese[rsmn]?\s+[a-zäöüß]|"
    r"(?:[Hh]ierfür|[Hh]ierzu|[Hh]ierbei|[Dd]azu|[Dd]afür|[Dd]arunter|[Dd]avon)\b))"
)
MAX_CONTINUATION_CHARS = 400


@dataclass(frozen=True)
class SentenceTable:
    """All sentences of the index with their vectors (row i of ``vectors`` is ``items[i]``)."""

    items: tuple[Sentence, ...]
    vectors: np.ndarray
    by_doc: dict[str, tuple[int, int]]  # doc -> [first row, last row + 1)

    def rows_in(self, doc: str, start: int, end: int) -> list[int]:
        """Rows of the sentences of ``doc`` that lie within [start, end). A document's sentences
        are stored in text order, so a binary search finds the first one."""
        first, last = self.by_doc.get(doc, (0, 0))
        row = bisect.bisect_left(self.items, start, lo=first, hi=last, key=lambda item: item.char_start)
        rows = []
        while row < last and self.items[row].char_end <= end:
            rows.append(row)
            row += 1
        return rows

    def whole_sentence(self, row: int) -> tuple[int, ...]:
        """The row, with the row before or after it when the sentence was cut there: a sentence
        that runs over a page break is stored as two (each quote stays on its page), and the PDF
        sometimes breaks one in two on a page. A half ends without a full stop, or starts lower-case."""
        items = self.items
        first, last = self.by_doc[items[row].doc_id]
        rows = [row]
        text = items[row].text
        if row > first and text[:1].islower() and not _SENTENCE_END.search(items[row - 1].text):
            rows.insert(0, row - 1)
        if row + 1 < last and not _SENTENCE_END.search(text):
            following = items[row + 1].text
            if (following[:1].islower() or following[:1].isdigit()) and not NOTE_START.match(following):
                rows.append(row + 1)
        return tuple(rows)

    def continuation_after(self, row: int) -> tuple[int, ...]:
        """The next sentence when it points back to this one and so completes it, on the same page:
        "Spezielle Vorteile ergeben sich, wo KMU Größennachteile ausgleichen können." is answered
        by "Dies sind z. B. bessere Einkaufskonditionen, …"."""
        items = self.items
        _, last = self.by_doc[items[row].doc_id]
        following = row + 1
        if following >= last or items[following].page_no != items[row].page_no:
            return ()
        text = items[following].text
        if len(text) > MAX_CONTINUATION_CHARS or LIST_ITEM.match(text) or not _POINTS_BACK.match(text):
            return ()
        return (following,)

    def antecedent_before(self, row: int) -> tuple[int, ...]:
        """The sentence before, when this one points back to it ("Dies sind z. B. …"): without it
        the statement does not say what "dies" is."""
        items = self.items
        first, _ = self.by_doc[items[row].doc_id]
        before = row - 1
        if before < first or items[before].page_no != items[row].page_no:
            return ()
        text, own = items[before].text, items[row].text
        if len(text) > MAX_CONTINUATION_CHARS or NOTE_START.match(text) or LIST_ITEM.match(own):
            return ()
        if not _POINTS_BACK.match(own):
            return ()
        return (before,)

    def list_items_after(self, row: int) -> tuple[int, ...]:
        """The items of the list a lead ("Als Nutzen werden genannt:") announces, on its page: the
        lead alone says nothing, its items are the answer."""
        items = self.items
        if not items[row].text.rstrip().endswith(":"):
            return ()
        _, last = self.by_doc[items[row].doc_id]
        rows: list[int] = []
        following = row + 1
        while (
            following < last
            and len(rows) < LIST_ITEMS
            and items[following].page_no == items[row].page_no
            and LIST_ITEM.match(items[following].text)
        ):
            rows.append(following)
            following += 1
        return tuple(rows)


class Library:
    """Read-only view of one data directory. Thread-safe for reading."""

    def __init__(self, settings: Settings, embedder: LotseEmbeddings | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.catalog = Catalog(settings.catalog_path)
        self.store = VectorStore(settings, self.embedder)
        self._lock = threading.Lock()
        stored = self.catalog.chunks()
        self.chunks: dict[str, Chunk] = {sc.chunk.id: sc.chunk for sc in stored}
        self.chunk_order: list[str] = [sc.chunk.id for sc in stored]
        self.lexical = Bm25Index([sc.terms for sc in stored])
        self.documents = {d.doc: d for d in self.catalog.documents()}
        self.chunk_vectors = self._chunk_vectors()

    def _chunk_vectors(self) -> np.ndarray:
        """Chunk vectors in ``chunk_order`` (from the embedding cache; the same ones Chroma holds)."""
        keys = [text_key(self.embedder.name, self.chunks[cid].embed_text) for cid in self.chunk_order]
        cached = self.catalog.cached_vectors(keys)
        if not keys or any(key not in cached for key in keys):
            missing = [i for i, key in enumerate(keys) if key not in cached]
            vectors = self.embedder.embed_documents_array(
                [self.chunks[self.chunk_order[i]].embed_text for i in missing]
            )
            cached.update({keys[i]: vectors[row] for row, i in enumerate(missing)})
        if not keys:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([cached[key] for key in keys])

    @cached_property
    def chunk_sentence_rows(self) -> list[np.ndarray]:
        """For each chunk (in ``chunk_order``) the rows of its sentences in :attr:`sentences`."""
        table = self.sentences
        return [
            np.array(table.rows_in(c.doc_id, c.char_start, c.char_end), dtype=np.int64)
            for c in (self.chunks[cid] for cid in self.chunk_order)
        ]

    @cached_property
    def chunk_row_segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(flat sentence rows, segment starts, has-sentences mask) for a vectorised per-chunk max."""
        rows = self.chunk_sentence_rows
        present = np.array([len(r) > 0 for r in rows], dtype=bool)
        kept = [r for r in rows if len(r)]
        flat = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
        starts = np.cumsum([0] + [len(r) for r in kept[:-1]]).astype(np.int64) if kept else np.zeros(0, np.int64)
        return flat, starts, present

    def require_documents(self) -> None:
        if not self.chunks:
            raise IndexEmptyError(
                f"Der Index in {self.settings.data_dir} ist leer. Bitte zuerst `lotse ingest corpus/` ausführen."
            )

    @cached_property
    def sentences(self) -> SentenceTable:
        items = tuple(self.catalog.sentences())
        keys = [text_key(self.embedder.name, s.text) for s in items]
        cached = self.catalog.cached_vectors(keys)
        missing = [i for i, key in enumerate(keys) if key not in cached]
        if missing:  # an index from before sentence vectors existed: fill the gap once
            vectors = self.embedder.embed_documents_array([items[i].text for i in missing])
            fresh = {keys[i]: vectors[row] for row, i in enumerate(missing)}
            self.catalog.cache_vectors(fresh)
            cached.update(fresh)
        matrix = np.stack([cached[key] for key in keys]) if keys else np.zeros((0, self.embedder.dim), np.float32)
        by_doc: dict[str, tuple[int, int]] = {}
        for row, sentence in enumerate(items):
            first, _ = by_doc.get(sentence.doc_id, (row, row))
            by_doc[sentence.doc_id] = (first, row + 1)
        return SentenceTable(items=items, vectors=matrix, by_doc=by_doc)

    def page(self, doc: str, page_no: int) -> Page | None:
        with self._lock:
            return self.catalog.page(doc, page_no)

    def pages(self, doc: str) -> list[Page]:
        with self._lock:
            return self.catalog.pages(doc)


_LIBRARIES: dict[tuple[str, str, str], Library] = {}
_LIBRARIES_LOCK = threading.Lock()


def open_library(settings: Settings, *, fresh: bool = False) -> Library:
    """The process-wide library for this data dir; ``fresh`` reloads after an ingest."""
    key = (str(settings.data_dir), settings.embedder, settings.st_model)
    with _LIBRARIES_LOCK:
        if fresh or key not in _LIBRARIES:
            _LIBRARIES[key] = Library(settings)
        return _LIBRARIES[key]
