"""Check a claim against the documents: supported, contradicted or not found, with the quotes
that decide it.

Evidence comes from the hybrid retriever and the answer step's sentence scoring, widened by a
dense search over all stored sentence vectors, by the sentences that state the claim's numbers
and by those that hold nearly all of its words once inflection is undone. A sentence the PDF broke
over two lines is read together with its other half. The verdict over that evidence is rule-based
(claim_verdict), or the LLM's when one is configured, over the same evidence.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from assistant import claim_rules as rules
from assistant.answer import AnswerSettings, score_sentences
from assistant.claim_verdict import (
    SOURCE_WORDS,
    Finding,
    Window,
    by_parts,
    conjuncts,
    decide,
    specific_numbers,
)
from assistant.extract.merge import language
from assistant.extract.units import heading_of
from assistant.lexical_index import Bm25Index
from assistant.library import Library, open_library
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
LLM_EVIDENCE = 6
NUMBER_WEIGHT = 3.0

# the source's stance ("Die Studie empfiehlt, …"): evidence says "sollten" or "müssten", not
# "empfiehlt". Left out only where a sentence is found by its words alone; in the coverage of all
# other evidence the stance word still counts, so a claim does not pass on its topic words
_STANCE = frozenset(stem(w) for w in "empfiehlt empfehlen empfohlen rät raten recommends recommend recommended".split())
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


def expand(claim: str) -> str:
    """The claim with its abbreviations spelled out, so "KMU" meets "kleine und mittlere Unternehmen"."""
    extra = [full for short, full in ABBREVIATIONS.items() if re.search(rf"(?<!\w){re.escape(short)}(?!\w)", claim)]
    return f"{claim} ({'; '.join(extra)})" if extra else claim


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    by_rules: bool  # False when the LLM backend decided


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
        return self.judge(claim).verdict

    def judge(self, claim: str) -> Judgement:
        """The verdict, and whether the rules gave it (also when an LLM is configured but gave no
        usable answer), so the UI can say what the rules' verdicts are worth."""
        claim = " ".join(claim.split())
        library = self.library
        library.require_documents()
        if not claim:
            return Judgement(Verdict(claim=claim, verdict="not_found", reason="Leere Aussage."), by_rules=True)
        windows = self.gather(library, claim)
        llm = self._llm_finding(claim, windows)
        finding = llm or self._rule_finding(library, claim, windows)
        verdict = Verdict(
            claim=claim,
            verdict=finding.verdict,  # type: ignore[arg-type]
            evidence=tuple(cite(library, finding.windows)),
            reason=finding.reason,
        )
        return Judgement(verdict, by_rules=llm is None)

    def _rule_finding(self, library: Library, claim: str, windows: list[Window]) -> Finding:
        finding = decide(library, claim, windows)
        parts = conjuncts(claim)
        if finding.verdict == "contradicted" or len(parts) < 2:
            return finding
        return by_parts(finding, [(part, decide(library, part, self.gather(library, part))) for part in parts])

    def _llm_finding(self, claim: str, windows: list[Window]) -> Finding | None:
        """With an LLM configured: its label over the same evidence, cited from stored sentences.
        A supported/contradicted label without a deciding sentence is not accepted."""
        if not self.settings.llm_configured:
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
        wanted = {t: library.lexical.idf(t) for t in lemma_stems([claim])[0] if t not in SOURCE_WORDS | _STANCE}
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
        wanted = specific_numbers(claim)
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
    terms = {t for t in analyse(claim) if t not in SOURCE_WORDS}
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


def judge_claim(settings: Settings, claim: str) -> Judgement:
    """As :func:`check_claim`, and whether the rules decided."""
    return checker(settings).judge(claim)
