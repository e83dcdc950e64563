"""Sentence-aware chunks with provenance. A chunk never crosses documents; its id is content-derived."""

from __future__ import annotations

import hashlib

from ingest.sentences import sentence_spans
from ingest.settings import Settings
from ingest.types import Chunk, CleanDocument, Sentence


def chunk_id(doc_sha256: str, start: int, end: int, text: str) -> str:
    return hashlib.sha256(f"{doc_sha256}|{start}|{end}|{text}".encode()).hexdigest()[:32]


def _split_long(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long "sentence" (flattened tables, lists) at spaces."""
    pieces = []
    while end - start > limit:
        cut = text.rfind(" ", start, start + limit)
        if cut <= start:
            cut = start + limit
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def sentence_units(doc: CleanDocument, settings: Settings) -> list[Sentence]:
    """Sentences of the document; over-long ones (flattened tables) cut at spaces."""
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(doc.text):
        units.extend(_split_long(start, end, doc.text, settings.chunk_max_chars))
    return [
        Sentence(doc.doc_id, seq, doc.page_at(start), start, end, doc.text[start:end])
        for seq, (start, end) in enumerate(units)
    ]


def chunk_document(doc: CleanDocument, settings: Settings, sentences: list[Sentence] | None = None) -> list[Chunk]:
    text = doc.text
    if sentences is None:
        sentences = sentence_units(doc, settings)
    units = [(s.char_start, s.char_end) for s in sentences]
    heading_starts = {start for start, _ in doc.headings}

    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for unit in units:
        size = unit[1] - current[0][0] if current else 0
        at_heading = unit[0] in heading_starts
        too_big = current and unit[1] - current[0][0] > settings.chunk_max_chars
        full = current and size >= settings.chunk_target_chars
        section_break = current and at_heading and size >= 0.4 * settings.chunk_target_chars
        if too_big or full or section_break:
            groups.append(current)
            overlap = (
                []
                if section_break
                else current[-settings.chunk_overlap_sentences :]
                if settings.chunk_overlap_sentences
                else []
            )
            # overlap only when it leaves room for new text
            overlap = [u for u in overlap if unit[1] - u[0] <= settings.chunk_max_chars // 2]
            current = overlap
        current.append(unit)
    if current:
        groups.append(current)

    chunks = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        body = text[start:end]
        chunks.append(
            Chunk(
                id=chunk_id(doc.sha256, start, end, body),
                doc_id=doc.doc_id,
                doc_title=doc.title,
                source_file=doc.source_file,
                page_start=doc.page_at(start),
                page_end=doc.page_at(end - 1),
                char_start=start,
                char_end=end,
                text=body,
                heading=doc.heading_at(start),
            )
        )
    return chunks
