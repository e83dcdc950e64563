"""What a question means in the documents' own words.

Advisors ask "Was bringt ein Cluster meinen Betrieben?"; the documents write "Nutzen" and
"Vorteile". A few common question idioms are expanded with the nouns that documents use for
their answer, for the lexical side only (the dense side reads the question as asked). Measured on
the gold set: neutral in aggregate (six questions use these idioms), and the idiomatic advisor
question finds the sections on benefits instead of sentences that merely repeat its words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ingest.lexicon import stop_words

GLOSSARY_PATH = Path(__file__).with_name("data") / "en_de_terms.tsv"

_INTENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(?:was bring(?:t|en)|welchen nutzen|(?:lohnt|rentiert) (?:es )?sich|wozu|"
            r"what (?:do|does|can) .{0,40}\b(?:gain|get)|benefits?)\b",
            re.I,
        ),
        "Nutzen Vorteile",
    ),
    (
        re.compile(
            r"\b(?:was (?:hindert|hält)|warum (?:\w+ ){0,3}nicht|scheu(?:t|en)|hürden|obstacles?|barriers?)\b", re.I
        ),
        "Hemmnisse Gründe",
    ),
)


def is_english(question: str) -> bool:
    """More words that only English uses as function words ("what", "the", "of") than German ones."""
    english, german = stop_words("en") - stop_words("de"), stop_words("de") - stop_words("en")
    words = re.findall(r"[a-zäöüß]+", question.lower())
    return sum(w in english for w in words) > max(1, sum(w in german for w in words))


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str], dict[str, str]]:
    terms: dict[str, str] = {}
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, german = line.split("\t")
            terms[english.strip().lower()] = german.strip()
    # longest first, so "chamber of crafts" wins over "chamber"
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), terms


def german_terms(question: str) -> str:
    """The documents' German words for the cluster-policy terms of an English question."""
    pattern, terms = _glossary()
    return " ".join(terms[m.group(0)] for m in pattern.finditer(question.lower()))


def lexical_query(question: str) -> str:
    """The question plus the document words its idiom asks for ("was bringt" → Nutzen, Vorteile),
    and for an English question the German words of its terms (the corpus is German; only the
    dense side carries meaning across languages, and it does so weakly)."""
    extra = [words for pattern, words in _INTENTS if pattern.search(question)]
    if is_english(question):
        extra.append(german_terms(question))
    extra = [e for e in extra if e]
    return f"{question} {' '.join(extra)}" if extra else question
