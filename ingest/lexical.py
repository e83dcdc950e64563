"""German lexical analysis: folding, stop words, Snowball stems and compound parts.

"Handwerksbetriebe" yields handwerksbetrieb + handwerk + betrieb, so it meets "Betriebe des
Handwerks". Compounds are split against the packaged German lexicon (spacy-lookups-data), with
the usual linking elements (Fugen-s, -es, -n, -en, -er, -e); no GPL code is involved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer  # PyStemmer

from ingest import lexicon

_TOKEN = re.compile(r"[^\W_]+(?:[:*][^\W_]*innen)?", re.UNICODE)
_GENDER = re.compile(r"[:*](?:innen|in)$|(?<=[a-zäöüß])Innen$")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_LINKS = ("", "s", "es", "n", "en", "er", "e")
_MIN_PART = 4
_PART_LOG_PROB = lexicon.PART_LOG_PROB
_FREQUENT_WORD = -11.0


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """German and English stop words (questions come in both languages)."""
    return lexicon.stop_words("de") | lexicon.stop_words("en")


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word.lower())).translate(_FOLD)


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """Split a German compound into known words (at most three parts), or return ()."""
    lower = word.lower()
    if len(lower) < 2 * _MIN_PART:
        return ()
    table = lexicon.part_log_probs()  # rarer words than _PART_LOG_PROB never count here
    if table.get(lower, float("-inf")) >= _FREQUENT_WORD:
        return ()  # "Unternehmen" is a word of its own, not unter + nehmen
    best: tuple[float, tuple[str, ...]] = (float("-inf"), ())
    for cut in range(_MIN_PART, len(lower) - _MIN_PART + 1):
        head, tail = lower[:cut], lower[cut:]
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            base = head[: len(head) - len(link)] if link else head
            if len(base) < _MIN_PART - 1:
                continue
            head_prob = table.get(base)
            if head_prob is None or head_prob < _PART_LOG_PROB:
                continue
            tail_prob = table.get(tail)
            parts: tuple[str, ...]
            if tail_prob is not None and tail_prob >= _PART_LOG_PROB:
                parts, score = (base, tail), head_prob + tail_prob
            else:
                rest = compound_parts(tail)
                if not rest or len(rest) > 2:
                    continue
                parts, score = (base, *rest), head_prob + sum(table.get(p, -20.0) for p in rest) - 2.0
            if score > best[0]:
                best = (score, parts)
    return best[1]


@dataclass(frozen=True)
class Concept:
    """One content word of a question: its stem, the stems of its compound parts, and whether it
    is written like a German noun or name (capitalised, not the first word)."""

    stem: str
    parts: tuple[str, ...]
    noun: bool


def concepts(text: str) -> list[Concept]:
    """The question's content words, one each (``analyse`` flattens parts into extra terms)."""
    stops = stop_words()
    result: list[Concept] = []
    for index, match in enumerate(_TOKEN.finditer(text)):
        token = _GENDER.sub("", match.group(0))
        lower = token.lower()
        if lower in stops or len(lower) < 2:
            continue
        if lower.isdigit():
            result.append(Concept(lower, (), True))
            continue
        parts = tuple(stem(p) for p in compound_parts(lower) if p not in stops)
        result.append(Concept(stem(lower), parts, index == 0 or token[:1].isupper()))
    return result


def analyse(text: str) -> list[str]:
    """Terms for BM25: stems of content words plus stems of their compound parts."""
    stops = stop_words()
    terms: list[str] = []
    for match in _TOKEN.finditer(text):
        token = _GENDER.sub("", match.group(0))
        lower = token.lower()
        if lower in stops or len(lower) < 2:
            continue
        if lower.isdigit():
            terms.append(lower)
            continue
        terms.append(stem(lower))
        for part in compound_parts(lower):
            if part not in stops:
                terms.append(stem(part))
    return terms
