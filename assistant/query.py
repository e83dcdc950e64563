"""What a question means in the documents' own words.

Advisors ask "Was bringt ein Cluster meinen Betrieben?"; the documents write "Nutzen" and
"Vorteile". A few common question idioms are expanded with the nouns that documents use for
their answer, for the lexical side only (the dense side reads the question as asked). Measured on
the gold set: neutral in aggregate (six questions use these idioms), and the idiomatic advisor
question finds the sections on benefits instead of sentences that merely repeat its words.
"""

from __future__ import annotations

import re

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


def lexical_query(question: str) -> str:
    """The question plus the document words its idiom asks for ("was bringt" → Nutzen, Vorteile)."""
    extra = [words for pattern, words in _INTENTS if pattern.search(question)]
    return f"{question} {' '.join(extra)}" if extra else question
