"""The Chroma store: embedder name and dimension recorded, a mismatch refused, ``--reindex`` fixes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.embed import FakeEmbeddings
from ingest.errors import IndexMismatchError
from ingest.pipeline import ingest_paths
from ingest.settings import Settings
from ingest.store import COLLECTION, VectorStore, make_client
from tests.data import pdfgen
from tests.helpers import (
    CountingEmbeddings,
    assert_consistent,
    catalog_ids,
    chroma_ids,
    documents,
    small_chunk_settings,
)


class OtherEmbeddings(FakeEmbeddings):
    """Another model: another name and dimension."""

    name = "fake/other-model-32"
    dim = 32

    def embed_documents_array(self, texts: list[str]) -> np.ndarray:
        return super().embed_documents_array(texts)[:, :32] + 0.01


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return small_chunk_settings(tmp_path / "data")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    return folder


def test_collection_records_embedder_and_dimension(settings: Settings) -> None:
    store = VectorStore(settings, FakeEmbeddings())
    assert store.collection.name == COLLECTION
    assert store.collection.metadata["embedder"] == "fake/hashed-bow-64"
    assert store.collection.metadata["dim"] == 64
    assert store.count() == 0
    assert (settings.data_dir / "chroma").is_dir()
    assert make_client(settings).get_settings().anonymized_telemetry is False


def test_upsert_query_and_delete(settings: Settings) -> None:
    embedder = FakeEmbeddings()
    store = VectorStore(settings, embedder)
    texts = ["Handwerk und Cluster", "Corona und Homeoffice", "Indikatoren der Exzellenz"]
    store.upsert(
        ["a", "b", "c"], embedder.embed_documents_array(texts), [{"doc": "x.pdf", "page": i} for i in range(3)]
    )
    store.upsert(["a"], embedder.embed_documents_array(texts[:1]), [{"doc": "x.pdf", "page": 0}])  # no duplicate
    assert store.ids() == {"a", "b", "c"}
    hits = store.query(embedder.embed_query_array("Corona und Homeoffice"), k=2)
    assert hits[0][0] == "b" and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(hits) == 2 and hits[0][1] >= hits[1][1]
    assert store.query(embedder.embed_query_array("Handwerk"), k=5, doc="y.pdf") == []
    store.delete(["b"])
    assert store.ids() == {"a", "c"}
    # a second client on the same folder sees the same vectors (persisted, not in memory)
    assert VectorStore(settings, FakeEmbeddings()).ids() == {"a", "c"}


def test_another_embedder_on_the_same_index_is_refused_with_a_hint(settings: Settings, folder: Path) -> None:
    assert ingest_paths([folder], settings).ok
    with pytest.raises(IndexMismatchError) as caught:
        VectorStore(settings, OtherEmbeddings())
    message = str(caught.value)
    assert "fake/hashed-bow-64" in message and "64" in message
    assert "fake/other-model-32" in message and "32" in message
    assert "neu indizieren" in message and "--reindex" in message
    # the pipeline refuses too, before touching anything
    before = catalog_ids(settings)
    with pytest.raises(IndexMismatchError):
        ingest_paths([folder], settings, embedder=OtherEmbeddings())
    assert catalog_ids(settings) == before == chroma_ids(settings)


def test_reindex_switches_the_embedder(settings: Settings, folder: Path) -> None:
    assert ingest_paths([folder], settings).ok
    old_ids = catalog_ids(settings)
    other = OtherEmbeddings()
    report = ingest_paths([folder], settings, reindex=True, embedder=other)
    assert sorted(o.status for o in report.outcomes) == ["added", "added"]
    store = VectorStore(settings, other)
    assert store.collection.metadata == {"embedder": "fake/other-model-32", "dim": 32}
    assert store.ids() == catalog_ids(settings) == old_ids  # ids come from content, not from the model
    assert_consistent(settings, other)
    with pytest.raises(IndexMismatchError):
        VectorStore(settings, FakeEmbeddings())


def test_reindex_embeds_nothing_the_cache_already_holds(settings: Settings, folder: Path) -> None:
    first = CountingEmbeddings()
    assert ingest_paths([folder], settings, embedder=first).ok
    assert first.calls > 0
    again = CountingEmbeddings()
    report = ingest_paths([folder], settings, reindex=True, embedder=again)
    assert [o.status for o in report.outcomes] == ["added", "added"]
    assert again.calls == 0  # the same texts were never embedded twice by the same model
    assert_consistent(settings)
    assert set(documents(settings)) == {"eins.pdf", "zwei.pdf"}
