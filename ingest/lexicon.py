"""German word evidence from packaged data (spacy-lookups-data), loaded once, lazily.

Used to decide ambiguous hyphenation and word splits, and for compound splitting.
"""

from __future__ import annotations

import importlib.resources
import math
from functools import lru_cache

import srsly


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
