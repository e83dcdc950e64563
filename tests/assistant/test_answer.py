"""The extractive answerer: citations are data (verbatim, on the page where the sentence
stands), every statement carries [n], abstention is a typed answer."""

from __future__ import annotations

import re

import pytest

from assistant.answer import (
    AnswerSettings,
    ExtractiveAnswerer,
    ScoredSentence,
    cite,
    compose,
    question_kind,
    standalone_first,
)
from assistant.library import Library, open_library
from assistant.retrieve import HybridRetriever
from assistant.service import Assistant
from assistant.types import NOT_IN_DOCUMENTS, Answer, Passage
from ingest.settings import Settings
from ingest.types import Sentence
from tests.helpers import TRENDATLAS


def assert_well_cited(settings: Settings, answer: Answer) -> None:
    library = open_library(settings)
    assert answer.citations, answer
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert set(numbers) == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for line in filter(None, answer.text.split("\n")):
        assert re.search(r"\[\d+\]$", line.strip()), f"statement without [n]: {line}"
    for c in answer.citations:
        page = library.page(c.doc, c.page)
        assert page is not None and c.quote in page.text, c
        assert c.chunk_id in library.chunks
        chunk = library.chunks[c.chunk_id]
        assert chunk.page_start <= c.page <= chunk.page_end


def _passage_of(library: Library, sentence: Sentence) -> Passage:
    """The passage of the chunk a sentence stands in, as retrieval would hand it on."""
    chunk = next(
        c
        for c in library.chunks.values()
        if c.doc_id == sentence.doc_id and c.char_start <= sentence.char_start < c.char_end
    )
    return Passage(chunk.id, chunk.doc_id, chunk.doc_title, chunk.page_start, chunk.page_end, chunk.text, 1.0)


def test_answer_cites_verbatim(fake_index: Settings) -> None:
    answer = Assistant(fake_index).ask("Welche Rolle spielen Handwerkskammern in Clusterinitiativen?")
    assert not answer.abstained
    assert_well_cited(fake_index, answer)


