"""Bibliothek: the ingested documents; upload, remove, re-ingest."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from ingest.errors import LotseError
from ingest.pipeline import ingest_paths, remove_document
from ingest.settings import Settings
from ingest.types import DocumentInfo, IngestReport
from ui.ingest_feedback import outcome_messages, progress_reporter
from ui.resources import assistant_or_stop, reload_after_change
from ui.uploads import SavedUpload, UploadRefused, save_upload, undo_upload

CONFIRM = "library_confirm_remove"
MESSAGES = "library_messages"


def german_date(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return stamp


def documents_table(documents: dict[str, DocumentInfo]) -> pd.DataFrame:
    rows = [
        {
            "Titel": info.title,
            "Datei": info.doc,
            "Seiten": info.pages,
            "Abschnitte": info.chunks,
            "Eingelesen": german_date(info.ingested_at),
        }
        for info in sorted(documents.values(), key=lambda d: d.title.lower())
    ]
    return pd.DataFrame(rows, columns=["Titel", "Datei", "Seiten", "Abschnitte", "Eingelesen"])


def run_ingest(paths: list[Path], settings: Settings) -> IngestReport | None:
    bar = st.progress(0.0, text="Starte das Einlesen …")
    try:
        report = ingest_paths(paths, settings, progress=progress_reporter(bar))
    except LotseError as exc:
        bar.empty()
        st.error(str(exc))
        return None
    bar.progress(1.0, text="Fertig.")
    reload_after_change()
    return report


def show_messages() -> None:
    for kind, text in st.session_state.pop(MESSAGES, []):
        getattr(st, kind)(text)


def upload_section(settings: Settings) -> None:
    limit = max(1, math.floor(settings.max_file_mb))
    with st.form("upload", clear_on_submit=True, border=True):
        st.markdown("**PDFs hochladen**")
        files = st.file_uploader(
            f"PDF-Dateien (je höchstens {settings.max_file_mb:g} MB)",
            type=["pdf"],
            accept_multiple_files=True,
            max_upload_size=limit,
            key="library_upload",
        )
        replace = st.checkbox("Vorhandene Dateien gleichen Namens ersetzen", key="library_replace")
        submitted = st.form_submit_button("Hochladen und einlesen", type="primary", icon=":material/upload:")
    st.caption(f"Hochgeladene Dateien werden im Korpusordner abgelegt: {settings.corpus_dir}")
    if not submitted:
        return
    if not files:
        st.warning("Bitte zuerst PDF-Dateien auswählen.")
        return
    messages: list[tuple[str, str]] = []
    saved: dict[str, SavedUpload] = {}
    for file in files:
        try:
            upload = save_upload(
                settings.corpus_dir, file.name, file.getvalue(), max_mb=settings.max_file_mb, replace=replace
            )
        except (UploadRefused, OSError) as exc:
            messages.append(("error", str(exc)))
            continue
        saved[upload.path.name] = upload
    if saved:
        report = run_ingest([s.path for s in saved.values()], settings)
        if report is None:
            for upload in saved.values():
                undo_upload(upload)
        else:
            for outcome in report.by_status("failed"):
                if outcome.doc in saved:
                    undo_upload(saved[outcome.doc])
            messages += outcome_messages(report)
    st.session_state[MESSAGES] = messages
    st.rerun()


def removable_file(settings: Settings, source: str | None) -> Path | None:
    """The document's PDF, when it lies in the corpus folder (files elsewhere are never deleted)."""
    if not source:
        return None
    path = Path(source).resolve()
    corpus = settings.corpus_dir.resolve()
    return path if path.is_file() and corpus in path.parents else None


def remove_section(
    settings: Settings, documents: dict[str, DocumentInfo], sources: Callable[[str], str | None]
) -> None:
    st.markdown("**Dokument entfernen**")
    choice = st.selectbox(
        "Dokument",
        sorted(documents),
        format_func=lambda doc: f"{documents[doc].title} ({doc})",
        key="library_remove_choice",
        index=None,
        placeholder="Dokument wählen …",
    )
    if st.button("Entfernen …", icon=":material/delete:", disabled=choice is None):
        st.session_state[CONFIRM] = choice
    pending = st.session_state.get(CONFIRM)
    if not pending or pending not in documents:
        return
    with st.container(border=True):
        st.warning(f"**{documents[pending].title}** ({pending}) wirklich aus dem Index entfernen?")
        source = removable_file(settings, sources(pending))
        delete_file = False
        if source is not None:
            delete_file = st.checkbox(
                "Auch die PDF-Datei im Korpusordner löschen (sonst kommt sie beim nächsten Neu-Einlesen wieder)",
                key="library_delete_file",
            )
        yes, no = st.columns(2)
        if yes.button("Ja, entfernen", type="primary", key="library_confirm_yes"):
            try:
                remove_document(pending, settings)
            except LotseError as exc:
                st.error(str(exc))
                return
            if delete_file and source is not None:
                source.unlink(missing_ok=True)
            st.session_state.pop(CONFIRM, None)
            reload_after_change()
            st.session_state[MESSAGES] = [("success", f"{pending} wurde entfernt.")]
            st.rerun()
        if no.button("Abbrechen", key="library_confirm_no"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def reingest_section(settings: Settings) -> None:
    st.markdown("**Korpusordner neu einlesen**")
    st.caption("Liest neue und geänderte PDFs aus dem Korpusordner ein; unveränderte werden übersprungen.")
    if st.button("Neu einlesen", icon=":material/sync:", key="library_reingest"):
        report = run_ingest([settings.corpus_dir], settings)
        if report is not None:
            st.session_state[MESSAGES] = outcome_messages(report)
            st.rerun()


def main() -> None:
    st.title("Bibliothek")
    assistant = assistant_or_stop()
    settings = assistant.settings
    show_messages()
    documents = assistant.library.documents
    if documents:
        st.dataframe(
            documents_table(documents),
            hide_index=True,
            column_config={
                "Titel": st.column_config.TextColumn("Titel", width="large"),
                "Seiten": st.column_config.NumberColumn("Seiten", format="%d"),
                "Abschnitte": st.column_config.NumberColumn("Abschnitte", format="%d"),
            },
            key="library_table",
        )
    else:
        st.info("Noch keine Dokumente im Index.")
    upload_col, manage_col = st.columns([3, 2], gap="large")
    with upload_col:
        upload_section(settings)
    with manage_col:
        if documents:
            remove_section(settings, documents, assistant.library.catalog.source_file)
            st.divider()
        reingest_section(settings)


main()
