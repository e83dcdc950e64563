"""The verdict on a claim, given the evidence windows the checker gathered (claims.py).

Evidence that talks about the same thing (it shares most of the claim's terms and numbers)
contradicts the claim when it states another number, year, share, actor, the opposite polarity
or the comparison turned round (claim_rules), and supports it otherwise; when nothing talks about
the same thing, when nothing close states the claim's numbers, or when the claim names something
the documents never mention, it is not found. A claim that joins statements ("…, und rät, …") is
also judged part by part (by_parts): supported when every part is, not when one part is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import claim_rules as rules
from assistant.extract.merge import language
from assistant.library import NOTE_START, Library
from ingest.lexical import analyse, stem, stop_words

TOPICAL = 0.35  # share of the claim's (idf-weighted) terms a sentence must hold to talk about it
TOPICAL_DENSE_EN = 0.87  # an English claim meets German evidence only through the embedder
ALIGNED = 0.5  # a clause must hold this share to be compared actor by actor
DECIDING = 3  # how many of the best evidence windows are compared
NEAR_TIE = 0.1  # a window this close to the deciding one in coverage may contradict it on a fact
ANCHOR_SLACK = 0.1  # a sentence stating the claim's numbers may share this much less of its words

# words that name the source, not the content: "laut Trendatlas", "Die Studie empfiehlt"
SOURCE_WORDS = frozenset(
    stem(w)
    for w in (
        "studie trendstudie trendatlas handwerksstudie dokument dokumente papier bericht broschüre laut "
        "according study documents document report paper brochure zufolge"
    ).split()
)
_UNITS = frozenset(
    stem(w) for w in "kilometer km euro prozent jahr jahren monat monaten woche stunden minuten person personen".split()
)
_DURATIONS = frozenset(stem(w) for w in "jahre jahren monate monaten wochen tage tagen stunden".split())
_SOME_OF = re.compile(r"\b(?:eine Reihe (?:von|der)|einige|manche|mehrere)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[:*][^\W_]*innen)?")
_GENDER_SUFFIX = re.compile(r"[:*](?:innen|in)$")
_QUESTION = re.compile(r"\bdie Frage,? ob\b|\?\s*$")
_ANSWER_NO = re.compile(r"\b(?:verneint|nein|keine?n? Korrelation|nicht der Fall)\b", re.I)
_ANSWER_YES = re.compile(r"\b(?:bejaht|bestätigt|ja,)\b", re.I)
# where a claim joins statements: "…; …", "…, und rät, …", "…, weil …", "… und empfiehlt …"
_CONJUNCT_SPLIT = re.compile(
    r"\s*;\s*"
    r"|,\s+(?=(?:weil|da|indem|sodass|damit|wodurch|obwohl|etwa|beispielsweise|insbesondere)\b)"
    r"|,\s+(?:und|aber|wobei|während|zudem|außerdem|doch|jedoch)\s+"
    r"|\s+und\s+(?=(?:empfiehlt|empfehlen|rät|raten|fordert|fordern|folgert|betont|sollte|sollten|dies|das)\b)"
)
MIN_CONJUNCT_TERMS = 3  # a shorter part ("bei vielen") is read with the part before it


@dataclass(frozen=True)
class Window:
    """One sentence, or two halves of a sentence the PDF broke over lines or pages."""

    rows: tuple[int, ...]
    text: str
    dense: float
    cover: float

    @property
    def relevance(self) -> float:
        return self.dense + 0.5 * self.cover


@dataclass(frozen=True)
class Finding:
    verdict: str
    reason: str
    windows: tuple[Window, ...]


def unknown_terms(library: Library, claim: str) -> list[str]:
    """Nouns of a German claim that occur nowhere in the documents ("Blockchain", "Brexit"): the
    documents cannot be saying what the claim says about them."""
    if language(claim) == "en":
        return []
    stops = stop_words()
    missing = []
    for index, match in enumerate(_WORD.finditer(claim)):
        token = _GENDER_SUFFIX.sub("", match.group(0))
        lower = token.lower()
        if index == 0 or not token[:1].isupper() or lower in stops or len(lower) < 4 or any(c.isdigit() for c in lower):
            continue
        term = stem(lower)
        if term in SOURCE_WORDS or term in _UNITS or any(term.endswith(m) for m in SOURCE_WORDS if len(m) > 4):
            continue
        if term not in library.lexical.postings and not _known_parts(library, token):
            missing.append(token)
    return missing


def _known_parts(library: Library, token: str) -> bool:
    """A compound the documents never write but whose parts they do: "Clusterveranstaltungen"
    (they say "Veranstaltungen" of clusters), "Entwicklungsplan" ("Plan für die Entwicklung")."""
    parts = analyse(token)[1:]  # the whole word's stem first, then its compound parts
    return bool(parts) and all(part in library.lexical.postings for part in parts)


def _answer_to_question(library: Library, window: Window) -> bool | None:
    """For "Es stellt sich die Frage, ob …": does the text that follows say yes (True) or no (False)?"""
    if not _QUESTION.search(window.text):
        return None
    items = library.sentences.items
    following = range(window.rows[-1] + 1, min(window.rows[-1] + 6, len(items)))
    after = " ".join(items[r].text for r in following if not NOTE_START.match(items[r].text))
    if _ANSWER_NO.search(after):
        return False
    if _ANSWER_YES.search(after):
        return True
    return None


def conflict(library: Library, claim: str, window: Window) -> str | None:
    """Why this evidence contradicts the claim, or None."""
    answer = _answer_to_question(library, window)
    if answer is not None:
        return None if answer != rules.negated(claim) else "Die Quelle verneint die Frage, die die Aussage bejaht."
    clause, share = rules.aligned_clause(claim, window.text)
    number = _number_reason(claim, window.text) or _place_number_reason(claim, window.text)
    if number is not None:
        return number
    quant = rules.quantifier_conflict(claim, clause if share >= ALIGNED else window.text)
    if quant is not None:
        return f"Mengenangabe weicht ab: Aussage „{quant[0]}“, Quelle „{quant[1]}“."
    if _polarity_differs(claim, window.text, clause if share >= ALIGNED else window.text):
        return "Verneinung: Aussage und Quelle haben entgegengesetzte Richtung."
    if rules.comparison_conflict(claim, window.text):
        return "Vergleich umgekehrt: die Quelle sagt es vom Gegenteil."
    return (_actor_reason(claim, clause) if share >= ALIGNED else None) or _paired_actor_reason(claim, window.text)


def _polarity_differs(claim: str, text: str, polarity_text: str) -> bool:
    """A claim that joins statements ("… kaum oder gar nicht, und umgekehrt erkennen nur wenige
    …") is compared part by part, each with the clause of the evidence it talks about."""
    aligned = [(part, *rules.aligned_clause(part, text)) for part in conjuncts(claim)]
    if len(aligned) > 1 and len({clause for _, clause, _ in aligned}) == len(aligned):
        return any(rules.negated(part) != rules.negated(clause) for part, clause, _ in aligned)
    return rules.negated(claim) != rules.negated(polarity_text)


def _paired_actor_reason(claim: str, text: str) -> str | None:
    """A claim that pairs actors with statements clause by clause ("in Deutschland schon Alltag,
    in Finnland eine Aufgabe der Zukunft") against evidence that pairs them the other way round:
    each clause of the claim is compared with the clause of the evidence that says the same."""
    parts = rules.clauses(claim)
    if len(parts) < 2:
        return None
    for part in parts:
        clause, share = rules.aligned_clause(part, text)
        if share >= ALIGNED and (reason := _actor_reason(part, clause)) is not None:
            return reason
    return None


def fact_conflict(claim: str, window: Window, deciding: Window) -> str | None:
    """Another number, year or actor: facts a neighbouring sentence contradicts even when the
    deciding one shares a little more of the claim's words ("korrespondieren mit den Schwerpunkten
    der McKinsey-Experten" against "Experten der Prognos AG haben die Zielfelder definiert").
    A number the deciding sentence states is settled: a neighbour's "6" does not undo "2,5 Stellen
    … 1,5 Stellen" said in the deciding one."""
    clause, share = rules.aligned_clause(claim, window.text)
    number = _number_reason(claim, window.text, settled=deciding.text) or _place_number_reason(claim, window.text)
    return number or (_actor_reason(claim, clause) if share >= ALIGNED else None)


def _number_reason(claim: str, text: str, settled: str = "") -> str | None:
    # a number stated of some members ("Eine Reihe von Clusterinitiativen … über 500.000 Euro")
    # says nothing against one of the average or of a named member
    if _SOME_OF.search(text) and not _SOME_OF.search(claim):
        return None
    number = rules.number_conflict(claim, text, settled)
    if number is None:
        return None
    claimed, stated = number
    return f"Zahl weicht ab: Aussage {claimed.raw.strip()}, Quelle {stated.raw.strip()}."


def _place_number_reason(claim: str, text: str) -> str | None:
    found = rules.place_number_conflict(claim, text)
    if found is None:
        return None
    place, claimed, stated = found
    return f"Zahl weicht ab: Aussage {claimed.raw.strip()} ({place.title()}), Quelle {stated.raw.strip()}."


def _actor_reason(claim: str, clause: str) -> str | None:
    actor = rules.actor_conflict(claim, clause)
    return None if actor is None else f"Akteur weicht ab: Aussage {actor[0]}, Quelle {actor[1]}."


def specific_numbers(claim: str) -> list[rules.Number]:
    """The numbers a sentence must state to support the claim: not "zwei Partner" (too common to
    tell), but "drei Jahre" (a duration is a specific fact)."""
    return [
        n
        for n in rules.numbers(claim)
        if n.kind != "count" or n.value >= 10 or not n.value.is_integer() or stem(n.noun.lower()) in _DURATIONS
    ]


def states_some(wanted: list[rules.Number], text: str) -> bool:
    stated = rules.numbers(text)
    return any(any(rules.same_number(w, n) for n in stated) for w in wanted)


def states_all(wanted: list[rules.Number], text: str) -> bool:
    stated = rules.numbers(text)
    return bool(wanted) and all(any(rules.same_number(w, n) for n in stated) for w in wanted)


def conjuncts(claim: str) -> list[str]:
    """The statements a claim joins, each with at least a few content words of its own (a shorter
    part, "bei vielen", stays with its neighbour); one part when it joins none."""
    cuts = [(m.start(), m.end()) for m in _CONJUNCT_SPLIT.finditer(claim)]
    bounds = [0, *(x for cut in cuts for x in cut), len(claim)]
    pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    spans: list[tuple[int, int]] = []
    for start, end in pieces:
        if spans and len(_content_terms(claim[start:end])) < MIN_CONJUNCT_TERMS:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if len(spans) > 1 and len(_content_terms(claim[slice(*spans[0])])) < MIN_CONJUNCT_TERMS:
        spans[:2] = [(spans[0][0], spans[1][1])]
    return [claim[start:end].strip() for start, end in spans if claim[start:end].strip()]


def _content_terms(text: str) -> set[str]:
    return {t for t in analyse(text) if t not in SOURCE_WORDS}


def by_parts(whole: Finding, parts: list[tuple[str, Finding]]) -> Finding:
    """A claim that joins statements is supported when each of them is. One that sums up two
    passages ("… sind leistungsfähiger, und rät, das bei Finanzierungsmodellen zu beachten")
    shares too little with either sentence alone to be found whole; one whose added reason
    ("…, weil die Landesregierung …") the documents never state is not supported by the rest."""
    if len(parts) < 2:
        return whole
    if whole.verdict == "not_found" and all(f.verdict == "supported" for _, f in parts):
        windows = tuple(dict.fromkeys(w for _, f in parts for w in f.windows))
        return Finding("supported", "Jeder Teil der Aussage steht in den Dokumenten.", windows)
    missing = [part for part, f in parts if f.verdict == "not_found"]
    if whole.verdict == "supported" and missing:
        reason = f"Dieser Teil der Aussage steht nicht in den Dokumenten: „{missing[0]}“"
        return Finding("not_found", reason, whole.windows)
    return whole


def decide(library: Library, claim: str, windows: list[Window]) -> Finding:
    nearest = tuple(windows[:2])
    # a sentence that states two or more specific numbers of the claim ("1,5 Stellen … 2,5
    # Stellen") talks about it even when it words the rest differently; one number alone may
    # be a coincidence ("25 Akteure" as a threshold, not as a funding rule)
    specific = specific_numbers(claim)
    anchored = [
        w for w in windows if len(specific) >= 2 and w.cover >= TOPICAL - ANCHOR_SLACK and states_all(specific, w.text)
    ]
    missing = unknown_terms(library, claim)
    # a word the documents never use does not outweigh a sentence that states the claim's numbers:
    # "Spanne von 0,25 bis 27 Stellen" paraphrases "Ausstattung von 0,25 bis 27 Vollzeitstellen"
    if missing and not any(w.cover >= TOPICAL for w in anchored):
        return Finding("not_found", f"Die Dokumente erwähnen {', '.join(missing)} nicht.", nearest)
    english = language(claim) == "en"
    topical = [
        w
        for w in windows
        if w.cover >= TOPICAL or (english and (w.dense >= TOPICAL_DENSE_EN or states_all(specific, w.text)))
    ]
    topical = topical or anchored
    if not topical:
        return Finding("not_found", "Keine Stelle in den Dokumenten behandelt diese Aussage.", nearest)
    # the evidence that shares most of the claim decides; relevance breaks ties; a sentence that
    # states the claim's numbers decides when it is nearly as close
    deciding = max(topical[:DECIDING], key=lambda w: (round(w.cover, 2), w.relevance))
    if anchored:
        anchor = max(anchored, key=lambda w: (round(w.cover, 2), w.relevance))
        if anchor.cover >= deciding.cover - NEAR_TIE:
            deciding = anchor
    reason = conflict(library, claim, deciding)
    if reason is not None:
        return Finding("contradicted", reason, (deciding,))
    for window in topical[:DECIDING]:  # a near-tied sentence that states another number or actor
        if window is not deciding and window.cover >= deciding.cover - NEAR_TIE:
            reason = fact_conflict(claim, window, deciding)
            if reason is not None:
                return Finding("contradicted", reason, (window,))
    # a sentence on the claim's topic that does not state its numbers cannot support them
    if specific and not any(states_some(specific, w.text) for w in (deciding, *topical[:DECIDING])):
        for window in topical[:DECIDING]:  # the claim's year nowhere, another one close by: "seit 2016"
            if (reason := _number_reason(claim, window.text)) is not None:
                return Finding("contradicted", reason, (window,))
        return Finding("not_found", "Keine Stelle nennt die Zahlen der Aussage.", (deciding,))
    return Finding("supported", "Die Quelle sagt dasselbe aus.", (deciding,))
