"""Checklists: extracted items (cached per catalog state), their ticks and notes (persisted per
checklist under ``LOTSE_DATA_DIR/checklists``), and exports as CSV, Markdown and XLSX.

Extraction reads stored sentences and pages only (no embedding), so a whole corpus extracts in
seconds; the result is cached per process and recomputed for a document only when its catalog
row (hash, ingest time) changes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.extract import KINDS, active_reader, extract_document
from assistant.library import Library, open_library
from assistant.types import ChecklistItem
from ingest.catalog import Catalog
from ingest.errors import LotseError, UnknownDocumentError
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.extract.llm_extract import BatchProgress

STATUSES = ("offen", "erledigt", "nicht relevant")
FORMATS = ("csv", "md", "xlsx")


class ChecklistError(LotseError):
    """A checklist request that cannot work (unknown kind, status or format)."""


@dataclass(frozen=True)
class ItemState:
    status: str = "offen"
    note: str = ""


# --- extraction, cached per catalog state ----------------------------------------------------
_CACHE: dict[tuple[str, str, str, str, str], list[ChecklistItem]] = {}
_CACHE_LOCK = threading.Lock()


def _catalog_state(settings: Settings) -> dict[str, tuple[str, str]]:
    """doc → (sha256, ingested_at) as the catalog says now (a cheap query)."""
    catalog = Catalog(settings.catalog_path)
    try:
        return {d.doc: (d.sha256, d.ingested_at) for d in catalog.documents()}
    finally:
        catalog.close()


def _library(settings: Settings, state: dict[str, tuple[str, str]]) -> Library:
    library = open_library(settings)
    loaded = {d.doc: (d.sha256, d.ingested_at) for d in library.documents.values()}
    if loaded != state:  # an ingest ran since this process loaded the index
        library = open_library(settings, fresh=True)
    return library


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ChecklistError(f"Unbekannte Art '{kind}'. Erlaubt: {', '.join(KINDS)}.")


def extract_items(
    settings: Settings, kind: str | None = None, doc: str | None = None, progress: BatchProgress | None = None
) -> list[ChecklistItem]:
    """Checklist items of the index (or of one document), optionally of one kind, in document
    order, indicators before recommendations within a document. ``progress`` hears how far a
    configured LLM has read each document (the rules take seconds and report nothing)."""
    _check_kind(kind)
    state = _catalog_state(settings)
    if doc is not None and doc not in state:
        raise UnknownDocumentError(f"Dokument '{doc}' ist nicht im Index (siehe `lotse docs`).")
    library = _library(settings, state)
    library.require_documents()
    items: list[ChecklistItem] = []
    backend = f"llm:{settings.llm_model}" if settings.llm_configured else "rules"
    if backend == "rules" and active_reader(settings) is not None:
        backend = "rules+reader"
    for name in sorted(state) if doc is None else [doc]:
        key = (str(settings.data_dir), name, *state[name], backend)
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is None:
            cached = _extract(settings, library, name, progress)
            with _CACHE_LOCK:
                for old in [k for k in _CACHE if k[:2] == key[:2] and k[4] == backend]:
                    del _CACHE[old]  # an earlier version of this document
                _CACHE[key] = cached
        items.extend(cached)
    return [item for item in items if kind is None or item.kind == kind]


def _extract(settings: Settings, library: Library, doc: str, progress: BatchProgress | None) -> list[ChecklistItem]:
    def by_rules() -> list[ChecklistItem]:
        return extract_document(library, doc, active_reader(settings))

    if settings.llm_configured:
        from assistant.extract.llm_extract import extract_with_llm

        found = extract_with_llm(settings, library, doc, fallback=by_rules, progress=progress)
        if found is not None:
            return found
    return by_rules()


# --- ticks and notes ---------------------------------------------------------------------------
class ChecklistStore:
    """Status and note per item id, one JSON file per checklist. Every write re-reads the file and
    replaces it atomically, so two windows (or processes) on one checklist do not lose ticks."""

    def __init__(self, settings: Settings, name: str = "default") -> None:
        if not name or any(c in name for c in "/\\\0") or name.startswith("."):
            raise ChecklistError(f"Ungültiger Checklistenname '{name}': bitte nur einen einfachen Namen verwenden.")
        self.path = settings.data_dir / "checklists" / f"{name}.json"
        self._lock = threading.Lock()

    def states(self) -> dict[str, ItemState]:
        return {item_id: ItemState(**value) for item_id, value in self._read().items()}

    def set(self, item_id: str, status: str, note: str = "") -> None:
        if status not in STATUSES:
            raise ChecklistError(f"Unbekannter Status '{status}'. Erlaubt: {', '.join(STATUSES)}.")
        with self._lock:
            data = self._read()
            data[item_id] = {"status": status, "note": note}
            self._write(data)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ChecklistError(
                f"Die Checkliste {self.path} ist nicht lesbar ({exc}). Bitte die Datei prüfen oder entfernen."
            ) from exc
        items = raw.get("items", {}) if isinstance(raw, dict) else {}
        return {
            str(k): {"status": str(v.get("status", "offen")), "note": str(v.get("note", ""))}
            for k, v in items.items()
            if isinstance(v, dict)
        }

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": 1, "items": data}, ensure_ascii=False, indent=1, sort_keys=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


# --- export ------------------------------------------------------------------------------------
_FIELD_LABELS = {
    "name": "Name",
    "definition": "Definition",
    "value": "Wert",
    "category": "Kategorie",
    "recommendation": "Empfehlung",
    "addressee": "Adressat",
    "type": "Typ",
    "found_by": "Gefunden von",
}
_HEADER = ["ID", "Art", "Dokument", "Quelle", "Zitat", *_FIELD_LABELS.values(), "Status", "Notiz"]
# who found an item: the cue rules, the learned reader (whose items an evaluator weighs with
# more care) or the configured LLM
FOUND_BY_LABELS = {"rules": "Regel", "reader": "gelernt", "llm": "LLM"}


def field_text(item: ChecklistItem, key: str) -> str:
    """A field as a person reads it (``found_by`` in German words)."""
    value = item.fields.get(key, "")
    return FOUND_BY_LABELS.get(value, value) if key == "found_by" else value


def source_label(item: ChecklistItem) -> str:
    return f"Quelle: {item.title}, S. {item.page}"


def _rows(items: list[ChecklistItem], states: dict[str, ItemState]) -> list[list[str]]:
    rows = []
    for item in items:
        state = states.get(item.id, ItemState())
        fields = [field_text(item, key) for key in _FIELD_LABELS]
        rows.append([item.id, item.kind, item.doc, source_label(item), item.quote, *fields, state.status, state.note])
    return rows


def export_checklist(items: list[ChecklistItem], states: dict[str, ItemState], fmt: str) -> bytes:
    """The checklist as a file: ``csv`` (UTF-8 with BOM and ";" so German Excel opens it in
    columns), ``md`` (a Markdown table) or ``xlsx``. Every row names its source and quote."""
    rows = _rows(items, states)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(_HEADER)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "md":
        return _markdown(rows).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(rows)
    raise ChecklistError(f"Unbekanntes Format '{fmt}'. Erlaubt: {', '.join(FORMATS)}.")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(rows: list[list[str]]) -> str:
    lines = ["# Checkliste", ""]
    lines.append("| " + " | ".join(_HEADER) + " |")
    lines.append("|" + "|".join("---" for _ in _HEADER) + "|")
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet: Any = book.active
    sheet.title = "Checkliste"
    sheet.append(_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    widths = {"ID": 18, "Art": 14, "Dokument": 30, "Quelle": 40, "Zitat": 80, "Empfehlung": 60, "Notiz": 30}
    for index, title in enumerate(_HEADER, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(title, 18)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
