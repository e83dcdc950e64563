"""Fixtures for the UI tests: a real small index (two corpus PDFs, fake embedder) in a temporary
folder, and the environment the app reads its settings from (the app builds Settings itself)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st

from ingest.pipeline import ingest_paths
from ingest.settings import Settings
from tests.helpers import CORPUS_DIR, STATUS_QUO, TRENDATLAS, make_settings

SMALL_CORPUS = (STATUS_QUO, TRENDATLAS)
APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


@dataclass(frozen=True)
class UiIndex:
    settings: Settings
    corpus: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "LOTSE_DATA_DIR": str(self.settings.data_dir),
            "LOTSE_CORPUS_DIR": str(self.corpus),
            "LOTSE_EMBEDDER": self.settings.embedder,
        }


def build_index(root: Path, docs: tuple[str, ...] = SMALL_CORPUS, embedder: str = "fake") -> UiIndex:
    """Copies of corpus PDFs in their own corpus folder (uploads and removals stay in ``root``)."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name in docs:
        shutil.copy2(CORPUS_DIR / name, corpus / name)
    settings = make_settings(root / "data", corpus_dir=corpus, embedder=embedder)
    report = ingest_paths([corpus], settings)
    assert report.ok, report.outcomes
    return UiIndex(settings, corpus)


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> UiIndex:
    """Read-only pages (chat, claims, checklists) share this index; tests that change an index
    use ``own_index``."""
    return build_index(tmp_path_factory.mktemp("ui-shared"))


@pytest.fixture
def own_index(tmp_path: Path) -> UiIndex:
    return build_index(tmp_path, docs=(STATUS_QUO,))


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches() -> Iterator[None]:
    """``st.cache_resource`` lives as long as the process: every test starts from its own settings."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def use_index(monkeypatch: pytest.MonkeyPatch, index: UiIndex, **extra: str) -> None:
    for key, value in {**index.env, **extra}.items():
        monkeypatch.setenv(key, value)
