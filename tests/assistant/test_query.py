"""Question idioms get the documents' words for their answer, on the lexical side only."""

from __future__ import annotations

import pytest

from assistant.query import lexical_query


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("Was bringt ein Cluster meinen Mitgliedsbetrieben?", "Nutzen Vorteile"),
        ("Lohnt es sich für kleine Betriebe, beizutreten?", "Nutzen Vorteile"),
        ("What do member companies gain from a cluster?", "Nutzen Vorteile"),
        ("Warum treten viele Handwerksbetriebe nicht bei?", "Hemmnisse Gründe"),
        ("Welche Hürden sehen kleine Betriebe?", "Hemmnisse Gründe"),
    ],
)
def test_idioms_are_expanded(question: str, added: str) -> None:
    assert lexical_query(question) == f"{question} {added}"


def test_other_questions_stay_as_asked() -> None:
    question = "Wie hoch war die Rücklaufquote der Befragung?"
    assert lexical_query(question) == question
