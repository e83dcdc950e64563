"""The checklist API: cached extraction with filters and typed errors, ticks and notes that
persist across store instances, and exports that parse and name their sources."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.checklist import (
    ChecklistError,
    ChecklistStore,
    ItemState,
    export_checklist,
    extract_items,
)
from assistant.types import ChecklistItem
from ingest.errors import UnknownDocumentError
from ingest.settings import Settings
from tests.assistant.test_extract import SMALL_DOC, build_small_index
from tests.helpers import make_settings


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_small_index(tmp_path_factory.mktemp("small-checklist"))


def _items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            id="a1",
            kind="recommendation",
            doc="bericht.pdf",
            title="Bericht | Cluster",
            page=3,
            quote="Neue Akteure integrieren; dabei\nKammern einbinden.",
            fields={
                "recommendation": "Neue Akteure integrieren",
                "addressee": "Clustermanagement",
                "type": "recommendation",
                "found_by": "reader",
            },
        ),
        ChecklistItem(
            id="b2",
            kind="indicator",
            doc="bericht.pdf",
            title="Bericht | Cluster",
            page=7,
            quote="Die Rücklaufquote lag bei 40 Prozent.",
            fields={"name": "Rücklaufquote", "definition": "", "value": "40 Prozent", "category": "Methodik"},
        ),
    ]


# --- extraction -----------------------------------------------------------------------------------
def test_extract_items_filters_by_kind_and_doc(small_index: Settings) -> None:
    everything = extract_items(small_index)
    kinds = {i.kind for i in everything}
    assert kinds == {"indicator", "recommendation"}
    only = extract_items(small_index, kind="indicator", doc=SMALL_DOC)
    assert only and all(i.kind == "indicator" and i.doc == SMALL_DOC for i in only)
    assert [i.id for i in only] == [i.id for i in everything if i.kind == "indicator"]


def test_extract_items_rejects_unknown_kind_and_document(small_index: Settings) -> None:
    with pytest.raises(ChecklistError, match="indicator, recommendation"):
        extract_items(small_index, kind="massnahme")
    with pytest.raises(UnknownDocumentError, match="lotse docs"):
        extract_items(small_index, doc="gibt-es-nicht.pdf")


def test_extract_items_sees_a_changed_document(tmp_path: Path) -> None:
    from ingest.pipeline import ingest_paths

    settings = build_small_index(tmp_path)
    before = {i.quote for i in extract_items(settings, kind="recommendation")}
    changed = [["Handlungsempfehlungen", "Die Kammern sollten jährlich einen Clustertag für Betriebe veranstalten."]]
    from tests.data.pdfgen import write_text_pdf

    write_text_pdf(tmp_path / "corpus" / SMALL_DOC, changed, title="Empfehlungen für Cluster")
    assert ingest_paths([tmp_path / "corpus"], settings).ok
    after = {i.quote for i in extract_items(settings, kind="recommendation")}
    assert after != before
    assert any("Clustertag" in quote for quote in after)


# --- ticks and notes -----------------------------------------------------------------------------
def test_states_persist_across_store_instances(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    store = ChecklistStore(settings, "beirat")
    assert store.states() == {}
    store.set("a1", "erledigt", "mit der Kammer besprochen")
    store.set("b2", "nicht relevant")
    store.set("a1", "erledigt", "Notiz geändert")
    again = ChecklistStore(settings, "beirat")
    assert again.states() == {
        "a1": ItemState("erledigt", "Notiz geändert"),
        "b2": ItemState("nicht relevant", ""),
    }
    assert ChecklistStore(settings, "andere").states() == {}
    path = settings.data_dir / "checklists" / "beirat.json"
    assert json.loads(path.read_text(encoding="utf-8"))["items"]["b2"]["status"] == "nicht relevant"
    assert sorted(p.name for p in path.parent.iterdir()) == ["beirat.json"]  # no temp files left


def test_store_rejects_bad_status_name_and_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    store = ChecklistStore(settings)
    with pytest.raises(ChecklistError, match="offen, erledigt, nicht relevant"):
        store.set("a1", "fertig")
    with pytest.raises(ChecklistError):
        ChecklistStore(settings, "../ausbruch")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{kaputt", encoding="utf-8")
    with pytest.raises(ChecklistError, match="nicht lesbar"):
        store.states()


# --- export ---------------------------------------------------------------------------------------
def test_csv_export_parses_and_names_sources() -> None:
    states = {"a1": ItemState("erledigt", "ok; geprüft")}
    data = export_checklist(_items(), states, "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, first, second = rows
    assert header[:5] == ["ID", "Art", "Dokument", "Quelle", "Zitat"]
    assert first[header.index("Quelle")] == "Quelle: Bericht | Cluster, S. 3"
    assert first[header.index("Zitat")] == "Neue Akteure integrieren; dabei\nKammern einbinden."
    assert first[header.index("Status")] == "erledigt" and first[header.index("Notiz")] == "ok; geprüft"
    assert second[header.index("Status")] == "offen"
    assert second[header.index("Wert")] == "40 Prozent"
    assert first[header.index("Gefunden von")] == "gelernt"  # the learned reader's item, in German words


def test_markdown_export_is_a_table_with_sources() -> None:
    text = export_checklist(_items(), {}, "md").decode("utf-8")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 4  # header, rule, two rows
    widths = {line.count(" | ") for line in table if not line.startswith("|---")}
    assert len(widths) == 1  # the "|" in the title is escaped, the newline in the quote folded
    assert "Quelle: Bericht \\| Cluster, S. 7" in text


def test_xlsx_export_opens_with_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_bytes(export_checklist(_items(), {"b2": ItemState("nicht relevant", "")}, "xlsx"))
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("Quelle")] == "Quelle: Bericht | Cluster, S. 3"
    assert rows[2][header.index("Status")] == "nicht relevant"
    assert rows[2][header.index("Zitat")] == "Die Rücklaufquote lag bei 40 Prozent."


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ChecklistError, match="csv, md, xlsx"):
        export_checklist(_items(), {}, "pdf")
