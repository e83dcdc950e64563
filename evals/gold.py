"""Loading gold sets and matching passages/quotes against gold evidence."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "gold"


def normalise(text: str) -> str:
    """Lower-case letters and digits only: robust to hyphenation, spacing and punctuation."""
    return re.sub(r"[^0-9a-zäöüß]", "", text.lower())


def tokens(text: str) -> list[str]:
    return re.findall(r"[0-9a-zäöüß]+", text.lower())


@dataclass(frozen=True)
class EvidenceRef:
    doc: str
    page: int
    quote: str


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    lang: str
    role: str
    answerable: bool
    evidence: tuple[EvidenceRef, ...]


def load_questions(path: Path = GOLD_DIR / "questions.jsonl") -> list[GoldQuestion]:
    result = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        result.append(
            GoldQuestion(
                id=row["id"],
                question=row["question"],
                lang=row.get("lang", "de"),
                role=row.get("role", ""),
                answerable=bool(row["answerable"]),
                evidence=tuple(EvidenceRef(e["doc"], int(e["page"]), e["quote"]) for e in row.get("evidence", [])),
            )
        )
    return result


def token_recall(quote: str, text: str) -> float:
    """Share of the quote's tokens that occur in ``text`` (order-free)."""
    wanted = tokens(quote)
    if not wanted:
        return 0.0
    present = set(tokens(text))
    return sum(1 for t in wanted if t in present) / len(wanted)


def passage_hits(doc: str, page: int, page_end: int, text: str, evidence: EvidenceRef) -> bool:
    """A passage answers when it is on the evidence page and holds (most of) the evidence quote."""
    if doc != evidence.doc or not (page <= evidence.page <= page_end):
        return False
    return normalise(evidence.quote) in normalise(text) or token_recall(evidence.quote, text) >= 0.6


def quote_supports(quote: str, doc: str, page: int, evidence: EvidenceRef) -> bool:
    """A citation supports the gold answer when it quotes (part of) the evidence on its page."""
    if doc != evidence.doc or abs(page - evidence.page) > 0:
        return False
    a, b = normalise(quote), normalise(evidence.quote)
    if a in b or b in a:
        return True
    shorter, longer = (
        (quote, evidence.quote) if len(tokens(quote)) <= len(tokens(evidence.quote)) else (evidence.quote, quote)
    )
    return token_recall(shorter, longer) >= 0.5
