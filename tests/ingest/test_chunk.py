"""Sentence-aware chunks with provenance: sizes, pages, offsets, ids and the embedded text."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ingest.catalog import Catalog
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.pipeline import ingest_paths
from ingest.read import read_pdf
from ingest.sentences import sentence_spans
from ingest.settings import Settings
from ingest.types import Chunk, CleanDocument
from tests.data import pdfgen
from tests.helpers import CORPUS_DIR, CORPUS_PAGES, HANDWERK, RUNNING_HEADERS, STATUS_QUO, TRENDATLAS, make_settings


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


# --- sentences ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Das gilt z. B. für Betriebe im Handwerk. Der zweite Satz folgt.",
            ["Das gilt z. B. für Betriebe im Handwerk.", "Der zweite Satz folgt."],
        ),
        (
            "Handwerksbetriebe sind z.B. klein. Sie arbeiten regional.",
            ["Handwerksbetriebe sind z.B. klein.", "Sie arbeiten regional."],
        ),
        ("Siehe Nr. 3 der Liste. Danach kommt mehr.", ["Siehe Nr. 3 der Liste.", "Danach kommt mehr."]),
        (
            "Am 1. Mai 2020 begann die Befragung. Sie lief vier Wochen.",
            ["Am 1. Mai 2020 begann die Befragung.", "Sie lief vier Wochen."],
        ),
        (
            "Die Studie (2012) zeigt dies. Der 3. Abschnitt folgt.",
            ["Die Studie (2012) zeigt dies.", "Der 3. Abschnitt folgt."],
        ),
    ],
)
def test_abbreviations_and_ordinals_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_newline_always_ends_a_sentence_and_spans_are_trimmed() -> None:
    text = "  Erster Satz.\nZweiter Absatz ohne Punkt\n\n1.4.2. Cluster und Handwerk\nDritter Satz.  "
    assert sentences(text) == [
        "Erster Satz.",
        "Zweiter Absatz ohne Punkt",
        "1.4.2. Cluster und Handwerk",
        "Dritter Satz.",
    ]
    for start, end in sentence_spans(text):
        assert not text[start].isspace() and not text[end - 1].isspace()


# --- chunks of the real corpus --------------------------------------------------------------------
@pytest.fixture(scope="module")
def stored(fake_index: Settings) -> dict[str, list[Chunk]]:
    catalog = Catalog(fake_index.catalog_path)
    try:
        return {doc: [s.chunk for s in catalog.chunks(doc)] for doc in CORPUS_PAGES}
    finally:
        catalog.close()


def test_stored_chunks_are_what_the_chunker_makes(stored: dict, corpus_docs: dict, fake_index: Settings) -> None:
    _, clean = corpus_docs[STATUS_QUO]
    assert stored[STATUS_QUO] == chunk_document(clean, fake_index)


@pytest.mark.parametrize("doc", sorted(CORPUS_PAGES))
def test_chunk_sizes_offsets_and_pages(doc: str, stored: dict, corpus_docs: dict, fake_index: Settings) -> None:
    _, clean = corpus_docs[doc]
    chunks = stored[doc]
    assert len(chunks) >= CORPUS_PAGES[doc] // 2
    previous_start = -1
    for chunk in chunks:
        assert chunk.doc_id == doc and chunk.doc_title == clean.title
        assert Path(chunk.source_file) == (CORPUS_DIR / doc).resolve()
        assert 0 < len(chunk.text) <= fake_index.chunk_max_chars
        # offsets index the document text; the text is the stored, cleaned quote
        assert clean.text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.char_start > previous_start
        previous_start = chunk.char_start
        # the pages it claims are where it starts and ends, and it is found in them
        assert 1 <= chunk.page_start <= chunk.page_end <= CORPUS_PAGES[doc]
        assert clean.page_at(chunk.char_start) == chunk.page_start
        assert clean.page_at(chunk.char_end - 1) == chunk.page_end
        pages_text = "\n".join(p.text for p in clean.pages[chunk.page_start - 1 : chunk.page_end])
        assert chunk.text in pages_text
        first_line, last_line = chunk.text.split("\n")[0], chunk.text.split("\n")[-1]
        assert first_line in clean.pages[chunk.page_start - 1].text
        assert last_line in clean.pages[chunk.page_end - 1].text
        assert RUNNING_HEADERS[doc] + "\n" not in chunk.text


def test_chunks_never_cross_documents(stored: dict, corpus_docs: dict) -> None:
    ids = [c.id for chunks in stored.values() for c in chunks]
    assert len(ids) == len(set(ids))
    for doc, chunks in stored.items():
        other_texts = [corpus_docs[d][1].text for d in stored if d != doc]
        for chunk in chunks:
            assert chunk.text in corpus_docs[doc][1].text
            if len(chunk.text) > 200:  # long enough to be unique to its document
                assert not any(chunk.text in text for text in other_texts)


@pytest.mark.parametrize("doc", [STATUS_QUO, TRENDATLAS])
def test_no_sentence_is_lost_and_overlap_is_small(
    doc: str, stored: dict, corpus_docs: dict, fake_index: Settings
) -> None:
    _, clean = corpus_docs[doc]
    chunks = stored[doc]
    spans = sentence_spans(clean.text)
    for start, end in spans:
        if end - start <= fake_index.chunk_max_chars:  # longer ones are cut at spaces
            assert any(c.char_start <= start and end <= c.char_end for c in chunks), clean.text[start:end]
    starts = [start for start, _ in spans]
    for left, right in itertools.pairwise(chunks):
        assert right.char_end > left.char_end
        # consecutive chunks share at most the configured number of sentences, never half a chunk
        shared = [s for s in starts if right.char_start <= s < left.char_end]
        assert len(shared) <= fake_index.chunk_overlap_sentences
        assert left.char_end - right.char_start <= fake_index.chunk_max_chars // 2


def test_embedded_text_carries_title_and_heading_but_the_quote_does_not(stored: dict, corpus_docs: dict) -> None:
    for doc, chunks in stored.items():
        title = corpus_docs[doc][1].title
        for chunk in chunks:
            assert chunk.embed_text.startswith(title)
            assert chunk.embed_text.endswith("\n" + chunk.text)
            assert not chunk.text.startswith(title)
    (porter,) = [c for c in stored[HANDWERK] if "Aufbauend auf dem Clusterbegriff von Porter" in c.text]
    assert porter.heading == "1.4.2. Cluster, Clusterpolitik und Clusterinitiativen"
    assert porter.embed_text.startswith(
        "Cluster und Handwerk in Baden-Württemberg – 1.4.2. Cluster, Clusterpolitik und Clusterinitiativen\n"
    )


# --- chunks of small generated documents ----------------------------------------------------------
def small_doc(tmp_path: Path, seed: str, title: str) -> CleanDocument:
    path = pdfgen.write_report(tmp_path / f"{seed}.pdf", seed, pages=3, title=title)
    return clean_document(read_pdf(path, make_settings(tmp_path / "data")))


def test_title_words_are_only_in_the_embedded_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", chunk_target_chars=300, chunk_max_chars=500)
    clean = small_doc(tmp_path, "zebra", "Beiratsprotokoll Zebrafinken")
    chunks = chunk_document(clean, settings)
    assert len(chunks) >= 4
    assert all(len(c.text) <= 500 for c in chunks)
    assert all(
        "Zebrafinken" not in c.text and c.embed_text.startswith("Beiratsprotokoll Zebrafinken\n") for c in chunks
    )


def test_chunk_ids_are_content_derived(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", chunk_target_chars=300, chunk_max_chars=500)
    clean = small_doc(tmp_path, "alpha", "Alpha")
    first, second = chunk_document(clean, settings), chunk_document(clean, settings)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    other = small_doc(tmp_path, "beta", "Beta")
    assert not {c.id for c in first} & {c.id for c in chunk_document(other, settings)}


def test_chunk_ids_are_the_same_in_two_separate_ingests(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pdfgen.write_report(folder / "eins.pdf", "eins", pages=3)
    (folder / STATUS_QUO).write_bytes((CORPUS_DIR / STATUS_QUO).read_bytes())
    runs = []
    for name in ("first", "second"):
        settings = make_settings(tmp_path / name, chunk_target_chars=300, chunk_max_chars=500)
        assert ingest_paths([folder], settings).ok
        catalog = Catalog(settings.catalog_path)
        runs.append([(s.chunk.doc_id, s.chunk.id) for s in catalog.chunks()])
        catalog.close()
    assert runs[0] == runs[1]
    assert {doc for doc, _ in runs[0]} == {"eins.pdf", STATUS_QUO}
