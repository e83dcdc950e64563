"""`lotse ingest / docs / chunks / remove` as a user runs them: the installed command in a
subprocess, with LOTSE_DATA_DIR in a temporary folder and the fake embedder."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

from ingest.settings import Settings
from tests.data import pdfgen
from tests.helpers import CORPUS_PAGES, GOOD_NAME, HOSTILE, build_hostile_folder, catalog_ids, run_lotse

DOC_FIELDS = {"doc", "title", "pages", "chunks", "sha256", "ingested_at"}
CHUNK_FIELDS = {"chunk_id", "doc", "title", "page", "page_end", "text"}


def json_lines(stdout: str) -> list[dict]:
    """stdout of a --json command must be nothing but JSON objects, one per line."""
    lines = stdout.splitlines()
    assert all(line.strip() for line in lines), stdout
    rows = [json.loads(line) for line in lines]
    assert all(isinstance(row, dict) for row in rows)
    return rows


def summary(stderr: str) -> dict[str, int]:
    flat = " ".join(stderr.split())  # the console may wrap long lines
    match = re.search(r"Zusammenfassung: (.*)$", flat)
    assert match, stderr
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


def test_failed_files_make_a_nonzero_exit_while_the_good_file_lands(tmp_path: Path) -> None:
    folder = build_hostile_folder(tmp_path / "in")
    data = tmp_path / "data"
    result = run_lotse(["ingest", str(folder)], data, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # progress and summary go to stderr
    counts = summary(result.stderr)
    assert counts["added"] == 1 and counts["failed"] == len(HOSTILE)
    flat = " ".join(result.stderr.split())
    for kind in HOSTILE:
        assert kind.name in flat
    assert "OCR" in flat and "Passwort" in flat

    docs = run_lotse(["docs", "--json"], data, cwd=tmp_path)
    assert docs.returncode == 0, docs.stderr
    (row,) = json_lines(docs.stdout)
    assert set(row) == DOC_FIELDS
    assert row["doc"] == GOOD_NAME and row["title"] == "Guter Bericht" and row["pages"] == 2
    assert row["chunks"] >= 1
    assert row["sha256"] == hashlib.sha256((folder / GOOD_NAME).read_bytes()).hexdigest()
    assert datetime.fromisoformat(row["ingested_at"]).tzinfo is not None


def test_ingest_chunks_remove_and_prune(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins", title="Erster Bericht")
    pdfgen.write_report(folder / "zwei.pdf", "zwei", title="Zweiter Bericht", pages=3)
    data = tmp_path / "data"

    first = run_lotse(["ingest", str(folder)], data, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert summary(first.stderr)["added"] == 2
    assert "eins.pdf" in first.stderr and "zwei.pdf" in first.stderr

    chunks = run_lotse(["chunks", "--json", "--doc", "zwei.pdf"], data, cwd=tmp_path)
    assert chunks.returncode == 0, chunks.stderr
    rows = json_lines(chunks.stdout)
    assert rows and all(set(row) == CHUNK_FIELDS for row in rows)
    assert {row["doc"] for row in rows} == {"zwei.pdf"}
    assert {row["title"] for row in rows} == {"Zweiter Bericht"}
    assert all(1 <= row["page"] <= row["page_end"] <= 3 and row["text"] for row in rows)
    assert all("Zweiter Bericht" not in row["text"] for row in rows)  # the stored quote has no title
    settings = Settings(_env_file=None, data_dir=data, embedder="fake")
    assert {row["chunk_id"] for row in rows} == catalog_ids(settings, "zwei.pdf")
    everything = json_lines(run_lotse(["chunks", "--json"], data, cwd=tmp_path).stdout)
    assert {row["doc"] for row in everything} == {"eins.pdf", "zwei.pdf"}

    removed = run_lotse(["remove", "eins.pdf"], data, cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "Entfernt: eins.pdf" in removed.stderr
    assert [row["doc"] for row in json_lines(run_lotse(["docs", "--json"], data, cwd=tmp_path).stdout)] == ["zwei.pdf"]

    unknown = run_lotse(["remove", "eins.pdf"], data, cwd=tmp_path)
    assert unknown.returncode == 2
    assert "'eins.pdf' ist nicht im Index" in " ".join(unknown.stderr.split())
    unknown_chunks = run_lotse(["chunks", "--json", "--doc", "gibtsnicht.pdf"], data, cwd=tmp_path)
    assert unknown_chunks.returncode == 2 and unknown_chunks.stdout == ""
    assert "'gibtsnicht.pdf' ist nicht im Index" in " ".join(unknown_chunks.stderr.split())

    (folder / "zwei.pdf").unlink()
    missing = run_lotse(["ingest", str(folder)], data, cwd=tmp_path)
    assert missing.returncode == 0, missing.stderr  # a missing file is news, not a failure
    counts = summary(missing.stderr)
    assert (counts["added"], counts["missing"], counts["failed"]) == (1, 1, 0)  # eins.pdf is back
    pruned = run_lotse(["ingest", "--prune", str(folder)], data, cwd=tmp_path)
    assert pruned.returncode == 0 and summary(pruned.stderr)["removed"] == 1
    assert [row["doc"] for row in json_lines(run_lotse(["docs", "--json"], data, cwd=tmp_path).stdout)] == ["eins.pdf"]


def test_docs_of_the_corpus_index(fake_index: Settings, tmp_path: Path) -> None:
    result = run_lotse(["docs", "--json"], fake_index.data_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json_lines(result.stdout)
    assert {row["doc"]: row["pages"] for row in rows} == CORPUS_PAGES
    assert all(set(row) == DOC_FIELDS and row["chunks"] > 0 for row in rows)
    table = run_lotse(["docs"], fake_index.data_dir, cwd=tmp_path)
    assert table.returncode == 0 and "trendstudie-cluster-corona.pdf" in table.stdout
