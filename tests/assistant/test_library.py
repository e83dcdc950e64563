"""The sentence table's reading aids: which neighbouring sentences complete a chosen one."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.library import SentenceTable
from ingest.types import Sentence


def _table(lines: list[tuple[int, str]]) -> SentenceTable:
    """One sentence per (page, text), offsets as the ingest step stores them."""
    items, cursor = [], 0
    for seq, (page, text) in enumerate(lines):
        items.append(Sentence("d.pdf", seq, page, cursor, cursor + len(text), text))
        cursor += len(text) + 1
    return SentenceTable(tuple(items), np.zeros((len(items), 4), dtype=np.float32), {"d.pdf": (0, len(items))})


ANNOUNCES = "Spezielle Vorteile ergeben sich dort, wo KMU Größennachteile ausgleichen können."


@pytest.mark.parametrize(
    "following",
    [
        "Dies sind z. B. bessere Einkaufskonditionen und gemeinsame Messeauftritte.",
        "Als Gründe hierfür werden fehlender Konsens und schwache Netzwerke angeführt.",
        "Sie benennen hier Maßnahmen zur Erhöhung der technologischen Fähigkeiten.",
        "Diese müssten als Multiplikatoren die Grundzüge an die Betriebe weitergeben.",
    ],
)
def test_a_sentence_that_points_back_completes_the_one_before(following: str) -> None:
    table = _table([(1, ANNOUNCES), (1, following)])
    assert table.continuation_after(0) == (1,)
    assert table.antecedent_before(1) == (0,)


@pytest.mark.parametrize(
    "following",
    [
        "Um diese Zielfelder zu lokalisieren, wurden Branchen untersucht.",  # a demonstrative names the topic
        "Die Rücklaufquote lag bei 40 Prozent.",
        "• Dies ist ein Listenpunkt.",
    ],
)
def test_a_new_statement_is_not_taken_for_a_continuation(following: str) -> None:
    table = _table([(1, ANNOUNCES), (1, following)])
    assert table.continuation_after(0) == ()
    assert table.antecedent_before(1) == ()


def test_continuations_stay_on_their_page() -> None:
    table = _table([(1, ANNOUNCES), (2, "Dies sind z. B. bessere Einkaufskonditionen.")])
    assert table.continuation_after(0) == ()
    assert table.antecedent_before(1) == ()
