"""The LangChain tutorial pipeline, as the baseline to beat: PyPDFLoader text,
RecursiveCharacterTextSplitter(1000, 200), the same embedder, Chroma similarity search.

Its vectors are cached in the project's embedding cache (keyed by model and text), so repeated
`lotse eval` runs do not embed the baseline twice."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ingest.catalog import Catalog
from ingest.embed import LotseEmbeddings, text_key
from ingest.settings import Settings


class CachedEmbeddings(LotseEmbeddings):
    """Wraps the real embedder with the catalog's text-keyed cache."""

    def __init__(self, inner: LotseEmbeddings, catalog: Catalog) -> None:
        super().__init__()
        self.inner, self.catalog = inner, catalog
        self.name, self.dim = inner.name, inner.dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [text_key(self.name, t) for t in texts]
        cached = self.catalog.cached_vectors(keys)
        missing = [i for i, k in enumerate(keys) if k not in cached]
        for start in range(0, len(missing), 32):
            batch = missing[start : start + 32]
            vectors = self.inner.embed_documents_array([texts[i] for i in batch])
            fresh = {keys[i]: vectors[row] for row, i in enumerate(batch)}
            self.catalog.cache_vectors(fresh)
            cached.update(fresh)
        return [cached[k].tolist() for k in keys]

    def _embed_query_uncached(self, text: str) -> np.ndarray:
        return self.inner.embed_query_array(text)


class TutorialPipeline:
    """PyPDFLoader → RecursiveCharacterTextSplitter(1000, 200) → Chroma (in memory)."""

    def __init__(self, corpus_dir: Path, settings: Settings, embedder: LotseEmbeddings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_community.document_loaders import PyPDFLoader
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        documents: list[Any] = []
        for pdf in sorted(corpus_dir.glob("*.pdf")):
            pages = PyPDFLoader(str(pdf)).load()
            for page in pages:
                page.metadata = {"doc": pdf.name, "page": int(page.metadata.get("page", 0)) + 1}
            documents.extend(splitter.split_documents(pages))
        self.catalog = Catalog(settings.catalog_path)
        embeddings = CachedEmbeddings(embedder, self.catalog)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name="tutorial_baseline", embedding_function=embeddings)
        self.store.add_documents(documents)
        self.size = len(documents)

    def search(self, question: str, k: int) -> list[tuple[str, int, str]]:
        """(doc, page, text) of the top-k chunks."""
        return [
            (d.metadata["doc"], d.metadata["page"], d.page_content) for d in self.store.similarity_search(question, k)
        ]
