"""The dense index in Chroma (embedded ``PersistentClient``, or a ``chroma run`` server).

The collection records the embedder's name and dimension; opening it with another embedder is
an :class:`IndexMismatchError`, never silently mixed vectors. Chroma never sees its default
embedding function (which would download a model): the project's own is always passed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings

from ingest.embed import LotseEmbeddings
from ingest.errors import ConfigError, IndexMismatchError
from ingest.settings import Settings

COLLECTION = "lotse_chunks"

# Chroma tries to rebuild the collection's embedding function from its stored config on every
# call and warns that it cannot; the project always passes its embedder itself, so that is expected.
warnings.filterwarnings("ignore", message="Could not reconstruct embedding function clusterlotse", category=UserWarning)


class _ProjectEmbeddingFunction(EmbeddingFunction[Documents]):
    def __init__(self, embedder: LotseEmbeddings) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(self._embedder.embed_documents_array(list(input)))

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        return [self._embedder.embed_query_array(text) for text in input]

    @staticmethod
    def name() -> str:
        return "clusterlotse"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ProjectEmbeddingFunction:
        raise NotImplementedError("Clusterlotse passes its embedder explicitly")

    def is_legacy(self) -> bool:
        return False


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_host:
        address = f"{settings.chroma_host}:{settings.chroma_port}"
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, TLS, wrong service: all mean the same to a user
            raise ConfigError(
                f"Der Chroma-Server unter {address} ist nicht erreichbar ({type(exc).__name__}). "
                "Starten Sie ihn (`chroma run --path <Ordner> --port <Port>`) oder entfernen Sie "
                "LOTSE_CHROMA_HOST, um den eingebetteten Speicher im Datenordner zu nutzen."
            ) from exc
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class VectorStore:
    def __init__(self, settings: Settings, embedder: LotseEmbeddings) -> None:
        self.embedder = embedder
        self.client = make_client(settings)
        self._function = _ProjectEmbeddingFunction(embedder)
        self.collection = self._open()

    def _open(self) -> Any:
        existing = {c.name: c for c in self.client.list_collections()}
        if COLLECTION in existing:
            meta = existing[COLLECTION].metadata or {}
            if meta.get("embedder") != self.embedder.name or int(meta.get("dim", -1)) != self.embedder.dim:
                raise IndexMismatchError(
                    f"Der Index wurde mit '{meta.get('embedder')}' ({meta.get('dim')} Dim.) gebaut, "
                    f"eingestellt ist '{self.embedder.name}' ({self.embedder.dim} Dim.). "
                    "Bitte neu indizieren: `lotse ingest --reindex` (oder LOTSE_EMBEDDER zurücksetzen)."
                )
        return self.client.get_or_create_collection(
            name=COLLECTION,
            embedding_function=self._function,
            metadata={"embedder": self.embedder.name, "dim": self.embedder.dim},
            configuration={"hnsw": {"space": "cosine"}},
        )

    def reset(self) -> None:
        names = {c.name for c in self.client.list_collections()}
        if COLLECTION in names:
            self.client.delete_collection(COLLECTION)
        self.collection = self._open()

    def count(self) -> int:
        return int(self.collection.count())

    def ids(self) -> set[str]:
        result = self.collection.get(include=[])
        return set(result["ids"])

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(ids), 256):
            end = start + 256
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                metadatas=list(metadatas[start:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 500):
            self.collection.delete(ids=list(ids[start : start + 500]))

    def query(self, vector: np.ndarray, k: int, doc: str | None = None) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity (1 - distance)."""
        total = self.count()
        if total == 0:
            return []
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(k, total),
            where={"doc": doc} if doc else None,
            include=["distances"],
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]
