"""The public CLI contract of `lotse retrieve` and `lotse ask` (DESIGN.md), stdin batch mode."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.settings import Settings
from tests.helpers import run_lotse

PASSAGE_FIELDS = {"doc", "title", "page", "page_end", "text", "score", "chunk_id"}
CITATION_FIELDS = {"n", "doc", "title", "page", "quote", "chunk_id"}


def test_retrieve_json_contract(fake_index: Settings, tmp_path: Path) -> None:
    result = run_lotse(["retrieve", "--json", "-k", "3", "Clustermanagement Aufgaben"], fake_index.data_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert set(row) == {"question", "passages"} and row["question"] == "Clustermanagement Aufgaben"
    assert len(row["passages"]) == 3
    assert all(set(p) == PASSAGE_FIELDS for p in row["passages"])


def test_ask_json_contract_and_stdin_batch(fake_index: Settings, tmp_path: Path) -> None:
    questions = [
        "Was bringt ein Cluster den Betrieben?",
        "Welche Aufgaben hat ein Clustermanagement?",
        "Wie ist das Wetter?",
    ]
    result = run_lotse(["ask", "--json"], fake_index.data_dir, tmp_path, stdin="\n".join(questions) + "\n\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["question"] for r in rows] == questions
    for row in rows:
        assert set(row) == {"question", "answer", "abstained", "citations"}
        assert all(set(c) == CITATION_FIELDS for c in row["citations"])
        if row["abstained"]:
            assert row["citations"] == [] and row["answer"].startswith("Nicht in den Dokumenten")


def test_ask_abstains_as_json(fake_index: Settings, tmp_path: Path) -> None:
    result = run_lotse(
        ["ask", "--json", "Was kostet ein Cluster?"], fake_index.data_dir, tmp_path, LOTSE_ABSTAIN_BELOW="99"
    )
    row = json.loads(result.stdout)
    assert row["abstained"] is True and row["citations"] == []


def test_readable_ask_prints_sources(fake_index: Settings, tmp_path: Path) -> None:
    result = run_lotse(["ask", "Welche Rolle spielen Handwerkskammern?"], fake_index.data_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "S. " in result.stdout


def test_empty_index_says_what_to_do(tmp_path: Path) -> None:
    result = run_lotse(["ask", "--json", "Was bringt ein Cluster?"], tmp_path / "empty", tmp_path)
    assert result.returncode == 2
    assert "lotse ingest" in result.stderr
