"""Choosing the reader's threshold: the best F1 that keeps the checklist precise."""

from __future__ import annotations

from evals.train_reader import MIN_PRECISION, pick_threshold


def test_the_threshold_keeps_precision_up_even_at_some_cost_in_f1() -> None:
    figures = {0.4: (0.64, 0.79), 0.6: (0.72, 0.65), 0.7: (0.79, 0.61), 0.9: (0.86, 0.50)}
    assert pick_threshold(figures) == 0.7  # 0.4 has the best F1 overall, but too many wrong items
    assert figures[0.7][0] >= MIN_PRECISION


def test_without_a_precise_threshold_the_most_precise_one_is_taken() -> None:
    assert pick_threshold({0.5: (0.5, 0.9), 0.9: (0.6, 0.3)}) == 0.9
