"""Process-wide resources, built once per server (``st.cache_resource``): settings and assistant.

Settings are built here, at the edge, and passed down; nothing below reads the environment.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from assistant.service import Assistant
from ingest.errors import LotseError
from ingest.settings import Settings


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return Settings()


@st.cache_resource(show_spinner="Clusterlotse lädt Modelle und Index …")
def get_assistant() -> Assistant:
    assistant = Assistant(get_settings())
    warm_up(assistant)
    return assistant


WARM_UP_QUESTION = "Was bringt eine Clusterinitiative den Handwerksbetrieben in der Region?"


def warm_up(assistant: Assistant) -> None:
    """Answer one question extractively now (never through an LLM backend), so the embedder, the
    sentence vectors and the word lists (compound splitting) are loaded before the first user
    waits for them."""
    if assistant.library.chunks:
        assistant.extractive.answer(WARM_UP_QUESTION)


def settings_or_stop() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        st.error(f"Die Einstellungen (LOTSE_…) sind ungültig:\n\n{exc}")
        st.stop()
        raise  # st.stop() never returns; this keeps the type checker honest


def assistant_or_stop() -> Assistant:
    settings_or_stop()
    try:
        return get_assistant()
    except LotseError as exc:
        st.error(str(exc))
        st.stop()
        raise


def reload_after_change() -> None:
    """After an ingest or a removal: the next question, checklist and table see the new index."""
    get_assistant().reload()
    warm_up(get_assistant())
    st.cache_data.clear()


def library_fingerprint(assistant: Assistant) -> str:
    """Changes whenever a document is added, replaced or removed (a cache key for derived data)."""
    docs = assistant.library.documents
    return "|".join(f"{d.doc}:{d.sha256}:{d.ingested_at}" for d in sorted(docs.values(), key=lambda d: d.doc))
