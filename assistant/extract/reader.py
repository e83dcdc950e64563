"""A learned second reader for recommendations (success factors, lessons, good reasons) and
indicators.

The cue rules miss what is stated without a cue word ("Cluster entwickelt man über gemeinsame
Projekte.", "Die Nutzung digitaler Instrumente ist stark gestiegen."). The reader is a logistic
regression per kind over what is already stored: the unit's sentence vectors (the ingest
embedder's, so nothing is embedded again) and a few cue features. It is trained by
``python -m evals.train_reader`` on the annotated development gold and shipped as
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
from typing import Any

import numpy as np

from assistant.extract.indicators import IndicatorHit, could_measure
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
class KindReader:
    """The models of one kind of item: one per annotated document that left it out, one for the rest."""

    threshold: float
    models: Mapping[str, ReaderModel]

    def model_for(self, doc: str) -> ReaderModel:
        return self.models.get(doc, self.models[ALL_DOCUMENTS])

    def accepts(self, doc: str, features: np.ndarray) -> float | None:
        """The probability that the unit is an item, when it reaches the threshold."""
        probability = self.model_for(doc).probability(features)
        return probability if probability >= self.threshold else None


@dataclass(frozen=True)
class Reader:
    embedder: str  # the vectors the models were trained on; another embedder's vectors mean nothing to them
    recommendation: KindReader
    indicator: KindReader | None = None

    def read(self, unit: Unit, hits: CueHits, vectors: np.ndarray) -> RecommendationHit | None:
        if not readable(unit, hits):
            return None
        probability = self.recommendation.accepts(unit.doc, reader_features(unit, hits, vectors))
        if probability is None:
            return None
        return RecommendationHit(
            unit=unit, type=cue_type(hits), addressee=addressee_of(unit), score=probability, found_by="reader"
        )

    def read_indicator(self, unit: Unit, hits: CueHits, vectors: np.ndarray) -> IndicatorHit | None:
        if self.indicator is None or not indicator_readable(unit):
            return None
        probability = self.indicator.accepts(unit.doc, indicator_features(unit, hits, vectors))
        return None if probability is None else IndicatorHit(unit, "learned", probability, found_by="reader")


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


def indicator_readable(unit: Unit) -> bool:
    """Whether the reader may read a unit as an indicator: a German statement, row or label that
    could name a measure (no reference, no bare row of numbers)."""
    return could_measure(unit.text) and language(unit.text) == "de"


def indicator_features(unit: Unit, hits: CueHits, vectors: np.ndarray) -> np.ndarray:
    """The unit's meaning and what the indicator rules see in it."""
    text = unit.text
    cues = [
        bool(hits.quantity),
        bool(hits.measure),
        any(c.isdigit() for c in text),
        "%" in text or "Prozent" in text,
        text.rstrip().endswith("?"),
        unit.bullet or unit.enumerated,
        len(text.split()) / WORDS_SCALE,
    ]
    return np.concatenate([unit_vector(vectors, unit), np.asarray(cues, dtype=np.float32)])


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


def _kind_payload(kind: KindReader) -> dict[str, object]:
    return {
        "threshold": kind.threshold,
        "models": {
            doc: {"coef": [round(float(c), 6) for c in model.coef], "intercept": round(model.intercept, 6)}
            for doc, model in sorted(kind.models.items())
        },
    }


def _kind_from(payload: Mapping[str, Any]) -> KindReader:
    models = {
        doc: ReaderModel(np.asarray(m["coef"], dtype=np.float32), float(m["intercept"]))
        for doc, m in payload["models"].items()
    }
    return KindReader(float(payload["threshold"]), models)


def save_reader(reader: Reader, path: Path = READER_PATH) -> None:
    payload: dict[str, object] = {"embedder": reader.embedder, "recommendation": _kind_payload(reader.recommendation)}
    if reader.indicator is not None:
        payload["indicator"] = _kind_payload(reader.indicator)
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_reader(path: Path = READER_PATH) -> Reader | None:
    """The shipped reader, or None when there is none (the rules alone then)."""
    if not path.exists():
        return None
    payload = json.loads(path.read_text(encoding="utf-8"))
    indicator = _kind_from(payload["indicator"]) if "indicator" in payload else None
    return Reader(payload["embedder"], _kind_from(payload["recommendation"]), indicator)
