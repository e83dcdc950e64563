"""The text comparisons the claim checker decides with: numbers (counts, shares, years; in
claim_numbers), named actors (in claim_actors), negation, quantifiers, turned comparisons, and
the clause of the evidence that a claim talks about.

Everything here is plain rules over German (and some English) text, so a verdict can always be
explained by pointing at the words that decided it.
"""

from __future__ import annotations

import re

from assistant.claim_actors import actor_conflict, actors, place_number_conflict
from assistant.claim_numbers import Number, number_conflict, numbers, same_number, shares
from ingest.lexical import analyse

__all__ = [
    "Number",
    "actor_conflict",
    "actors",
    "aligned_clause",
    "clauses",
    "comparison_conflict",
    "coverage",
    "negated",
    "number_conflict",
    "numbers",
    "place_number_conflict",
    "quantifier_conflict",
    "same_number",
    "shares",
]

# --- negation --------------------------------------------------------------------------------
_NEGATION = re.compile(
    r"\b(?:nicht|kein|keine|keinen|keinem|keiner|keines|nie|niemals|weder|nirgends|verneint|"
    r"not|no|never|neither|none|cannot|can't|don't|doesn't|isn't|aren't)\b",
    re.IGNORECASE,
)
# "nicht nur … sondern auch", "nicht selten" affirm, "ob … oder nicht" names an alternative; they
# are not negations of the statement
_NOT_NEGATION = re.compile(
    r"\bnicht (?:nur|selten|zuletzt|unerheblich|unwesentlich|wenige)\b|\boder (?:auch )?nicht\b|\bor not\b",
    re.IGNORECASE,
)


_PURPOSE = re.compile(r",?\s*\bum\b[^,.;]*\bzu\s+\w+", re.IGNORECASE)
# a reason clause ("…, weil es deren Leistungsprogramm nicht kennt") gives the why, its negation
# does not turn the statement round
_REASON = re.compile(r",\s*(?:weil|da|denn|because|since)\b[^,.;]*", re.IGNORECASE)


# a relative clause inside the sentence ("Ressourcen, die … nicht genutzt werden konnten, fanden
# ihren Einsatz …") describes a noun; its negation is not the statement's
_RELATIVE = re.compile(r",\s*(?:die|der|das|denen|dem|den|deren|dessen|welche[rsnm]?)\s[^,.;]*,", re.IGNORECASE)


# an indirect question ("konnten angeben, ob … oder keine … erworben hat") asks; it asserts nothing
_INDIRECT_QUESTION = re.compile(r",\s*ob\b(?:[^.;]|\.(?!\s+[A-ZÄÖÜ]|\s*$))*")  # "bzw." does not end it


def negated(text: str) -> bool:
    """Whether the main statement is negated ("um nicht … abhängig zu sein" is a purpose, not a
    negation of the statement)."""
    clean = _INDIRECT_QUESTION.sub(" ", _RELATIVE.sub(",", text))
    clean = _NOT_NEGATION.sub(" ", _REASON.sub(" ", _PURPOSE.sub(" ", clean)))
    return len(_NEGATION.findall(clean)) % 2 == 1


# --- quantifiers -----------------------------------------------------------------------------
_QUANTIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("near_all", re.compile(r"\b(?:fast|nahezu|beinahe|almost|nearly)\s+(?:alle|all|sämtliche)", re.I)),
    ("none", re.compile(r"\b(?:keine[rsnm]?|niemand|none|no one)\b", re.I)),
    ("few", re.compile(r"\b(?:nur\s+)?(?:wenige[n]?|kaum|few|hardly)\b", re.I)),
    ("half", re.compile(r"\b(?:Hälfte|half)\b", re.I)),
    ("most", re.compile(r"\b(?:die meisten|meisten|Mehrheit|Mehrzahl|überwiegend\w*|Großteil|most|majority)\b", re.I)),
    ("all", re.compile(r"\b(?:alle[nrs]?|sämtliche[n]?|jede[rsnm]?|all|every)\b", re.I)),
    (
        "some",
        re.compile(r"\b(?:einige[n]?|manche[n]?|(?:nur\s+)?(?:ein|einem|einen)\s+Teil|teilweise|some|several)\b", re.I),
    ),
)
_QUANTIFIER_CONFLICTS = {
    frozenset({"all", "few"}),
    frozenset({"all", "none"}),
    frozenset({"all", "half"}),
    frozenset({"all", "some"}),
    frozenset({"near_all", "few"}),
    frozenset({"near_all", "none"}),
    frozenset({"near_all", "half"}),
    frozenset({"most", "few"}),
    frozenset({"most", "none"}),
    frozenset({"half", "few"}),
    frozenset({"half", "none"}),
    frozenset({"most", "half"}),
    frozenset({"all", "most"}),  # "sämtliche Initiativen" against "ein Großteil der Initiativen"
}


