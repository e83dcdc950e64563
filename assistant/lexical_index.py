"""Okapi BM25 over the lexical terms the ingest step stored (German stems + compound parts)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ingest.lexical import analyse


class Bm25Index:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        self.k1, self.b = k1, b
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self.avg_length = float(lengths.mean()) if self.size else 0.0
        self.norm = k1 * (1 - b + b * lengths / (self.avg_length or 1.0))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        gathered: dict[str, tuple[list[int], list[int]]] = {}
        for row, terms in enumerate(documents):
            for term, tf in Counter(terms).items():
                rows, tfs = gathered.setdefault(term, ([], []))
                rows.append(row)
                tfs.append(tf)
        for term, (rows, tfs) in gathered.items():
            self.postings[term] = (np.array(rows, dtype=np.int32), np.array(tfs, dtype=np.float32))

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0]) if term in self.postings else 0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(query_terms).items():
            if term not in self.postings:
                continue
            rows, tfs = self.postings[term]
            weight = self.idf(term) * (1 + math.log(qtf))
            scores[rows] += weight * tfs * (self.k1 + 1) / (tfs + self.norm[rows])
        return scores

    def search(self, text: str, k: int) -> list[tuple[int, float]]:
        scores = self.scores(analyse(text))
        if not scores.any():
            return []
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
