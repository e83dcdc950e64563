"""The German analyser behind BM25: stems, umlaut folding, stop words, compounds, gender forms."""

from __future__ import annotations

import pytest

from ingest.lexical import analyse, compound_parts, stem, stop_words


def test_compound_meets_its_phrase() -> None:
    compound = analyse("Handwerksbetriebe")
    phrase = analyse("Betriebe des Handwerks")
    assert {"handwerk", "betrieb"} <= set(compound) & set(phrase)
    assert compound_parts("Handwerksbetriebe") == ("handwerk", "betriebe")  # stemmed later


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Clustermanagement", ("cluster", "management")),
        ("Wettbewerbsfähigkeit", ("wettbewerb", "fähigkeit")),
        ("Innovationspolitik", ("innovation", "politik")),
    ],
)
def test_compounds_split_at_linking_elements(word: str, parts: tuple[str, ...]) -> None:
    assert compound_parts(word) == parts


def test_common_words_are_not_split() -> None:
    assert compound_parts("Unternehmen") == ()  # not unter + nehmen
    assert compound_parts("Zusammenarbeit") == ()
    assert compound_parts("Kammer") == ()  # too short to be two parts


def test_umlauts_and_sharp_s_are_folded() -> None:
    assert analyse("Förderung") == analyse("Foerderung") == analyse("Forderung") == ["forder"]
    assert analyse("Größe") == analyse("Grösse") == ["gross"]
    assert stem("Häufung") == stem("Haufung")
    assert all(not set(term) & set("äöüß") for term in analyse("Übersicht über Größenvorteile für Kölner Bäckereien"))


def test_stop_words_are_dropped() -> None:
    assert analyse("der die das und oder nicht mit für von") == []
    assert analyse("Die Kammer und der Verband") == ["kamm", "verband"]
    assert {"und", "der", "the", "and"} <= stop_words()


@pytest.mark.parametrize("form", ["Clustermanager:innen", "Clustermanager*innen", "ClustermanagerInnen"])
def test_gender_forms_meet_the_plain_word(form: str) -> None:
    assert analyse(form) == analyse("Clustermanager")
    assert "clustermanag" in analyse(form)


def test_gender_colon_form_is_one_token() -> None:
    assert analyse("Mitarbeiter:innen") == ["mitarbeit"]
    assert analyse("Die Manager:innen der Cluster") == ["manag", "clust"]


def test_numbers_are_kept_as_terms() -> None:
    assert analyse("seit 2018 rund 75 Akteure") == ["2018", "75", "akteur"]
