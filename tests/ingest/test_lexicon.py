"""The word lists committed in ingest/data/ follow from the installed packages, and query
analysis does not need spaCy or the big word list."""

from __future__ import annotations

import subprocess
import sys

from ingest import lexicon


def test_committed_lists_match_the_installed_packages() -> None:
    for path, text in lexicon.derived_lists().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m ingest.lexicon"


def test_part_table_is_the_common_part_of_the_full_list() -> None:
    parts, full = lexicon.part_log_probs(), lexicon.word_log_probs()
    assert parts and all(full[w] == p and p >= lexicon.PART_LOG_PROB for w, p in parts.items())
    assert "handwerk" in parts and "betrieb" in parts
    assert {"und", "der"} <= lexicon.stop_words("de") and {"the", "and"} <= lexicon.stop_words("en")


def test_query_analysis_loads_neither_spacy_nor_the_full_word_list() -> None:
    probe = (
        "import sys; from ingest.lexical import analyse; from ingest import lexicon; "
        "terms = analyse('Welche Handwerksbetriebe profitieren?'); "
        "assert 'betrieb' in terms and 'handwerk' in terms, terms; "
        "assert 'spacy' not in sys.modules; "
        "assert lexicon.word_log_probs.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
