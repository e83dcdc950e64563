"""Checklisten: extracted indicators and recommendations as editable tables with their sources."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from assistant.checklist import field_text
from assistant.service import Assistant
from assistant.types import ChecklistItem
from ingest.errors import LotseError
from ui.resources import assistant_or_stop, library_fingerprint
from ui.widgets import md_escape, render_source

STATUSES = ("offen", "erledigt", "nicht relevant")
SOURCE_PARAM = "quelle"
FORMATS = (
    ("csv", "CSV", "text/csv"),
    ("md", "Markdown", "text/markdown"),
    ("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)
# kind -> [(column label, field name, width)]
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "indicator": [
        ("Indikator", "name", "medium"),
        ("Definition", "definition", "large"),
        ("Wert", "value", "small"),
        ("Kategorie", "category", "small"),
        ("Gefunden von", "found_by", "small"),
    ],
    "recommendation": [
        ("Empfehlung", "recommendation", "large"),
        ("Adressat", "addressee", "small"),
        ("Art", "type", "small"),
        ("Gefunden von", "found_by", "small"),
    ],
}


@st.cache_data(show_spinner="Indikatoren und Empfehlungen werden aus den Dokumenten gelesen …")
def rule_items(_assistant: Assistant, fingerprint: str) -> list[ChecklistItem]:
    """The rules' extraction runs once per index state (``fingerprint`` is the cache key)."""
    from assistant.checklist import extract_items

    return list(extract_items(_assistant.settings))


def load_items(assistant: Assistant, fingerprint: str) -> list[ChecklistItem]:
    """The checklist items. A configured LLM reads for minutes, so a bar shows how far it has read
    each document; its items are kept per document state by ``extract_items`` itself (a cached
    Streamlit function would replay the bar on every run)."""
    from assistant.checklist import extract_items

    if not assistant.settings.llm_configured:
        return rule_items(assistant, fingerprint)
    bar = st.empty()

    def show(doc: str, done: int, total: int) -> None:
        bar.progress(done / total, text=f"Das Sprachmodell liest {doc}: {done} von {total} Abschnitten")

    try:
        return list(extract_items(assistant.settings, progress=show))
    finally:
        bar.empty()


def source_link(item: ChecklistItem) -> str:
    """A link to this page that opens the item's source (in a new tab: the table links open there)."""
    page = (st.context.url or "checklisten").split("?")[0]
    return f"{page}?{SOURCE_PARAM}={quote(item.id)}"


def item_table(items: list[ChecklistItem], kind: str, states: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for item in items:
        state = states.get(item.id)
        row: dict[str, Any] = {"Status": getattr(state, "status", "offen") or "offen"}
        row.update({label: field_text(item, name) for label, name, _ in COLUMNS[kind]})
        row.update(
            {
                "Dokument": item.title,
                "Seite": item.page,
                "Quelle": source_link(item),
                "Notiz": getattr(state, "note", "") or "",
            }
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=column_order(kind))


def column_order(kind: str) -> list[str]:
    """What to decide on first (status, the item, its page), the longer context after the note."""
    labels = [label for label, _, _ in COLUMNS[kind]]
    return ["Status", labels[0], "Seite", "Quelle", "Notiz", *labels[1:], "Dokument"]


def column_config(kind: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Status": st.column_config.SelectboxColumn(
            "Status", options=list(STATUSES), required=True, width="small", pinned=True
        ),
        "Dokument": st.column_config.TextColumn("Dokument", width="medium"),
        "Seite": st.column_config.NumberColumn("Seite", format="S. %d", width="small"),
        "Quelle": st.column_config.LinkColumn("Quelle", display_text="öffnen", width="small"),
        "Notiz": st.column_config.TextColumn("Notiz", width="medium", max_chars=500),
    }
    for position, (label, _, width) in enumerate(COLUMNS[kind]):
        config[label] = st.column_config.TextColumn(label, width=width, pinned=position == 0)  # type: ignore[arg-type]
    return config


def save_edits(store: Any, states: dict[str, Any], ids: list[str], table: pd.DataFrame, edits: dict[Any, Any]) -> int:
    """Write edited statuses and notes through to the store (only what differs from it)."""
    written = 0
    for row, change in edits.items():
        index = int(row)
        status = change.get("Status", table.iloc[index]["Status"]) or "offen"
        note = change.get("Notiz", table.iloc[index]["Notiz"]) or ""
        current = states.get(ids[index])
        if (getattr(current, "status", "offen"), getattr(current, "note", "") or "") != (status, note):
            store.set(ids[index], status, note=note)
            written += 1
    return written


def filters(items: list[ChecklistItem]) -> list[ChecklistItem]:
    titles = sorted({item.title for item in items})
    addressees = sorted({item.fields.get("addressee", "") for item in items} - {""})
    types = sorted({item.fields.get("type", "") for item in items} - {""})
    finders = sorted({field_text(item, "found_by") for item in items} - {""})
    doc_col, who_col, type_col, found_col = st.columns(4)
    chosen = Selection(
        docs=doc_col.multiselect("Dokument", titles, placeholder="alle Dokumente", key="cl_docs"),
        addressees=who_col.multiselect("Adressat", addressees, placeholder="alle Adressaten", key="cl_who"),
        types=type_col.multiselect("Art der Empfehlung", types, placeholder="alle Arten", key="cl_type"),
        found_by=found_col.multiselect(
            "Gefunden von",
            finders,
            placeholder="Regel und gelernt",
            key="cl_found",
            help="Regel: ein Stichwort oder eine Form im Text; gelernt: das gelernte Lesemodell, weniger sicher.",
        ),
    )
    return [item for item in items if chosen.keeps(item)]


