"""Check a claim against the documents: supported, contradicted or not found, with the quotes
that decide it.

Evidence comes from the hybrid retriever and the answer step's sentence scoring, widened by a
dense search over all stored sentence vectors and by the sentences that state the claim's numbers.
A sentence the PDF broke over two lines is read together with its other half. The verdict is
rule-based (see claim_rules): evidence that talks about the same thing (it shares most of the
claim's terms and numbers) contradicts the claim when it states another number, year, share,
actor, the opposite polarity or the comparison turned round, and supports it otherwise; when
nothing talks about the same thing, when nothing close states the claim's numbers, or when the
claim names something the documents never mention, it is not found.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from assistant import claim_rules as rules
from assistant.answer import AnswerSettings, score_sentences
from assistant.extract.merge import language
from assistant.extract.units import heading_of
from assistant.lexical_index import Bm25Index
from assistant.library import NOTE_START, Library, open_library
from assistant.retrieve import HybridRetriever
from assistant.types import Citation, Verdict
from ingest.lexical import analyse, stem, stop_words
from ingest.sentences import german_docs
from ingest.settings import Settings

PASSAGES = 8
DENSE_CANDIDATES = 30
LEMMA_CANDIDATES = 10
MIN_LEMMA_TERMS = 3
LEMMA_COVERAGE = 0.75  # a sentence found by its words alone must hold nearly all of the claim's
NUMBER_CANDIDATES = 30
TOPICAL = 0.35  # share of the claim's (idf-weighted) terms a sentence must hold to talk about it
TOPICAL_DENSE_EN = 0.87  # an English claim meets German evidence only through the embedder
ALIGNED = 0.5  # a clause must hold this share to be compared actor by actor
LLM_EVIDENCE = 6
DECIDING = 3  # how many of the best evidence windows are compared
NEAR_TIE = 0.1  # a window this close to the deciding one in coverage may contradict it on a fact
NUMBER_WEIGHT = 3.0
ANCHOR_SLACK = 0.1  # a sentence stating the claim's numbers may share this much less of its words

# words that name the source, not the content: "laut Trendatlas", "Die Studie empfiehlt"
_META = frozenset(
    stem(w)
    for w in (
        "studie trendstudie trendatlas handwerksstudie dokument dokumente papier bericht broschüre laut "
        "according study documents document report paper brochure zufolge"
    ).split()
)
# the source's stance ("Die Studie empfiehlt, …"): evidence says "sollten" or "müssten", not
# "empfiehlt". Left out only where a sentence is found by its words alone; in the coverage of all
# other evidence the stance word still counts, so a claim does not pass on its topic words
_STANCE = frozenset(stem(w) for w in "empfiehlt empfehlen empfohlen rät raten recommends recommend recommended".split())
_UNITS = frozenset(
    stem(w) for w in "kilometer km euro prozent jahr jahren monat monaten woche stunden minuten person personen".split()
)
ABBREVIATIONS = {
    "KMU": "kleine und mittlere Unternehmen",
    "SME": "kleine und mittlere Unternehmen",
    "SMEs": "kleine und mittlere Unternehmen",
    "CM": "Clustermanagement",
    "EU": "Europäische Union",
    "BW": "Baden-Württemberg",
    "FuE": "Forschung und Entwicklung",
    "F&E": "Forschung und Entwicklung",
    "HWK": "Handwerkskammer",
    "IHK": "Industrie- und Handelskammer",
}
_WORD = re.compile(r"[^\W_]+(?:[:*][^\W_]*innen)?")
_GENDER_SUFFIX = re.compile(r"[:*](?:innen|in)$")
_QUESTION = re.compile(r"\bdie Frage,? ob\b|\?\s*$")
_ANSWER_NO = re.compile(r"\b(?:verneint|nein|keine?n? Korrelation|nicht der Fall)\b", re.I)
_ANSWER_YES = re.compile(r"\b(?:bejaht|bestätigt|ja,)\b", re.I)


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


def expand(claim: str) -> str:
    """The claim with its abbreviations spelled out, so "KMU" meets "kleine und mittlere Unternehmen"."""
    extra = [full for short, full in ABBREVIATIONS.items() if re.search(rf"(?<!\w){re.escape(short)}(?!\w)", claim)]
    return f"{claim} ({'; '.join(extra)})" if extra else claim


class ClaimChecker:
    """One per process and index: the library and retriever load once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._numbers: tuple[int, dict[int, list[rules.Number]]] | None = None
        self._lemmas: tuple[int, Bm25Index] | None = None  # sentence rows per lemma stem
        self._lock = threading.Lock()
        self.retriever = HybridRetriever(settings=settings, k=PASSAGES)

    @property
    def library(self) -> Library:
        return open_library(self.settings)

    def check(self, claim: str) -> Verdict:
        claim = " ".join(claim.split())
        library = self.library
        library.require_documents()
        if not claim:
            return Verdict(claim=claim, verdict="not_found", reason="Leere Aussage.")
        windows = self.gather(library, claim)
        finding = self._llm_finding(claim, windows) or decide(library, claim, windows)
        return Verdict(
            claim=claim,
            verdict=finding.verdict,  # type: ignore[arg-type]
            evidence=tuple(cite(library, finding.windows)),
            reason=finding.reason,
        )

    def _llm_finding(self, claim: str, windows: list[Window]) -> Finding | None:
        """With an LLM configured: its label over the same evidence, cited from stored sentences.
        A supported/contradicted label without a deciding sentence is not accepted."""
        if not (self.settings.llm_base_url and self.settings.llm_model):
            return None
        from assistant.extract.llm_extract import verdict_with_llm

        shown = windows[:LLM_EVIDENCE]
        answer = verdict_with_llm(self.settings, claim, [w.text for w in shown])
        if answer is None:
            return None
        chosen = tuple(shown[n - 1] for n in answer.evidence)
        if answer.verdict != "not_found" and not chosen:
            return None
        return Finding(answer.verdict, answer.reason or "Urteil des Sprachmodells.", chosen or tuple(shown[:2]))

    # --- evidence ----------------------------------------------------------------------------
    def gather(self, library: Library, claim: str) -> list[Window]:
        query = expand(claim)
        table = library.sentences
        passages = self.retriever.search(query, k=PASSAGES)
        scored = score_sentences(library, query, passages, AnswerSettings(passages=PASSAGES))
        rows = {s.row for s in scored.ranked}
        sims = table.vectors @ library.embedder.embed_query_array(query)
        rows.update(int(r) for r in np.argsort(-sims)[:DENSE_CANDIDATES])
        rows.update(self._rows_with_numbers(library, claim))
        by_lemma = self._rows_with_lemmas(library, claim)
        rows.update(by_lemma)
        weights = _weights(library, query)
        seen: set[tuple[int, ...]] = set()
        windows: list[Window] = []
        for row in rows:
            span = table.whole_sentence(row)
            if span in seen:
                continue
            seen.add(span)
            text = " ".join(table.items[r].text for r in span)
            if len(text) < 25:
                continue
            dense = float(max(sims[r] for r in span))
            cover = max([_coverage(claim, query, text, weights), *(by_lemma[r] for r in span if r in by_lemma)])
            windows.append(Window(span, text, dense, cover))
        windows.sort(key=lambda w: -w.relevance)
        return windows

    def _rows_with_lemmas(self, library: Library, claim: str) -> dict[int, float]:
        """Sentences that hold nearly all of the claim's words once inflection is undone, with
        that share. The embedder ranks "… während Handwerksbetriebe eher mittelbar über die HWK
        … angesprochen werden müssten" only 102nd for "Die Studie empfiehlt, Handwerksbetriebe
        über die Kammern anzusprechen"; the lookup lemmatizer maps both verb forms to "ansprechen"."""
        with self._lock:
            if self._lemmas is None or self._lemmas[0] != id(library):
                stems = lemma_stems([s.text for s in library.sentences.items])
                self._lemmas = (id(library), Bm25Index([sorted(t) for t in stems]))
            index = self._lemmas[1]
        wanted = {t: library.lexical.idf(t) for t in lemma_stems([claim])[0] if t not in _META | _STANCE}
        total = sum(wanted.values())
        if len(wanted) < MIN_LEMMA_TERMS or language(claim) == "en":
            return {}  # two or three common words are held by too many sentences
        held = np.zeros(index.size, dtype=np.float32)
        for term, weight in wanted.items():
            if term in index.postings:
                held[index.postings[term][0]] += weight
        for short, full in ABBREVIATIONS.items():  # "HWK" in the text holds the claim's "Kammer"
            spelled = set(analyse(full)) & set(wanted)
            if spelled and short.lower() in index.postings:
                held[index.postings[short.lower()][0]] += sum(wanted[t] for t in spelled)
        claimed = rules.numbers(claim)  # the claim's numbers count as in _coverage
        total += NUMBER_WEIGHT * len(claimed)
        found: dict[int, float] = {}
        for row in np.argsort(-held)[:LEMMA_CANDIDATES]:
            stated = rules.numbers(library.sentences.items[row].text)
            numbers = sum(NUMBER_WEIGHT for n in claimed if any(rules.same_number(n, m) for m in stated))
            share = (float(held[row]) + numbers) / total
            if share >= LEMMA_COVERAGE:
                found[int(row)] = share
        return found

    def _rows_with_numbers(self, library: Library, claim: str) -> list[int]:
        """Sentences that state one of the claim's specific numbers ("8.5", "2,4 Millionen")."""
        wanted = _specific_numbers(claim)
        if not wanted:
            return []
        with self._lock:
            # keyed by the library object: a reload after ingest brings new sentences
            if self._numbers is None or self._numbers[0] != id(library):
                stated = {row: rules.numbers(s.text) for row, s in enumerate(library.sentences.items)}
                self._numbers = (id(library), stated)
            table = self._numbers[1]
        found = [row for row, stated in table.items() if any(rules.same_number(w, n) for w in wanted for n in stated)]
        return found[:NUMBER_CANDIDATES]


