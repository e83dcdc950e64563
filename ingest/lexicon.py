"""German word evidence from packaged data, loaded once, lazily.

Two sources:
- the full word list of spacy-lookups-data (about 835,000 forms; ~1.5 s to load), used at ingest
  to decide ambiguous hyphenation and word splits, and by the claim checker for proper names;
- small lists derived from it and from spaCy, committed in ``ingest/data/``: the words common
  enough to be compound parts, and the German and English stop words. Query analysis needs only
  these, so `lotse ask` starts without loading spaCy or the big list (cold start ~2 s faster).
  ``python -m ingest.lexicon`` rewrites them; a test checks they match the installed packages.
"""

from __future__ import annotations

import importlib.resources
import math
import sys
from functools import lru_cache
from pathlib import Path

import srsly

PART_LOG_PROB = -13.0  # rarer words are not trusted as compound parts
_DATA = Path(__file__).with_name("data")
PARTS_FILE = _DATA / "de_word_parts.tsv"
STOP_FILES = {"de": _DATA / "stop_words_de.txt", "en": _DATA / "stop_words_en.txt"}


@lru_cache(maxsize=1)
def word_log_probs() -> dict[str, float]:
    """About one million lower-cased German word forms with their log probability."""
    path = importlib.resources.files("spacy_lookups_data") / "data" / "de_lexeme_prob.json.gz"
    raw: dict[str, float] = srsly.read_gzip_json(str(path))
    table: dict[str, float] = {}
    for word, prob in raw.items():
        key = word.lower()
        if key not in table or prob > table[key]:
            table[key] = prob
    return table


def known_word(word: str, min_log_prob: float = -math.inf) -> bool:
    prob = word_log_probs().get(word.lower())
    return prob is not None and prob >= min_log_prob


@lru_cache(maxsize=1)
def part_log_probs() -> dict[str, float]:
    """The words of ``word_log_probs`` with a log probability of at least ``PART_LOG_PROB``."""
    table: dict[str, float] = {}
    for line in PARTS_FILE.read_text(encoding="utf-8").splitlines():
        word, prob = line.split("\t")
        table[word] = float(prob)
    return table


@lru_cache(maxsize=2)
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of ``language`` ("de" or "en"), lower-cased."""
    return frozenset(STOP_FILES[language].read_text(encoding="utf-8").split())


def derived_lists() -> dict[Path, str]:
    """The committed lists as they follow from the installed spaCy and spacy-lookups-data."""
    from spacy.lang.de.stop_words import STOP_WORDS as GERMAN
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH

    parts = sorted((w, p) for w, p in word_log_probs().items() if p >= PART_LOG_PROB and w.isalpha())
    return {
        PARTS_FILE: "".join(f"{w}\t{p!r}\n" for w, p in parts),
        STOP_FILES["de"]: "\n".join(sorted({w.lower() for w in GERMAN})) + "\n",
        STOP_FILES["en"]: "\n".join(sorted({w.lower() for w in ENGLISH})) + "\n",
    }


if __name__ == "__main__":
    _DATA.mkdir(exist_ok=True)
    for path, text in derived_lists().items():
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {len(text.splitlines())} lines", file=sys.stderr)
