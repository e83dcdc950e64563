"""Frozen value types of the ingest step. The citation is data: every chunk knows its pages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One cleaned page. ``page_no`` is 1-based as a PDF viewer prints it.

    ``line_offsets[i]`` is where the i-th kept source line starts in ``text`` so a UI can mark lines.
    """

    doc_id: str
    page_no: int
    text: str
    line_offsets: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage of one document. ``char_start``/``char_end`` index the document text
    (the page texts joined in order, see :class:`CleanDocument`)."""

    id: str
    doc_id: str
    doc_title: str
    source_file: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str
    heading: str = ""

    @property
    def embed_text(self) -> str:
        """What the embedder sees: title and section give context; the stored quote stays clean."""
        context = self.doc_title if not self.heading else f"{self.doc_title} – {self.heading}"
        return f"{context}\n{self.text}"


@dataclass(frozen=True)
class Sentence:
    """One sentence (or a cut piece of an over-long line). It always lies on one page, so its
    text is a verbatim quote of ``page_no``."""

    doc_id: str
    seq: int
    page_no: int
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True)
class RawDocument:
    """What the reader got out of a PDF: one list of text lines per page."""

    doc_id: str
    title: str
    source_file: str
    sha256: str
    pages: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class CleanDocument:
    """Cleaned pages plus the joined document text and where each page sits inside it."""

    doc_id: str
    title: str
    source_file: str
    sha256: str
    pages: tuple[Page, ...]
    text: str
    page_starts: tuple[int, ...]
    headings: tuple[tuple[int, str], ...] = field(default=())

    def page_at(self, offset: int) -> int:
        """1-based page number of the character at ``offset`` in :attr:`text`."""
        page_no = 1
        for index, start in enumerate(self.page_starts):
            if start <= offset:
                page_no = index + 1
            else:
                break
        return page_no

    def heading_at(self, offset: int) -> str:
        current = ""
        for start, heading in self.headings:
            if start <= offset:
                current = heading
            else:
                break
        return current


@dataclass(frozen=True)
class DocumentInfo:
    """A row of the manifest: one ingested document."""

    doc: str
    title: str
    pages: int
    chunks: int
    sha256: str
    ingested_at: str


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file in an ingest run."""

    doc: str
    status: str  # added | unchanged | replaced | removed | failed | missing
    reason: str = ""
    pages: int = 0
    chunks: int = 0


@dataclass(frozen=True)
class IngestReport:
    outcomes: tuple[FileOutcome, ...]
    timings: tuple[tuple[str, float], ...] = ()

    def by_status(self, status: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.by_status("failed")