def quantifier(text: str) -> str | None:
    for name, pattern in _QUANTIFIERS:
        if pattern.search(text):
            return name
    return None


def quantifier_conflict(claim: str, evidence: str) -> tuple[str, str] | None:
    """ "Nur wenige" against "alle", "die meisten" against 20 %."""
    claimed = quantifier(claim)
    if claimed is None:
        return None
    # every quantifier the evidence uses: "bis auf wenige Ausnahmen … in allen Ländern" says "all"
    stated = [name for name, pattern in _QUANTIFIERS if pattern.search(evidence)]
    if claimed not in stated:
        for name in stated:
            if frozenset({claimed, name}) in _QUANTIFIER_CONFLICTS:
                return claimed, name
    percents = shares(evidence)
    if not shares(claim) and len(percents) == 1:  # with several shares we cannot tell which one
        if claimed in ("most", "near_all", "all") and max(percents) < 50:
            return claimed, f"{max(percents):g} %"
        if claimed in ("few", "none") and min(percents) > 50:
            return claimed, f"{min(percents):g} %"
    return None


# --- comparisons -----------------------------------------------------------------------------
# pairs of opposite words a comparison sets against each other ("kleinere … häufiger als größere")
_OPPOSITES = (
    (re.compile(r"\bklein\w*", re.I), re.compile(r"\b(?:groß|größ)\w*", re.I)),
    (re.compile(r"\b(?:jung|jüng)\w*", re.I), re.compile(r"\b(?:alt|ält)(?:e|er|en|ere|eren|erer)?\b", re.I)),
)
_THAN = re.compile(r"\b(?:als|than)\b", re.I)


def _comparison_order(text: str, first: re.Pattern[str], second: re.Pattern[str]) -> bool | None:
    """True when ``first`` comes before "als" and ``second`` after it, False the other way
    round, None when the text does not compare the two."""
    than = _THAN.search(text)
    if than is None:
        return None
    before, after = text[: than.start()], text[than.end() :]
    if first.search(before) and second.search(after) and not second.search(before):
        return True
    if second.search(before) and first.search(after) and not first.search(before):
        return False
    return None


def comparison_conflict(claim: str, evidence: str) -> bool:
    """The comparison turned round: "kleinere Clustermanagements … häufiger als größere" against
    "von größeren … häufiger … als von kleineren"."""
    for first, second in _OPPOSITES:
        claimed, stated = _comparison_order(claim, first, second), _comparison_order(evidence, first, second)
        if claimed is not None and stated is not None and claimed != stated:
            return True
    return False


# --- alignment -------------------------------------------------------------------------------
_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:]|,(?=\s+(?:in|im|bei|während|wobei|whereas|in der|in den)\b))\s*", re.I)


def content_terms(text: str) -> set[str]:
    return set(analyse(text))


def coverage(claim: str, text: str, weights: dict[str, float] | None = None) -> float:
    """Share of the claim's terms (idf-weighted when given) that occur in ``text``."""
    terms = content_terms(claim)
    if not terms:
        return 0.0
    present = content_terms(text)
    if weights is None:
        return len(terms & present) / len(terms)
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0
    return sum(weights.get(t, 1.0) for t in terms & present) / total


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if len(c.split()) >= 3]


def aligned_clause(claim: str, evidence: str) -> tuple[str, float]:
    """The clause of the evidence that shares most of the claim's terms, and how much it shares."""
    best = (evidence, -1.0)
    for clause in clauses(evidence) or [evidence]:
        share = coverage(claim, clause)
        if share > best[1] + 1e-9 or (abs(share - best[1]) <= 1e-9 and len(clause) < len(best[0])):
            best = (clause, share)
    return best
