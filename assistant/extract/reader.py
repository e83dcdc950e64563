"""A learned second reader for recommendations, success factors, lessons and good reasons.

The cue rules miss what is stated without a cue word ("Cluster entwickelt man über gemeinsame
Projekte."). The reader is a logistic regression over what is already stored: the unit's sentence
vectors (the ingest embedder's, so nothing is embedded again) and a few cue features. It is
trained by ``python -m evals.train_reader`` on the annotated development gold and shipped as
``assistant/data/reader.json``.

A model never reads a document whose annotations it was trained on: for every annotated
document the file holds a model trained without that document, and the model trained on all of
them reads every other document. Its output joins the rule items; it never removes one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.extract.merge import language
from assistant.extract.patterns import CueHits
from assistant.extract.recommendations import (
    RecommendationHit,
    addressee_of,
    cue_type,
    eligible,
    in_section,
    is_label,
    marked_down,
    reporting_lead,
)
from assistant.extract.units import Unit, unit_vector

READER_PATH = Path(__file__).resolve().parent.parent / "data" / "reader.json"
ALL_DOCUMENTS = "*"
WORDS_SCALE = 50.0


@dataclass(frozen=True)
class ReaderModel:
    coef: np.ndarray
    intercept: float

    def probability(self, features: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(features @ self.coef + self.intercept))))


@dataclass(frozen=True)
class Reader:
    embedder: str  # the vectors the models were trained on; another embedder's vectors mean nothing to them
    threshold: float
    models: Mapping[str, ReaderModel]

    def model_for(self, doc: str) -> ReaderModel:
        return self.models.get(doc, self.models[ALL_DOCUMENTS])

    def read(self, unit: Unit, hits: CueHits, vectors: np.ndarray) -> RecommendationHit | None:
        if not readable(unit, hits):
            return None
        probability = self.model_for(unit.doc).probability(reader_features(unit, hits, vectors))
        if probability < self.threshold:
            return None
        return RecommendationHit(
            unit=unit, type=cue_type(hits), addressee=addressee_of(unit), score=probability, found_by="reader"
        )


def readable(unit: Unit, hits: CueHits) -> bool:
    """Whether the reader may read a unit: it adds what the rules miss, not what they rule out (too
    short or long, a question, a label, an item of a list that reports what was done, a study's
    method, a quoted voice, a measured share), and it reads German: an English twin it added would
    stand alone, its German original being no item."""
    listed = unit.bullet or unit.enumerated
    return (
        eligible(unit)
        and not (listed and reporting_lead(unit.lead))
        and not marked_down(unit.text)
        and not is_label(unit.text, hits)
        and language(unit.text) == "de"
    )


def reader_features(unit: Unit, hits: CueHits, vectors: np.ndarray) -> np.ndarray:
    """The unit's meaning (mean of its sentence vectors) and what the rules see in it."""
    cues = [
        bool(hits.recommend),
        bool(hits.success),
        bool(hits.lesson),
        bool(hits.reason),
        in_section(unit, "recommendation"),
        unit.bullet or unit.enumerated,
        len(unit.text.split()) / WORDS_SCALE,
    ]
    return np.concatenate([unit_vector(vectors, unit), np.asarray(cues, dtype=np.float32)])


def save_reader(reader: Reader, path: Path = READER_PATH) -> None:
    payload = {
        "embedder": reader.embedder,
        "threshold": reader.threshold,
        "models": {
            doc: {"coef": [round(float(c), 6) for c in model.coef], "intercept": round(model.intercept, 6)}
            for doc, model in sorted(reader.models.items())
        },
    }
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_reader(path: Path = READER_PATH) -> Reader | None:
    """The shipped reader, or None when there is none (the rules alone then)."""
    if not path.exists():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    models = {
        doc: ReaderModel(np.asarray(m["coef"], dtype=np.float32), float(m["intercept"]))
        for doc, m in payload["models"].items()
    }
    return Reader(embedder=payload["embedder"], threshold=float(payload["threshold"]), models=models)
