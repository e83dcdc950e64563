"""Question idioms get the documents' words for their answer, and English questions the German
words of their terms, on the lexical side only."""

from __future__ import annotations

import pytest

from assistant.query import german_terms, is_english, lexical_query


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("Was bringt ein Cluster meinen Mitgliedsbetrieben?", "Nutzen Vorteile"),
        ("Lohnt es sich für kleine Betriebe, beizutreten?", "Nutzen Vorteile"),
        ("Warum treten viele Handwerksbetriebe nicht bei?", "Hemmnisse Gründe"),
        ("Welche Hürden sehen kleine Betriebe?", "Hemmnisse Gründe"),
    ],
)
def test_idioms_are_expanded(question: str, added: str) -> None:
    assert lexical_query(question) == f"{question} {added}"


def test_other_questions_stay_as_asked() -> None:
    question = "Wie hoch war die Rücklaufquote der Befragung?"
    assert lexical_query(question) == question


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("What share of respondents reported working more intensively with other cluster managers?", True),
        ("How many cluster initiatives are there in Germany?", True),
        ("Wie viele Clusterinitiativen gibt es in Deutschland?", False),
        ("Was ist ein Cluster?", False),
        ("Cluster Management Aufgaben", False),  # keywords only: read as German
    ],
)
def test_english_questions_are_recognised(question: str, english: bool) -> None:
    assert is_english(question) is english


def test_english_terms_get_the_documents_german_words() -> None:
    question = "What arguments can a chamber of crafts use to convince its member businesses?"
    assert german_terms(question) == "Handwerkskammer Mitgliedsbetriebe"  # the longest term wins
    expanded = lexical_query("What do member companies gain from a cluster?")
    assert expanded.startswith("What do member companies gain from a cluster? Nutzen Vorteile")
    assert "Mitglied" in expanded and "Unternehmen" in expanded and "Cluster" in expanded
    assert german_terms("Wie viele Clusterinitiativen gibt es?") == ""
