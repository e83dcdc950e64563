"""Hybrid retrieval: LangChain's standard retriever suite, the doc filter, every mode, and (slow,
real embedder) that German compounds and English questions find their German passages."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieve import HybridRetriever
from ingest.settings import Settings
from tests.helpers import HANDWERK, TRENDATLAS


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's own contract for retrievers (k in the constructor and per call, async, ...)."""

    @pytest.fixture(autouse=True)
    def _index(self, fake_index: Settings) -> None:
        type(self).index_settings = fake_index

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"settings": type(self).index_settings}

    @property
    def retriever_query_example(self) -> str:
        return "Was bringt ein Cluster den Handwerksbetrieben?"


@pytest.mark.parametrize("mode", ["hybrid", "rrf", "dense", "lexical", "sentence"])
def test_every_mode_returns_k_passages_with_provenance(fake_index: Settings, mode: str) -> None:
    retriever = HybridRetriever(settings=fake_index, mode=mode, k=4)  # type: ignore[arg-type]
    passages = retriever.search("Handwerksbetriebe und Kammern in Clusterinitiativen")
    assert len(passages) == 4
    for p in passages:
        assert p.doc.endswith(".pdf") and 1 <= p.page <= p.page_end
        assert p.chunk_id in retriever.library.chunks
        assert p.text == retriever.library.chunks[p.chunk_id].text
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_doc_filter_keeps_one_document(fake_index: Settings) -> None:
    retriever = HybridRetriever(settings=fake_index)
    documents = retriever.invoke("Clustermanagement Finanzierung", k=6, doc=TRENDATLAS)
    assert len(documents) == 6
    assert all(isinstance(d, Document) and d.metadata["doc"] == TRENDATLAS for d in documents)
    assert set(documents[0].metadata) == {"doc", "title", "page", "page_end", "score", "chunk_id"}


@pytest.mark.slow
def test_compound_meets_its_parts(real_index: Settings) -> None:
    """A compound in the question ("Handwerksbetriebe"), its parts in the corpus text:
    the lexical side alone must find Handwerk passages."""
    retriever = HybridRetriever(settings=real_index, mode="lexical", k=5)
    passages = retriever.search("Betriebe des Handwerks in Clusterinitiativen")
    assert passages and all(p.lexical > 0 for p in passages)
    assert sum(p.doc == HANDWERK for p in passages) >= 3


@pytest.mark.slow
def test_english_question_finds_german_passage(real_index: Settings) -> None:
    retriever = HybridRetriever(settings=real_index, k=5)
    passages = retriever.search("How many quality criteria does the ECEI benchmarking analysis use?")
    assert any(p.doc == TRENDATLAS and "31 Qualitätskriterien" in p.text for p in passages)


@pytest.mark.slow
def test_every_part_and_the_fusion_find_a_paraphrased_fact(real_index: Settings) -> None:
    """Fusion is not better on every single question (that is measured over the gold set in
    `lotse eval`), but it must not lose what each part finds at the top."""
    question = "Auf wie vielen Qualitätskriterien beruht die vergleichende Analyse der Clusterinitiativen?"
    for mode in ("hybrid", "dense", "lexical"):
        passages = HybridRetriever(settings=real_index, mode=mode, k=5).search(question)  # type: ignore[arg-type]
        assert any("31 Qualitätskriterien" in p.text for p in passages), mode
