"""Extraction scoring: matching by page and quote, repeats that do not count for recall, and a
partly annotated document scored only on its annotated pages."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.types import ChecklistItem
from evals.checklists import GoldItem, gold_as_items, load_scope, score_extraction

DOC = "bericht.pdf"


def _item(page: int, quote: str) -> ChecklistItem:
    return ChecklistItem(
        id=f"{page}-{quote[:8]}", kind="recommendation", doc=DOC, title="Bericht", page=page, quote=quote
    )


def _gold(page: int, quote: str, *, duplicate: bool = False) -> GoldItem:
    return GoldItem("recommendation", DOC, page, quote, duplicate)


GOLD = [
    _gold(50, "Die Kammern sollten Clustermanager zu Betriebsbesuchen einladen."),
    _gold(52, "Handwerksbetriebe sollten sich früh an Arbeitsgruppen beteiligen."),
    _gold(60, "Die Kammern sollten Clustermanager zu Betriebsbesuchen einladen.", duplicate=True),
]


def test_a_repeat_counts_as_correct_but_not_for_recall() -> None:
    items = [_item(60, "Die Kammern sollten Clustermanager zu Betriebsbesuchen einladen.")]
    scores = score_extraction(items, GOLD)["recommendation"]
    assert (scores.predicted, scores.correct, scores.gold, scores.found) == (1, 1, 2, 0)


def test_only_the_annotated_pages_of_a_document_count(tmp_path: Path) -> None:
    items = [
        _item(51, "Die Kammern sollten Clustermanager zu Betriebsbesuchen einladen."),
        _item(30, "Die Politik sollte Netzwerke langfristig fördern."),  # not annotated: neither right nor wrong
    ]
    (tmp_path / "scope.json").write_text(json.dumps({DOC: [[50, 69], [80, 89]]}), encoding="utf-8")
    scope = load_scope(tmp_path)
    scores = score_extraction(items, GOLD, scope)["recommendation"]
    assert scope == {DOC: ((50, 69), (80, 89))}
    assert (scores.predicted, scores.correct, scores.found) == (1, 1, 1)
    assert score_extraction(items, GOLD)["recommendation"].predicted == 2
    assert load_scope(tmp_path / "missing") == {}


def test_one_annotation_scored_against_another() -> None:
    second = [*GOLD, _gold(70, "Die Politik sollte Netzwerke langfristig fördern.")]
    first = gold_as_items(GOLD)  # the repeat on page 60 is no item of its own
    scores = score_extraction(first, second)["recommendation"]
    assert (scores.predicted, scores.correct, scores.gold, scores.found) == (2, 2, 3, 2)