def lemma_stems(texts: list[str]) -> list[frozenset[str]]:
    """Stems of the lookup lemmas of each text's content words: "angesprochen" and
    "anzusprechen" both become "ansprech"."""
    stops = stop_words()
    result = []
    for doc in german_docs(texts):
        terms = {stem(t.lemma_.lower()) for t in doc if t.is_alpha and len(t.text) > 1 and t.lower_ not in stops}
        for token in doc:  # "Cluster-Forum", "Baden-Württemberg": as the lexical index reads them
            if not token.is_alpha and any(c.isalpha() for c in token.text):
                terms.update(analyse(token.text))
        result.append(frozenset(terms))
    return result


def _weights(library: Library, text: str) -> dict[str, float]:
    return {t: library.lexical.idf(t) for t in set(analyse(text))}


def _present(term: str, present: set[str]) -> bool:
    """The term, or a longer word ending in it ("künftig" in "zukünftig")."""
    return term in present or (len(term) >= 6 and any(p.endswith(term) for p in present))


def _coverage(claim: str, query: str, text: str, weights: dict[str, float]) -> float:
    """idf-weighted share of the claim's content terms and numbers the text holds. An abbreviation
    counts as held when the text spells it out ("KMU": "kleine und mittlere Unternehmen")."""
    terms = {t for t in analyse(claim) if t not in _META}
    present = set(analyse(text))
    for short, full in ABBREVIATIONS.items():
        if stem(short.lower()) in terms and all(t in present for t in analyse(full)):
            present.add(stem(short.lower()))
    total = sum(weights.get(t, 1.0) for t in terms)
    held = sum(weights.get(t, 1.0) for t in terms if _present(t, present))
    stated = rules.numbers(text)
    claimed = rules.numbers(claim)
    for number in claimed:
        total += NUMBER_WEIGHT
        if any(rules.same_number(number, n) for n in stated):
            held += NUMBER_WEIGHT
        elif any(n.kind == number.kind and not any(rules.same_number(n, c) for c in claimed) for n in stated):
            held += NUMBER_WEIGHT / 2  # another number of that kind: the text talks about it, and may contradict
    return held / total if total else 0.0


