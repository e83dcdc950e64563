"""Server mode: with ``LOTSE_CHROMA_HOST`` the vectors live in a real ``chroma run`` server,
started here on 127.0.0.1; the catalog stays in the data dir. An unreachable server is a clear
configuration error, not a stack trace."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.retrieve import HybridRetriever
from ingest.errors import ConfigError
from ingest.pipeline import ingest_paths
from ingest.settings import Settings
from ingest.store import COLLECTION, VectorStore
from tests.data import pdfgen
from tests.helpers import PYTHON, CountingEmbeddings, catalog_ids, small_chunk_settings

CHROMA = PYTHON.with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not come up on port {port}")
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _server_settings(tmp_path: Path, port: int) -> Settings:
    return small_chunk_settings(tmp_path / "data").model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path, chroma_port: int) -> None:
    folder = tmp_path / "in"
    pdfgen.write_report(folder / "eins.pdf", "eins")
    pdfgen.write_report(folder / "zwei.pdf", "zwei")
    settings = _server_settings(tmp_path, chroma_port)
    report = ingest_paths([folder], settings)
    assert report.ok and len(report.by_status("added")) == 2
    assert not (settings.chroma_dir / "chroma.sqlite3").exists()  # nothing went to the embedded store

    import chromadb

    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_port).get_collection(COLLECTION)
    assert set(remote.get(include=[])["ids"]) == catalog_ids(settings)
    assert (remote.metadata or {}).get("embedder") == "fake/hashed-bow-64"

    counting = CountingEmbeddings()
    again = ingest_paths([folder], settings, embedder=counting)
    assert len(again.by_status("unchanged")) == 2 and counting.calls == 0

    passages = HybridRetriever(settings=settings, mode="dense", k=3).search("Clusterinitiativen im Handwerk")
    assert passages and {p.doc for p in passages} <= {"eins.pdf", "zwei.pdf"}


def test_an_unreachable_server_is_a_configuration_error(tmp_path: Path) -> None:
    settings = _server_settings(tmp_path, _free_port())  # nobody listens there
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1:\d+.*LOTSE_CHROMA_HOST"):
        VectorStore(settings, CountingEmbeddings())