def test_the_question_is_embedded_once_per_answer(fake_index: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = open_library(fake_index).embedder
    asked: list[str] = []
    inner = embedder._embed_query_uncached

    def counting(text: str):  # type: ignore[no-untyped-def]
        asked.append(text)
        return inner(text)

    monkeypatch.setattr(embedder, "_embed_query_uncached", counting)
    Assistant(fake_index).ask("Wie finanzieren sich Clusterinitiativen nach der Anschubförderung?")
    assert asked == ["Wie finanzieren sich Clusterinitiativen nach der Anschubförderung?"]


@pytest.mark.parametrize("style", ["default", "advisor", "manager", "evaluator"])
def test_every_style_keeps_the_citation_rules(fake_index: Settings, style: str) -> None:
    answer = Assistant(fake_index).ask("Welche Erfolgsfaktoren gibt es für Clustermanagement?", style=style)  # type: ignore[arg-type]
    assert_well_cited(fake_index, answer)
    if style == "evaluator":
        assert all(line.startswith("„") for line in answer.text.split("\n"))
    if style == "advisor":
        assert len(answer.citations) <= 3


def test_abstention_is_typed_and_has_no_sources(fake_index: Settings) -> None:
    strict = fake_index.model_copy(update={"abstain_below": 99.0})
    answer = ExtractiveAnswerer(HybridRetriever(settings=strict)).answer("Was kostet ein Cluster?")
    assert answer.abstained
    assert answer.citations == ()
    assert answer.text.startswith(NOT_IN_DOCUMENTS)


def test_question_kinds() -> None:
    assert question_kind("Wie viele Mitarbeiter hat das Clustermanagement?") == (True, False)
    assert question_kind("Welche Erfolgsfaktoren nennt die Studie?")[1]
    assert question_kind("How many members does a cluster have?")[0]


def test_near_duplicates_are_merged(fake_index: Settings) -> None:
    config = AnswerSettings(max_list_items=8, relative_cutoff=0.0)
    answerer = ExtractiveAnswerer(HybridRetriever(settings=fake_index), config)
    answer = answerer.answer("Welche Ziele verfolgt die Clusterpolitik?")
    quotes = [" ".join(c.quote.split()).lower() for c in answer.citations]
    assert len(quotes) == len(set(quotes))


@pytest.mark.slow
def test_cited_page_is_where_the_sentence_stands(real_index: Settings) -> None:
    """A sentence on the second page of a two-page chunk is cited with the second page."""
    library = open_library(real_index)
    table = library.sentences
    chunk = next(
        c
        for c in library.chunks.values()
        if c.page_end > c.page_start
        and c.doc_id == TRENDATLAS
        and any(
            len(s.text) > 120 and s.page_no == c.page_end
            for s in (table.items[r] for r in table.rows_in(c.doc_id, c.char_start, c.char_end))
        )
    )
    sentence = next(
        s
        for s in (table.items[r] for r in table.rows_in(chunk.doc_id, chunk.char_start, chunk.char_end))
        if len(s.text) > 120 and s.page_no == chunk.page_end
    )
    answer = Assistant(real_index).ask(sentence.text)
    cited = [c for c in answer.citations if c.quote == sentence.text]
    assert cited and cited[0].page == chunk.page_end != chunk.page_start


@pytest.mark.slow
def test_real_answer_for_advisor_question(real_index: Settings) -> None:
    answer = Assistant(real_index).ask("Auf wie vielen Qualitätskriterien basiert die ECEI-Analyse?")
    assert not answer.abstained
    assert_well_cited(real_index, answer)
    assert any(c.doc == TRENDATLAS and "31" in c.quote for c in answer.citations)


@pytest.mark.slow
def test_off_domain_question_abstains(real_index: Settings) -> None:
    answer = Assistant(real_index).ask("Welche Zutaten braucht man für eine Pizza Margherita?")
    assert answer.abstained and not answer.citations


def test_a_sentence_cut_by_a_page_break_is_given_whole_with_a_citation_per_page(fake_index: Settings) -> None:
    library = open_library(fake_index)
    table = library.sentences
    row = next(
        r
        for r in range(len(table.items))
        if len(span := table.whole_sentence(r)) == 2
        and table.items[span[1]].page_no == table.items[span[0]].page_no + 1
        and r == span[0]
        and not table.continuation_after(span[1])  # that case is tested below
    )
    first, second = table.items[row], table.items[row + 1]
    passage = _passage_of(library, first)
    for chosen_row in (row, row + 1):  # whichever half was chosen, the statement is the whole sentence
        scored = ScoredSentence(table.items[chosen_row], passage, chosen_row, 1.0, 0.9, 0.5)
        citations, statements = cite(library, [scored])
        assert [c.page for c in citations] == [first.page_no, first.page_no + 1]
        assert [c.quote for c in citations] == [first.text, second.text]
        assert statements[0].numbers == (1, 2)
        assert statements[0].text == " ".join(first.text.split()) + " " + " ".join(second.text.split())
        assert compose("Frage?", statements, "default").endswith("[1][2]")


def test_a_lead_that_announces_a_list_is_given_with_its_items_in_one_verbatim_quote(fake_index: Settings) -> None:
    library = open_library(fake_index)
    table = library.sentences
    row = next(r for r in range(len(table.items)) if len(table.list_items_after(r)) >= 2)
    items = table.list_items_after(row)
    lead = table.items[row]
    passage = _passage_of(library, lead)
    citations, statements = cite(library, [ScoredSentence(lead, passage, row, 1.0, 0.9, 0.5)])
    (citation,) = citations
    page = library.page(lead.doc_id, lead.page_no)
    assert page is not None and citation.quote in page.text and citation.page == lead.page_no
    assert citation.quote.startswith(lead.text) and citation.quote.endswith(table.items[items[-1]].text)
    assert all(" ".join(table.items[r].text.split()) in statements[0].text for r in items)
    # an item chosen on its own later is not given twice
    again = ScoredSentence(table.items[items[0]], passage, items[0], 0.9, 0.9, 0.5)
    assert len(cite(library, [ScoredSentence(lead, passage, row, 1.0, 0.9, 0.5), again])[1]) == 1


@pytest.mark.parametrize(
    "question",
    [
        "Wie viele Clusterinitiativen gibt es in Deutschland?",
        "Welche Erfolgsfaktoren gibt es für Clustermanagement?",
        "Was bringt ein Cluster meinen Mitgliedsbetrieben?",
    ],
)
def test_headings_and_questions_are_never_answer_statements(fake_index: Settings, question: str) -> None:
    evidence = ExtractiveAnswerer(HybridRetriever(settings=fake_index)).gather(question)
    assert evidence.ranked
    for scored in evidence.ranked:
        text = scored.sentence.text.rstrip()
        assert not text.endswith("?"), text
        assert len(text) >= 120 or re.search(r"[.!:;,“\"”)]$", text) or re.match(r"[•·▪■●◦\-–]|\d{1,2}[.)]\s", text), (
            text
        )


def test_a_sentence_is_given_with_the_next_one_when_that_points_back(fake_index: Settings) -> None:
    library = open_library(fake_index)
    table = library.sentences
    row = next(
        r
        for r in range(len(table.items))
        if table.continuation_after(r) and table.whole_sentence(r) == (r,) and not table.list_items_after(r)
    )
    lead, following = table.items[row], table.items[row + 1]
    passage = _passage_of(library, lead)
    citations, statements = cite(library, [ScoredSentence(lead, passage, row, 1.0, 0.9, 0.5)])
    (citation,) = citations
    page = library.page(lead.doc_id, lead.page_no)
    assert page is not None and citation.quote in page.text
    assert citation.quote.startswith(lead.text) and citation.quote.endswith(following.text)
    assert statements[0].text.endswith(" ".join(following.text.split()))


def test_an_answer_never_opens_with_a_sentence_that_only_adds_to_another(fake_index: Settings) -> None:
    library = open_library(fake_index)
    items = library.sentences.items
    adding = next(r for r, s in enumerate(items) if s.text.startswith("Zudem "))
    plain = next(r for r, s in enumerate(items) if s.text.startswith("Cluster") and r > adding)
    later = next(r for r, s in enumerate(items) if s.text.startswith("Cluster") and r > plain)
    scored = [
        ScoredSentence(items[r], _passage_of(library, items[r]), r, 1.0, 0.9, 0.5) for r in (adding, plain, later)
    ]
    assert [s.row for s in standalone_first(scored)] == [plain, adding, later]
    assert [s.row for s in standalone_first(scored[1:])] == [plain, later]  # nothing to move
    assert [s.row for s in standalone_first(scored[:1])] == [adding]  # nothing else to open with