# --- the verdict ---------------------------------------------------------------------------
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
        if term in _META or term in _UNITS or any(term.endswith(m) for m in _META if len(m) > 4):
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
    polarity_text = clause if share >= ALIGNED else window.text
    if rules.negated(claim) != rules.negated(polarity_text):
        return "Verneinung: Aussage und Quelle haben entgegengesetzte Richtung."
    if rules.comparison_conflict(claim, window.text):
        return "Vergleich umgekehrt: die Quelle sagt es vom Gegenteil."
    return (_actor_reason(claim, clause) if share >= ALIGNED else None) or _paired_actor_reason(claim, window.text)


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
    number = _number_reason(claim, window.text, settled=deciding.text)
    return number or (_actor_reason(claim, clause) if share >= ALIGNED else None)


def _number_reason(claim: str, text: str, settled: str = "") -> str | None:
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


def _specific_numbers(claim: str) -> list[rules.Number]:
    return [n for n in rules.numbers(claim) if n.kind != "count" or n.value >= 10 or not n.value.is_integer()]


def _states_some_number(claim: str, text: str) -> bool:
    stated = rules.numbers(text)
    return any(any(rules.same_number(w, n) for n in stated) for w in _specific_numbers(claim))


def _states_numbers(claim: str, text: str) -> bool:
    wanted = _specific_numbers(claim)
    stated = rules.numbers(text)
    return bool(wanted) and all(any(rules.same_number(w, n) for n in stated) for w in wanted)


