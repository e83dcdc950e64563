"""Train the learned reader (``assistant/data/reader.json``) on the development gold.

    python -m evals.train_reader

For each kind (recommendations first, then indicators: the reader reads a unit as an indicator
only when it is no recommendation) the training units are the units of the annotated pages of the
development gold (the adjudicated annotation and the blind development sets; never the held-out
pages) that the reader may read. A unit is positive when it matches one of its document's items
of that kind. For every document a model is trained without that document, so the shipped
product never reads a document with a model that saw its annotations; the model trained on all
documents reads every other document. The threshold maximises the F1 of what is listed before
plus the reader on the development gold among the thresholds that keep its precision at 0.75 or
above, each document read by its left-out model (leave-one-document-out), so it is not fitted to
the documents it is scored on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.extract import document_units, extract_document
from assistant.extract.patterns import CueHits, cue_matcher
from assistant.extract.reader import (
    ALL_DOCUMENTS,
    READER_PATH,
    KindReader,
    Reader,
    ReaderModel,
    indicator_features,
    indicator_readable,
    readable,
    reader_features,
    save_reader,
)
from assistant.extract.units import Unit
from assistant.library import Library, open_library
from assistant.types import ChecklistItem, ItemKind
from evals.checklists import (
    EXTRACTION_DIR,
    EXTRACTION_HELDOUT_DIR,
    GoldItem,
    annotated,
    load_gold_items,
    load_scope,
    matches,
    score_extraction,
)
from ingest.settings import Settings

REGULARISATION = 1.0
# a checklist whose every fourth item is wrong loses its reader's trust: the threshold keeps the
# precision of rules plus reader at this level or above and, within that, maximises F1
MIN_PRECISION = 0.75
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.96, 0.05))


@dataclass(frozen=True)
class TrainingUnit:
    item: ChecklistItem  # the unit as a would-be item of the kind
    features: np.ndarray
    positive: bool


@dataclass(frozen=True)
class LearnedKind:
    """How the reader reads one kind of item: which units it may read, and what it sees in them."""

    kind: ItemKind
    may_read: Callable[[Unit, CueHits], bool]
    features: Callable[[Unit, CueHits, np.ndarray], np.ndarray]


RECOMMENDATIONS = LearnedKind("recommendation", readable, reader_features)
INDICATORS = LearnedKind("indicator", lambda unit, _: indicator_readable(unit), indicator_features)


def development_gold() -> list[GoldItem]:
    """The development gold: the adjudicated annotation and the blind development sets. (Not the
    two annotations it was adjudicated from: what the adjudicator dropped is no item.)"""
    return load_gold_items(EXTRACTION_DIR)


def training_units(library: Library, gold: list[GoldItem], learned: LearnedKind) -> dict[str, list[TrainingUnit]]:
    """Per annotated document, the units on annotated (never held-out) pages the reader may read."""
    scope, held_out = load_scope(EXTRACTION_DIR), load_scope(EXTRACTION_HELDOUT_DIR)
    held_out_docs = {g.doc for g in load_gold_items(EXTRACTION_HELDOUT_DIR)}
    vectors = library.sentences.vectors
    result: dict[str, list[TrainingUnit]] = {}
    for doc in sorted({g.doc for g in gold}):
        wanted = [g for g in gold if g.doc == doc and g.kind == learned.kind]
        units = [
            u
            for u in document_units(library, doc)
            if annotated(scope, doc, u.page) and not (doc in held_out_docs and annotated(held_out, doc, u.page))
        ]
        hits = cue_matcher().hits([u.text for u in units])
        result[doc] = []
        for unit, cue in zip(units, hits):
            if not learned.may_read(unit, cue):
                continue  # the reader never reads it, so it neither learns from it nor is scored on it
            item = ChecklistItem(
                id=f"unit-{unit.page}-{unit.start}",
                kind=learned.kind,
                doc=doc,
                title=doc,
                page=unit.page,
                quote=unit.text,
            )
            positive = any(matches(item, g) for g in wanted)
            result[doc].append(TrainingUnit(item, learned.features(unit, cue, vectors), positive))
    return result


def fit(units: Sequence[TrainingUnit]) -> ReaderModel:
    features = np.stack([u.features for u in units])
    labels = np.array([u.positive for u in units])
    model = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced").fit(features, labels)
    return ReaderModel(model.coef_[0].astype(np.float32), float(model.intercept_[0]))


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def choose_threshold(
    units: dict[str, list[TrainingUnit]],
    models: dict[str, ReaderModel],
    listed: list[ChecklistItem],
    gold: list[GoldItem],
    kind: ItemKind,
) -> tuple[float, dict[float, tuple[float, float]]]:
    """The threshold with the best F1 of the ``listed`` items plus the reader's among those that
    keep its precision at ``MIN_PRECISION`` or above, each document read by its left-out model.
    The reader reads only units no listed item quotes."""
    scope = load_scope(EXTRACTION_DIR)
    listed_keys = {(i.doc, i.page, i.quote) for i in listed}
    candidates = [  # units nothing lists yet, with their left-out model's probability
        (u.item, models[doc].probability(u.features))
        for doc, doc_units in units.items()
        for u in doc_units
        if (u.item.doc, u.item.page, u.item.quote) not in listed_keys
    ]
    base = [i for i in listed if i.kind == kind]
    figures: dict[float, tuple[float, float]] = {}
    for threshold in THRESHOLDS:
        added = [item for item, probability in candidates if probability >= threshold]
        scores = score_extraction([*base, *added], gold, scope)[kind]
        figures[threshold] = (scores.precision, scores.recall)
    return pick_threshold(figures), figures


def pick_threshold(figures: dict[float, tuple[float, float]]) -> float:
    """Of the thresholds whose (precision, recall) keeps precision at ``MIN_PRECISION`` or above,
    the one with the best F1; the most precise one when none does."""
    precise = [t for t in figures if figures[t][0] >= MIN_PRECISION] or [max(figures, key=lambda t: figures[t][0])]
    return max(precise, key=lambda t: _f1(*figures[t]))


def train_kind(
    library: Library, gold: list[GoldItem], learned: LearnedKind, listed: list[ChecklistItem]
) -> tuple[KindReader, dict[str, Any]]:
    """Left-out models per document, the threshold they support, the model on all documents."""
    units = training_units(library, gold, learned)
    everything = [u for doc_units in units.values() for u in doc_units]
    models = {doc: fit([u for other, us in units.items() if other != doc for u in us]) for doc in units}
    threshold, figures = choose_threshold(units, models, listed, gold, learned.kind)
    models[ALL_DOCUMENTS] = fit(everything)
    report = {
        "units": len(everything),
        "positives": int(sum(u.positive for u in everything)),
        "documents": {doc: len(us) for doc, us in units.items()},
        "threshold": threshold,
        "leave_one_document_out": {
            f"{t:.2f}": {"precision": round(p, 3), "recall": round(r, 3)} for t, (p, r) in figures.items()
        },
    }
    return KindReader(threshold, models), report


def main() -> None:
    settings = Settings()
    library = open_library(settings)
    gold = development_gold()
    docs = sorted({g.doc for g in gold})
    # recommendations first: the reader reads a unit as an indicator only when it is no recommendation
    rules = [item for doc in docs for item in extract_document(library, doc) if item.kind == "recommendation"]
    recommendation, recommendation_report = train_kind(library, gold, RECOMMENDATIONS, rules)
    with_recommendations = Reader(settings.embedder, recommendation)
    listed = [item for doc in docs for item in extract_document(library, doc, with_recommendations)]
    indicator, indicator_report = train_kind(library, gold, INDICATORS, listed)
    save_reader(Reader(settings.embedder, recommendation, indicator), READER_PATH)
    report = {"recommendation": recommendation_report, "indicator": indicator_report, "written": str(READER_PATH)}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
