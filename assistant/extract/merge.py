"""Stable item ids, and merging of repeats: near-duplicates and German/English twins.

A checklist shows each statement once. A statement repeated in a summary box, a table listed
twice, or the English half of a bilingual brochure is folded into its first German occurrence.
Sentence vectors (already stored at ingest) find the twins: the multilingual embedder puts a
sentence and its translation close together.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from assistant.extract.units import Unit, unit_vector
from ingest.lexical import stop_words

NEAR_DUPLICATE = 0.95  # same language, (almost) the same words
TWIN = 0.9  # a sentence and its translation
TOKEN_OVERLAP = 0.85

_TOKENS = re.compile(r"[0-9a-zäöüß]+")
_EN = frozenset("the of and to is are for that with be as on by this it or which their from have".split())
_DE = frozenset("der die das und zu in ist sind für mit von den dem des ein eine nicht auf sich auch als".split())


def normalise(text: str) -> str:
    """Lower-case letters and digits only: the identity of a quote, robust to spacing and hyphens."""
    return re.sub(r"[^0-9a-zäöüß]", "", text.lower())


def item_id(doc: str, kind: str, page: int, quote: str) -> str:
    """Content-derived: the same quote on the same page of the same document keeps its id across
    re-ingests (and across extractor versions that still find it)."""
    key = f"{doc}|{kind}|{page}|{normalise(quote)}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def language(text: str) -> str:
    words = _TOKENS.findall(text.lower())
    english = sum(1 for w in words if w in _EN)
    german = sum(1 for w in words if w in _DE)
    return "en" if english >= 2 and english > german else "de"


def _content_tokens(text: str) -> frozenset[str]:
    stops = stop_words()
    return frozenset(t for t in _TOKENS.findall(text.lower()) if t not in stops)


@dataclass
class _Kept:
    vector: np.ndarray
    whole: bool  # the unit is whole sentences (its vector is its own, not its list's)
    lang: str
    norm: str
    tokens: frozenset[str]
    rows: frozenset[int]


def _similar_words(a: frozenset[str], b: frozenset[str], by_smaller: bool) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / (min(len(a), len(b)) if by_smaller else len(a | b))


def merge_repeats(units: list[Unit], vectors: np.ndarray, whole: list[bool]) -> list[int]:
    """Indices of the units to keep (reading order), dropping repeats of earlier ones and English
    twins of German units. ``whole[i]`` says whether unit i has a vector of its own."""
    kept: list[_Kept] = []
    keep: list[int] = []
    langs = [language(u.text) for u in units]
    # German first, so an English twin meets its German original whichever comes first
    order = sorted(range(len(units)), key=lambda i: (langs[i] != "de", i))
    for index in order:
        unit = units[index]
        this = _Kept(
            vector=unit_vector(vectors, unit),
            whole=whole[index],
            lang=langs[index],
            norm=normalise(unit.text),
            tokens=_content_tokens(unit.text),
            rows=frozenset(unit.rows),
        )
        if not any(_repeats(this, other) for other in kept):
            kept.append(this)
            keep.append(index)
    return sorted(keep)


def _repeats(this: _Kept, other: _Kept) -> bool:
    if this.norm == other.norm:
        return True
    if this.lang == other.lang and _similar_words(this.tokens, other.tokens, by_smaller=False) >= TOKEN_OVERLAP:
        return True  # the same list item again, give or take a word
    if not (this.whole and other.whole) or not this.rows.isdisjoint(other.rows):
        return False  # pieces of one sentence share its vector: only words can tell them apart
    similarity = float(this.vector @ other.vector)
    if this.lang != other.lang:
        return similarity >= TWIN
    return similarity >= NEAR_DUPLICATE and _similar_words(this.tokens, other.tokens, by_smaller=True) >= 0.6