def decide(library: Library, claim: str, windows: list[Window]) -> Finding:
    nearest = tuple(windows[:2])
    # a sentence that states two or more specific numbers of the claim ("1,5 Stellen … 2,5
    # Stellen") talks about it even when it words the rest differently; one number alone may
    # be a coincidence ("25 Akteure" as a threshold, not as a funding rule)
    specific = _specific_numbers(claim)
    anchored = [
        w
        for w in windows
        if len(specific) >= 2 and w.cover >= TOPICAL - ANCHOR_SLACK and _states_numbers(claim, w.text)
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
        if w.cover >= TOPICAL or (english and (w.dense >= TOPICAL_DENSE_EN or _states_numbers(claim, w.text)))
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
    if specific and not any(_states_some_number(claim, w.text) for w in (deciding, *topical[:DECIDING])):
        for window in topical[:DECIDING]:  # the claim's year nowhere, another one close by: "seit 2016"
            if (reason := _number_reason(claim, window.text)) is not None:
                return Finding("contradicted", reason, (window,))
        return Finding("not_found", "Keine Stelle nennt die Zahlen der Aussage.", (deciding,))
    return Finding("supported", "Die Quelle sagt dasselbe aus.", (deciding,))


def cite(library: Library, windows: tuple[Window, ...]) -> list[Citation]:
    """One citation per sentence of the deciding windows; each quote verbatim on its page."""
    table = library.sentences
    citations: list[Citation] = []
    for window in windows:
        for row in window.rows:
            sentence = table.items[row]
            page = library.page(sentence.doc_id, sentence.page_no)
            if page is None or sentence.text not in page.text or heading_of(sentence.text) is not None:
                continue  # never cite what the page does not hold verbatim; headings decide nothing
            if any(c.doc == sentence.doc_id and c.quote == sentence.text for c in citations):
                continue
            info = library.documents.get(sentence.doc_id)
            citations.append(
                Citation(
                    n=len(citations) + 1,
                    doc=sentence.doc_id,
                    title=info.title if info else sentence.doc_id,
                    page=sentence.page_no,
                    quote=sentence.text,
                    chunk_id=_chunk_for(library, sentence.doc_id, sentence.char_start),
                )
            )
    return citations


def _chunk_for(library: Library, doc: str, offset: int) -> str:
    for chunk_id in library.chunk_order:
        chunk = library.chunks[chunk_id]
        if chunk.doc_id == doc and chunk.char_start <= offset < chunk.char_end:
            return chunk_id
    return ""


_CHECKERS: dict[tuple[str, str, str], ClaimChecker] = {}
_CHECKERS_LOCK = threading.Lock()


def checker(settings: Settings) -> ClaimChecker:
    """The process-wide checker for this index (models and tables load once)."""
    key = (str(settings.data_dir), settings.embedder, settings.st_model)
    with _CHECKERS_LOCK:
        if key not in _CHECKERS:
            _CHECKERS[key] = ClaimChecker(settings)
        return _CHECKERS[key]


def check_claim(settings: Settings, claim: str) -> Verdict:
    """``check_claim(Settings(), "Die Studie empfiehlt …")`` → :class:`Verdict` with evidence."""
    return checker(settings).check(claim)
