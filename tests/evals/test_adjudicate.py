"""The adjudicated gold: what both annotators list stays, a lone item only by decision, and the
committed development gold is exactly what the committed annotations and decisions make."""

from __future__ import annotations

import json
from typing import Any

import pytest

from evals.adjudicate import (
    Row,
    adjudicate,
    load_decisions,
    read_rows,
    split,
)
from evals.checklists import EXTRACTION_DIR, EXTRACTION_FIRST_DIR, EXTRACTION_SECOND_DIR

DOC = "x.pdf"


def rec(page: int, quote: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "recommendation", "doc": DOC, "page": page, "quote": quote, "recommendation": quote[:20]} | extra


def ind(page: int, quote: str) -> dict[str, Any]:
    return {"kind": "indicator", "doc": DOC, "page": page, "quote": quote, "name": quote[:10]}


FIRST = [
    Row("first/x.jsonl", 1, rec(3, "Die Akteure sollten früh eingebunden werden.")),
    Row("first/x.jsonl", 2, rec(5, "Netzwerke brauchen eine verlässliche Finanzierung.")),
]
SECOND = [
    Row("second/x.jsonl", 1, rec(3, "Die Akteure sollten früh eingebunden werden.")),
    Row("second/x.jsonl", 2, ind(4, "Im Durchschnitt gibt es 2,5 Stellen im Management.")),
    Row("second/x.jsonl", 3, rec(9, "Die Akteure sollten früh eingebunden werden.", duplicate_of="1")),
    Row("second/x.jsonl", 4, rec(6, "Der Anteil der KMU liegt bei 60 Prozent der Mitglieder.")),
]


def test_only_items_one_annotator_lists_need_a_decision() -> None:
    rows = split(FIRST, SECOND)
    assert [r.key for r in rows.agreed] == [("first/x.jsonl", 1)]
    assert [r.key for r in rows.candidates] == [
        ("first/x.jsonl", 2),
        ("second/x.jsonl", 2),
        ("second/x.jsonl", 3),
        ("second/x.jsonl", 4),
    ]


def test_decisions_keep_drop_or_move_an_item_and_duplicates_point_to_their_new_line() -> None:
    decisions = {
        ("first/x.jsonl", 2): "drop",
        ("second/x.jsonl", 2): "keep",
        ("second/x.jsonl", 3): "keep",
        ("second/x.jsonl", 4): "other_kind",
    }
    rows = adjudicate(split(FIRST, SECOND), decisions)[DOC]
    assert [(r["kind"], r["page"]) for r in rows] == [
        ("recommendation", 3),
        ("indicator", 4),
        ("indicator", 6),
        ("recommendation", 9),
    ]
    assert rows[2]["name"] == "" and "recommendation" not in rows[2]  # moved: the other kind's shape
    # the second annotator's duplicate pointed at its own line 1, which stands for our agreed line 1
    assert rows[3]["duplicate_of"] == "1"
    assert not any("duplicate_of" in r for r in rows[:3])


def test_a_candidate_without_a_decision_stops_the_build() -> None:
    with pytest.raises(ValueError, match="no decision"):
        adjudicate(split(FIRST, SECOND), {("first/x.jsonl", 2): "keep"})


def test_the_development_gold_is_what_the_annotations_and_decisions_make() -> None:
    rows = split(read_rows(EXTRACTION_FIRST_DIR), read_rows(EXTRACTION_SECOND_DIR))
    decisions = load_decisions()
    assert {r.key for r in rows.candidates} == set(decisions)  # every decision is about a real candidate
    for doc, adjudicated in adjudicate(rows, decisions).items():
        path = EXTRACTION_DIR / f"{doc.removesuffix('.pdf')}.jsonl"
        committed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert committed == adjudicated, f"{path} is stale: run python -m evals.adjudicate"
