"""The metrics of `lotse eval` on hand-made inputs: ranks, recall and the abstention calibration."""

from __future__ import annotations

from evals.gold import EvidenceRef, GoldQuestion
from evals.run import calibrate, score_retrieval


def _question(qid: str, answerable: bool = True) -> GoldQuestion:
    evidence = (EvidenceRef("a.pdf", 2, "Die Quote lag bei 40 Prozent"),) if answerable else ()
    return GoldQuestion(qid, f"Frage {qid}", "de", "advisor", answerable, evidence)


def test_recall_counts_the_first_passage_that_holds_the_quote() -> None:
    questions = [_question("q1"), _question("q2")]
    right = ("a.pdf", 2, 2, "Vorher. Die Quote lag bei 40 Prozent. Nachher.")
    wrong_page = ("a.pdf", 3, 3, "Die Quote lag bei 40 Prozent.")
    other = ("b.pdf", 2, 2, "Nichts dazu.")
    results = {"Frage q1": [right, other], "Frage q2": [other, wrong_page, other, other, other, right]}
    scores = score_retrieval("test", questions, lambda question, k: results[question][:k])
    assert scores.recall == {1: 0.5, 5: 0.5, 10: 1.0}
    assert abs(scores.mrr - (1 + 1 / 6) / 2) < 1e-9


def test_calibration_caps_false_abstention_and_refuses_what_it_can() -> None:
    answerable = [_question(f"a{i}") for i in range(20)]
    unanswerable = [_question(f"u{i}", answerable=False) for i in range(10)]
    confidence = {q.id: 0.5 + i / 40 for i, q in enumerate(answerable)}  # 0.500 … 0.975
    confidence |= {q.id: 0.31 + i / 20 for i, q in enumerate(unanswerable)}  # 0.31 … 0.76
    calibration = calibrate(answerable + unanswerable, confidence, max_false=0.10)
    refused_answerable = sum(confidence[q.id] < calibration.threshold for q in answerable)
    refused_unanswerable = sum(confidence[q.id] < calibration.threshold for q in unanswerable)
    # at most the allowed 10 % (2 of 20) may be refused; refusing 0.31 … 0.51 needs only one of
    # them (0.500), and of equally good thresholds the lower one refuses fewer answerable ones
    assert refused_unanswerable == 5 and refused_answerable == 1
    assert 0.0 <= calibration.cv_false_abstention <= 1.0 and 0.0 <= calibration.cv_abstention <= 1.0


def test_calibration_does_not_buy_one_refusal_with_several_wrong_ones() -> None:
    answerable = [_question(f"a{i}") for i in range(30)]
    unanswerable = [_question(f"u{i}", answerable=False) for i in range(20)]
    confidence = {q.id: 0.8 + i / 200 for i, q in enumerate(answerable[3:])}
    confidence |= {"a0": 0.60, "a1": 0.61, "a2": 0.62}  # within the 10 % budget, but three of them
    confidence |= {q.id: 0.1 + i / 100 for i, q in enumerate(unanswerable[:19])}  # 0.10 … 0.28
    confidence |= {unanswerable[19].id: 0.65}  # one near miss above them
    calibration = calibrate(answerable + unanswerable, confidence, max_false=0.10)
    refused_answerable = sum(confidence[q.id] < calibration.threshold for q in answerable)
    refused_unanswerable = sum(confidence[q.id] < calibration.threshold for q in unanswerable)
    assert (refused_unanswerable, refused_answerable) == (19, 0)
