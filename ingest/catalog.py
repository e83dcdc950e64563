"""The catalog: one SQLite file with the manifest, the cleaned pages, the chunks with their
lexical terms (the persisted lexical index) and the embedding cache.

SQLite transactions make a document's replacement atomic: a killed ingest leaves either the
old or the new version, and the manifest row is written in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ingest.types import Chunk, CleanDocument, DocumentInfo, Page, Sentence

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY, title TEXT NOT NULL, source_file TEXT NOT NULL, sha256 TEXT NOT NULL,
    pages INTEGER NOT NULL, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc TEXT NOT NULL, page_no INTEGER NOT NULL, text TEXT NOT NULL, line_offsets TEXT NOT NULL,
    PRIMARY KEY (doc, page_no)
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc TEXT NOT NULL, title TEXT NOT NULL, source_file TEXT NOT NULL,
    page_start INTEGER NOT NULL, page_end INTEGER NOT NULL, char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL, terms TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc, seq);
CREATE TABLE IF NOT EXISTS sentences (
    doc TEXT NOT NULL, seq INTEGER NOT NULL, page_no INTEGER NOT NULL, char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (doc, seq)
);
CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StoredChunk:
    chunk: Chunk
    terms: tuple[str, ...]


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # --- manifest -------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(
            "SELECT doc, title, pages, chunks, sha256, ingested_at FROM documents ORDER BY doc"
        ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc: str) -> DocumentInfo | None:
        row = self._db.execute(
            "SELECT doc, title, pages, chunks, sha256, ingested_at FROM documents WHERE doc = ?", (doc,)
        ).fetchone()
        return DocumentInfo(*row) if row else None

    def source_file(self, doc: str) -> str | None:
        row = self._db.execute("SELECT source_file FROM documents WHERE doc = ?", (doc,)).fetchone()
        return str(row[0]) if row else None

    def replace_document(
        self, doc: CleanDocument, chunks: list[Chunk], terms: list[list[str]], sentences: list[Sentence]
    ) -> None:
        """Swap in a document's pages, chunks and manifest row in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            self._delete_rows(db, doc.doc_id)
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?, ?)",
                [(p.doc_id, p.page_no, p.text, json.dumps(p.line_offsets)) for p in doc.pages],
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.doc_id,
                        c.doc_title,
                        c.source_file,
                        c.page_start,
                        c.page_end,
                        c.char_start,
                        c.char_end,
                        c.heading,
                        c.text,
                        json.dumps(t, ensure_ascii=False),
                        seq,
                    )
                    for seq, (c, t) in enumerate(zip(chunks, terms))
                ],
            )
            db.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                [(x.doc_id, x.seq, x.page_no, x.char_start, x.char_end, x.text) for x in sentences],
            )
            db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.doc_id, doc.title, doc.source_file, doc.sha256, len(doc.pages), len(chunks), now),
            )

    def remove_document(self, doc: str) -> None:
        with self.transaction() as db:
            self._delete_rows(db, doc)

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, doc: str) -> None:
        for table in ("documents", "pages", "chunks", "sentences"):
            db.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))  # noqa: S608 - fixed table names

    # --- pages and chunks -----------------------------------------------------------------
    def pages(self, doc: str) -> list[Page]:
        rows = self._db.execute(
            "SELECT doc, page_no, text, line_offsets FROM pages WHERE doc = ? ORDER BY page_no", (doc,)
        ).fetchall()
        return [Page(r[0], r[1], r[2], tuple(json.loads(r[3]))) for r in rows]

    def page(self, doc: str, page_no: int) -> Page | None:
        row = self._db.execute(
            "SELECT doc, page_no, text, line_offsets FROM pages WHERE doc = ? AND page_no = ?", (doc, page_no)
        ).fetchone()
        return Page(row[0], row[1], row[2], tuple(json.loads(row[3]))) if row else None

    def chunks(self, doc: str | None = None) -> list[StoredChunk]:
        query = (
            "SELECT id, doc, title, source_file, page_start, page_end, char_start, char_end, heading, text, terms"
            " FROM chunks"
        )
        params: tuple[str, ...] = ()
        if doc is not None:
            query += " WHERE doc = ?"
            params = (doc,)
        rows = self._db.execute(query + " ORDER BY doc, seq", params).fetchall()
        return [
            StoredChunk(
                chunk=Chunk(
                    id=r[0],
                    doc_id=r[1],
                    doc_title=r[2],
                    source_file=r[3],
                    page_start=r[4],
                    page_end=r[5],
                    char_start=r[6],
                    char_end=r[7],
                    heading=r[8],
                    text=r[9],
                ),
                terms=tuple(json.loads(r[10])),
            )
            for r in rows
        ]

    def chunk_ids(self, doc: str | None = None) -> set[str]:
        if doc is None:
            return {r[0] for r in self._db.execute("SELECT id FROM chunks")}
        return {r[0] for r in self._db.execute("SELECT id FROM chunks WHERE doc = ?", (doc,))}

    def sentences(self, doc: str | None = None) -> list[Sentence]:
        query = "SELECT doc, seq, page_no, char_start, char_end, text FROM sentences"
        params: tuple[str, ...] = ()
        if doc is not None:
            query += " WHERE doc = ?"
            params = (doc,)
        return [Sentence(*row) for row in self._db.execute(query + " ORDER BY doc, seq", params)]

    # --- embedding cache ------------------------------------------------------------------
    def cached_vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        key_list = list(keys)
        for start in range(0, len(key_list), 500):
            batch = key_list[start : start + 500]
            marks = ",".join("?" * len(batch))
            for key, blob in self._db.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})",  # noqa: S608 - only "?" marks
                batch,
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?)",
                [(key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()],
            )

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