@dataclass(frozen=True)
class Selection:
    """What the filters above the tables ask for; an empty list asks for nothing."""

    docs: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    found_by: list[str] = field(default_factory=list)

    def keeps(self, item: ChecklistItem) -> bool:
        if self.docs and item.title not in self.docs:
            return False
        if self.found_by and field_text(item, "found_by") not in self.found_by:
            return False
        if item.kind != "recommendation":
            return not (self.addressees or self.types)  # addressee and type exist only for recommendations
        return (not self.addressees or item.fields.get("addressee", "") in self.addressees) and (
            not self.types or item.fields.get("type", "") in self.types
        )


def source_viewer(assistant: Assistant, items: list[ChecklistItem]) -> None:
    """Open an item's source page: from the table's link (query parameter) or chosen here."""
    by_id = {item.id: item for item in items}
    linked = st.query_params.get(SOURCE_PARAM)
    viewer = st.expander(
        "Quelle eines Eintrags ansehen",
        icon=":material/description:",
        expanded=bool(linked),
        key="cl_viewer",
        on_change="rerun",
    )
    if not viewer.open:
        return
    with viewer:
        ids = list(by_id)
        chosen = st.selectbox(
            "Eintrag",
            ids,
            index=ids.index(linked) if linked in by_id else None,
            format_func=lambda i: f"S. {by_id[i].page} · {by_id[i].title} · {item_name(by_id[i])}",
            placeholder="Eintrag wählen …",
            key="cl_viewer_item",
        )
        if chosen is None:
            return
        item = by_id[chosen]
        st.markdown(f"**{md_escape(item_name(item))}** – {md_escape(item.title)}, S. {item.page}")
        render_source(assistant, item.doc, item.page, item.quote, key="cl-viewer")


def item_name(item: ChecklistItem) -> str:
    text = item.fields.get("name") or item.fields.get("recommendation") or item.quote
    return text if len(text) <= 90 else text[:89] + "…"


def editor(items: list[ChecklistItem], kind: str, store: Any, states: dict[str, Any], filter_key: str) -> int:
    """The table of one kind; returns how many edits it wrote to the store on this run."""
    if not items:
        st.info("Keine Einträge für diese Auswahl.")
        return 0
    table = item_table(items, kind, states)
    key = f"cl_edit_{kind}_{filter_key}"  # a new filter is a new table: row numbers change
    st.data_editor(
        table,
        hide_index=True,
        column_config=column_config(kind),
        disabled=[c for c in table.columns if c not in ("Status", "Notiz")],
        key=key,
        width="stretch",
    )
    # read the edits here rather than in on_change: the same code path for every way the
    # widget state changes, and nothing is lost when a rerun comes from elsewhere
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    return save_edits(store, states, [item.id for item in items], table, edits)


def downloads(items: list[ChecklistItem], states: dict[str, Any]) -> None:
    from assistant.checklist import export_checklist

    st.caption(f"Herunterladen ({len(items)} Einträge der aktuellen Auswahl, mit Status und Notizen):")
    columns = st.columns(len(FORMATS))
    for column, (fmt, label, mime) in zip(columns, FORMATS):
        column.download_button(
            label,
            data=export_checklist(items, states, fmt),
            file_name=f"clusterlotse-checkliste.{fmt}",
            mime=mime,
            icon=":material/download:",
            key=f"cl_download_{fmt}",
            on_click="ignore",
            width="stretch",
        )


def main() -> None:
    st.title("Checklisten")
    st.caption("Indikatoren und Empfehlungen aus den Dokumenten – Status und Notiz werden gespeichert.")
    assistant = assistant_or_stop()
    try:
        from assistant.checklist import ChecklistStore
    except ImportError:
        st.info("Checklisten sind in dieser Installation noch nicht verfügbar (Modul assistant.checklist fehlt).")
        return
    if not assistant.library.documents:
        st.info("Noch keine Dokumente im Index. Bitte zuerst in der Bibliothek PDFs einlesen.")
        return
    try:
        items = load_items(assistant, library_fingerprint(assistant))
    except LotseError as exc:
        st.error(str(exc))
        return
    try:
        store = ChecklistStore(assistant.settings)
        states = store.states()
    except LotseError as exc:
        st.error(str(exc))
        return
    chosen = filters(items)
    filter_key = hashlib.blake2b("|".join(item.id for item in chosen).encode(), digest_size=6).hexdigest()
    source_viewer(assistant, chosen)
    indicators = [item for item in chosen if item.kind == "indicator"]
    recommendations = [item for item in chosen if item.kind == "recommendation"]
    tab_ind, tab_rec = st.tabs([f"Indikatoren ({len(indicators)})", f"Empfehlungen ({len(recommendations)})"])
    with tab_ind:
        written = editor(indicators, "indicator", store, states, filter_key)
    with tab_rec:
        written += editor(recommendations, "recommendation", store, states, filter_key)
    if written:
        states = store.states()
        st.toast(f"{written} Änderung(en) gespeichert.", icon=":material/save:")
    downloads(chosen, states)


main()
