"""`lotse eval`: retrieval, answer and abstention metrics on the project's own gold set,
with dense-only, lexical-only and the LangChain tutorial pipeline as baselines."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer import ExtractiveAnswerer
from assistant.library import open_library
from assistant.retrieve import HybridRetriever
from assistant.types import Answer
from evals.gold import GoldQuestion, load_questions, passage_hits, quote_supports
from ingest.settings import Settings

Hit = tuple[str, int, int, str]  # doc, page, page_end, text
SearchFn = Callable[[str, int], Sequence[Hit]]


@dataclass
class RetrievalScores:
    name: str
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0


def score_retrieval(
    name: str, questions: list[GoldQuestion], search: SearchFn, ks: Sequence[int] = (1, 5, 10)
) -> RetrievalScores:
    ranks: list[int | None] = []
    for q in questions:
        hits = search(q.question, max(ks))
        rank = next(
            (
                i
                for i, (doc, page, page_end, text) in enumerate(hits, 1)
                if any(passage_hits(doc, page, page_end, text, ev) for ev in q.evidence)
            ),
            None,
        )
        ranks.append(rank)
    result = RetrievalScores(name)
    for k in ks:
        result.recall[k] = sum(1 for r in ranks if r is not None and r <= k) / len(ranks)
    result.mrr = sum(1.0 / r for r in ranks if r is not None and r <= max(ks)) / len(ranks)
    return result


@dataclass
class AnswerScores:
    citation_validity: float
    page_hit: float
    supported: float
    abstention_accuracy: float
    false_abstention: float
    answered: int
    citations: int


def score_answers(settings: Settings, questions: list[GoldQuestion], answers: dict[str, Answer]) -> AnswerScores:
    library = open_library(settings)
    valid = total = 0
    page_hits = supported = answered = 0
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    for q in questions:
        answer = answers[q.id]
        for c in answer.citations:
            total += 1
            page = library.page(c.doc, c.page)
            valid += int(page is not None and c.quote in page.text)
        if not q.answerable or answer.abstained:
            continue
        answered += 1
        if any(c.doc == ev.doc and c.page == ev.page for c in answer.citations for ev in q.evidence):
            page_hits += 1
        if any(quote_supports(c.quote, c.doc, c.page, ev) for c in answer.citations for ev in q.evidence):
            supported += 1
    return AnswerScores(
        citation_validity=valid / total if total else 1.0,
        page_hit=page_hits / answered if answered else 0.0,
        supported=supported / answered if answered else 0.0,
        abstention_accuracy=sum(answers[q.id].abstained for q in unanswerable) / max(len(unanswerable), 1),
        false_abstention=sum(answers[q.id].abstained for q in answerable) / max(len(answerable), 1),
        answered=answered,
        citations=total,
    )


MAX_FALSE_ABSTENTION = 0.10


@dataclass(frozen=True)
class Calibration:
    threshold: float
    cv_abstention: float  # held-out share of unanswerable questions refused (2-fold CV)
    cv_false_abstention: float  # held-out share of answerable questions refused


def _rates(questions: list[GoldQuestion], confidence: dict[str, float], threshold: float) -> tuple[float, float]:
    pos = [confidence[q.id] for q in questions if q.answerable]
    neg = [confidence[q.id] for q in questions if not q.answerable]
    refused_neg = sum(c < threshold for c in neg) / max(len(neg), 1)
    refused_pos = sum(c < threshold for c in pos) / max(len(pos), 1)
    return refused_neg, refused_pos


def calibrate(
    questions: list[GoldQuestion], confidence: dict[str, float], max_false: float = MAX_FALSE_ABSTENTION
) -> Calibration:
    """The threshold that refuses at most ``max_false`` of the answerable questions and, within
    that budget, separates best: the share of unanswerable questions refused minus the share of
    answerable ones refused. Also its 2-fold cross-validated rates.

    Why the cap: a wrong answer still shows its quotes, which the reader can check; a wrong
    refusal hides what the documents do say. Why not simply the most refusals under the cap: that
    will refuse eight answerable questions to catch one more unanswerable one."""

    def best_threshold(subset: list[GoldQuestion]) -> float:
        values = sorted({confidence[q.id] for q in subset})
        candidates = [values[0] - 1e-6] + [(a + b) / 2 for a, b in itertools.pairwise(values)]
        allowed = [t for t in candidates if _rates(subset, confidence, t)[1] <= max_false]

        def separation(t: float) -> tuple[float, float]:
            refused_unanswerable, refused_answerable = _rates(subset, confidence, t)
            return refused_unanswerable - refused_answerable, -t

        return max(allowed or candidates[:1], key=separation)

    folds = [questions[0::2], questions[1::2]]
    held_out = [
        _rates(test, confidence, best_threshold(train)) for train, test in ((folds[0], folds[1]), (folds[1], folds[0]))
    ]
    return Calibration(
        threshold=best_threshold(questions),
        cv_abstention=statistics.mean(r[0] for r in held_out),
        cv_false_abstention=statistics.mean(r[1] for r in held_out),
    )


def run_qa_eval(settings: Settings, *, baselines: bool = True, log: Callable[[str], None] = print) -> dict[str, object]:
    questions = load_questions()
    answerable = [q for q in questions if q.answerable]
    library = open_library(settings)

    def via(retriever: HybridRetriever) -> SearchFn:
        return lambda question, k: [(p.doc, p.page, p.page_end, p.text) for p in retriever.search(question, k=k)]

    rows = [
        score_retrieval("hybrid (Clusterlotse)", answerable, via(HybridRetriever(settings=settings, mode="hybrid")))
    ]
    if baselines:
        for mode, name in (
            ("rrf", "RRF dense + lexical"),
            ("dense", "dense only (Chroma)"),
            ("lexical", "lexical only (BM25)"),
            ("sentence", "best sentence only"),
        ):
            rows.append(score_retrieval(name, answerable, via(HybridRetriever(settings=settings, mode=mode))))  # type: ignore[arg-type]
        from evals.baselines import TutorialPipeline

        log("Baseline: LangChain-Tutorial-Pipeline wird aufgebaut …")
        tutorial = TutorialPipeline(settings.corpus_dir, settings, library.embedder)
        rows.append(
            score_retrieval(
                "LangChain tutorial (PyPDFLoader, 1000/200, Chroma)",
                answerable,
                lambda question, k: [(d, p, p, t) for d, p, t in tutorial.search(question, k)],
            )
        )

    answerer = ExtractiveAnswerer(HybridRetriever(settings=settings))
    evidence = {q.id: answerer.gather(q.question) for q in questions}
    confidence = {qid: ev.confidence for qid, ev in evidence.items()}
    calibration = calibrate(questions, confidence)
    answers = {qid: answerer.from_evidence(ev) for qid, ev in evidence.items()}
    scores = score_answers(settings, questions, answers)
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "retrieval": rows,
        "answers": scores,
        "threshold_in_use": answerer.config.abstain_below,
        "calibrated_threshold": calibration.threshold,
        "calibration_cv": {
            "abstention": calibration.cv_abstention,
            "false_abstention": calibration.cv_false_abstention,
        },
    }
