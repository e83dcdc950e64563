"""Frozen value types of the assistant. A citation is built from stored data, never typed by a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NOT_IN_DOCUMENTS = "Nicht in den Dokumenten"


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score (higher is better)."""

    chunk_id: str
    doc: str
    title: str
    page: int
    page_end: int
    text: str
    score: float
    dense: float = 0.0  # cosine similarity to the question, 0 when not computed
    lexical: float = 0.0  # BM25 score, 0 when the chunk had no lexical hit

    def as_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "title": self.title,
            "page": self.page,
            "page_end": self.page_end,
            "text": self.text,
            "score": round(self.score, 6),
            "chunk_id": self.chunk_id,
        }


@dataclass(frozen=True)
class Citation:
    """``quote`` is a verbatim substring of the stored text of page ``page`` of ``doc``."""

    n: int
    doc: str
    title: str
    page: int
    quote: str
    chunk_id: str

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc": self.doc,
            "title": self.title,
            "page": self.page,
            "quote": self.quote,
            "chunk_id": self.chunk_id,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    backend: str = "extractive"
    confidence: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.as_json() for c in self.citations],
        }


ItemKind = Literal["indicator", "recommendation"]
# the kind-specific fields of a checklist item (besides found_by)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "indicator": ("name", "definition", "value", "category"),
    "recommendation": ("recommendation", "addressee", "type"),
}


@dataclass(frozen=True)
class ChecklistItem:
    """One extracted indicator or recommendation with its source. ``fields`` holds the
    kind-specific values (indicator: name, definition, value, category; recommendation:
    recommendation, addressee, type)."""

    id: str
    kind: ItemKind
    doc: str
    title: str
    page: int
    quote: str
    fields: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "doc": self.doc,
            "page": self.page,
            "quote": self.quote,
            "title": self.title,
            **self.fields,
        }


VerdictLabel = Literal["supported", "contradicted", "not_found"]


@dataclass(frozen=True)
class Verdict:
    claim: str
    verdict: VerdictLabel
    evidence: tuple[Citation, ...] = ()
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "verdict": self.verdict,
            "evidence": [c.as_json() for c in self.evidence],
            "reason": self.reason,
        }
