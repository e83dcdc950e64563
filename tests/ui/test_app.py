"""Every page of the Streamlit app through ``AppTest``, against a real small index."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.types import ChecklistItem, Citation, Verdict
from ingest.catalog import Catalog
from ingest.settings import Settings
from ingest.types import Page
from tests.assistant.test_llm import FakeOpenAI, Reply, long_sentence, sources_of
from tests.data import pdfgen
from tests.helpers import STATUS_QUO, TRENDATLAS, documents
from tests.ui.conftest import APP, UiIndex, use_index
from ui.roles import ROLES
from ui.widgets import VERDICT_LOOK, md_escape

QUESTION = "Wie viele Clusterinitiativen gibt es in Deutschland?"
TIMEOUT = 120


def start(monkeypatch: pytest.MonkeyPatch, index: UiIndex, page: str | None = None, **env: str) -> AppTest:
    use_index(monkeypatch, index, **env)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption]
    return "\n".join(parts)


def page_texts(index: UiIndex, doc: str) -> list[Page]:
    catalog = Catalog(index.settings.catalog_path)
    try:
        return catalog.pages(doc)
    finally:
        catalog.close()


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- Chat ---------------------------------------------------------------------------------------
def test_chat_page_shows_roles_and_their_suggestions(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    at = start(monkeypatch, shared_index)
    assert at.title[0].value == "Chat"
    # the sidebar is checked on the first run: AppTest 1.67 drops sidebar elements on reruns
    assert "Index: 2 Dokumente" in texts(at)
    role = at.segmented_control(key="chat_role")
    assert role.options == [r.label for r in ROLES]
    assert role.value == "Kammerberatung"
    assert at.pills[0].options == list(ROLES[0].questions)
    role.set_value("Evaluation").run()
    assert at.pills[0].options == list(ROLES[2].questions)
    for r in ROLES:
        assert 4 <= len(r.questions) <= 5


def test_chat_answers_with_numbered_sources_and_steps(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    at = ask(start(monkeypatch, shared_index), QUESTION)
    user, bot = at.chat_message
    assert user.name == "user" and bot.name == "assistant"
    assert at.status[0].label.startswith("Antwort") and at.status[0].state == "complete"
    steps = [m.value for m in at.status[0].markdown]
    assert steps[0].startswith("1. Suche in 2 Dokumenten")
    shown = "\n".join(m.value for m in bot.markdown)
    assert "**[1]**" in shown  # the answer's citation mark
    assert "**Quellen**" in shown
    assert "S. " in shown and "„" in shown  # title, page and quote of each source
    assert any(e.label.startswith("Seite ") for e in bot.expander)
    download = at.download_button(key="a0-download")
    assert download.label == "Als Markdown herunterladen"
    exported = at.code[0].value
    assert exported.startswith(f"**Frage:** {QUESTION}") and "**Quellen:**" in exported and "[1]" in exported


def test_opening_a_source_shows_marked_page_text_and_pdf_image(
    monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex
) -> None:
    at = ask(start(monkeypatch, shared_index), QUESTION)
    assert not at.image  # drawn only when opened
    at.session_state["a0-src-1"] = True
    at.run()
    assert not at.exception
    page_html = at.html[0].proto.body
    assert "<mark>" in page_html and "</mark>" in page_html
    captions = [c for image in at.image for c in image.captions]
    assert captions[0].startswith("PDF-Seite ") and "markierten Stelle" in captions[0]  # the marked excerpt
    assert len(captions) == 2 and "Ausschnitt" not in captions[1]  # and the whole page behind a popover


def test_suggestion_pill_asks_that_question(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    at = start(monkeypatch, shared_index)
    at.segmented_control(key="chat_role").set_value("Neues Clustermanagement").run()
    suggestion = ROLES[1].questions[0]
    at.pills[0].set_value(suggestion).run()
    assert not at.exception
    assert at.chat_message[0].markdown[0].value == suggestion
    assert at.pills[0].value is None  # ready for the next click
    assert "Neues Clustermanagement" in texts(at)


def test_a_streaming_backend_streams_then_shows_the_checked_answer(
    monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex
) -> None:
    """With an LLM endpoint configured (a small OpenAI-compatible server), pieces stream into the
    chat and are replaced by the final answer whose citations the backend checked."""
    said: list[str] = []

    def reply(body: dict[str, object]) -> Reply:
        said.append(long_sentence(sources_of(body)[1]))  # a sentence of source [1], cited as [1]
        return Reply(f"{said[-1]} [1]")

    with FakeOpenAI() as server:
        server.reply = reply
        env = {"LOTSE_LLM_BASE_URL": server.base_url, "LOTSE_LLM_MODEL": "test-modell"}
        at = ask(start(monkeypatch, shared_index, **env), QUESTION)
        assert server.requests and server.requests[-1]["stream"] is True
    assert at.status[0].label.startswith("Antwort") and at.status[0].state == "complete"
    turn = at.session_state["chat_history"][0]
    assert turn.answer.backend == "llm" and turn.answer.citations
    shown = "\n".join(m.value for m in at.chat_message[1].markdown)
    assert md_escape(said[0][:40]) in shown and "**[1]**" in shown and "▌" not in shown


def test_history_stays_for_the_session(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    at = ask(start(monkeypatch, shared_index), QUESTION)
    ask(at, "Was ist eine Clusterinitiative?")
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    assert len(at.session_state["chat_history"]) == 2
    at.run()  # an unrelated rerun keeps both
    assert len(at.chat_message) == 4


def test_abstention_looks_different_and_has_no_sources(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    # an unreachable evidence threshold: the real answerer returns its typed "not in the documents"
    at = ask(start(monkeypatch, shared_index, LOTSE_ABSTAIN_BELOW="99"), QUESTION)
    bot = at.chat_message[1]
    assert bot.warning and "Nicht in den Dokumenten" in bot.warning[0].value
    shown = "\n".join(m.value for m in bot.markdown)
    assert "Quellen" not in shown
    assert not bot.expander and not at.download_button


def test_chat_on_empty_index_points_to_the_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOTSE_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("LOTSE_EMBEDDER", "fake")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "Noch keine Dokumente" in at.info[0].value
    assert at.chat_input[0].disabled and at.pills[0].disabled


# --- Bibliothek ---------------------------------------------------------------------------------
def test_library_lists_the_documents(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    at = start(monkeypatch, shared_index, "views/library.py")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Titel", "Datei", "Seiten", "Abschnitte", "Eingelesen"]
    assert sorted(table["Datei"]) == sorted([STATUS_QUO, TRENDATLAS])
    assert dict(zip(table["Datei"], table["Seiten"])) == {STATUS_QUO: 6, TRENDATLAS: 36}
    assert all(table["Abschnitte"] > 0)
    assert at.file_uploader[0].allowed_type == [".pdf"] and at.file_uploader[0].accept_multiple_files


def test_upload_saves_safely_ingests_and_lists(
    monkeypatch: pytest.MonkeyPatch, own_index: UiIndex, tmp_path: Path
) -> None:
    report = pdfgen.write_report(tmp_path / "src" / "x.pdf", "hochgeladen", title="Hochgeladener Bericht")
    at = start(monkeypatch, own_index, "views/library.py")
    at.file_uploader[0].upload("../../Prüfbericht Ärger?.pdf", report.read_bytes(), "application/pdf")
    at.button(key="FormSubmitter:upload-Hochladen und einlesen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = own_index.corpus / "Pruefbericht-Aerger.pdf"
    assert saved.is_file()
    assert not (own_index.corpus.parent.parent / "Prüfbericht Ärger?.pdf").exists()
    assert any("Pruefbericht-Aerger.pdf: neu eingelesen" in s.value for s in at.success)
    assert "Pruefbericht-Aerger.pdf" in list(at.dataframe[0].value["Datei"])
    assert "Pruefbericht-Aerger.pdf" in documents(own_index.settings)


def test_a_bad_pdf_gets_its_reason_and_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, own_index: UiIndex, tmp_path: Path
) -> None:
    at = start(monkeypatch, own_index, "views/library.py")
    good = pdfgen.write_report(tmp_path / "gut.pdf", "gut", title="Guter Bericht")
    at.file_uploader[0].upload("notiz.pdf", b"nur eine Notiz, keine PDF", "application/pdf")
    at.file_uploader[0].upload("gut.pdf", good.read_bytes(), "application/pdf")
    at.button(key="FormSubmitter:upload-Hochladen und einlesen").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("notiz.pdf wurde nicht eingelesen:") and "Keine PDF" in errors[0]
    assert not (own_index.corpus / "notiz.pdf").exists()
    assert (own_index.corpus / "gut.pdf").is_file()
    assert sorted(at.dataframe[0].value["Datei"]) == sorted([STATUS_QUO, "gut.pdf"])


def test_upload_does_not_replace_a_different_file_unless_asked(
    monkeypatch: pytest.MonkeyPatch, own_index: UiIndex, tmp_path: Path
) -> None:
    at = start(monkeypatch, own_index, "views/library.py")
    other = pdfgen.write_report(tmp_path / "other.pdf", "anders", title="Anderer Bericht").read_bytes()
    original = (own_index.corpus / STATUS_QUO).read_bytes()
    at.file_uploader[0].upload(STATUS_QUO, other, "application/pdf")
    at.button(key="FormSubmitter:upload-Hochladen und einlesen").click().run()
    assert any("schon in der Bibliothek" in e.value for e in at.error)
    assert (own_index.corpus / STATUS_QUO).read_bytes() == original


def test_remove_asks_first_then_removes(monkeypatch: pytest.MonkeyPatch, own_index: UiIndex, tmp_path: Path) -> None:
    extra = pdfgen.write_report(own_index.corpus / "weg.pdf", "weg", title="Bericht zum Entfernen")
    at = start(monkeypatch, own_index, "views/library.py")
    at.button(key="library_reingest").click().run()  # re-ingest the corpus folder picks it up
    assert "weg.pdf" in list(at.dataframe[0].value["Datei"])
    assert any("weg.pdf: neu eingelesen" in s.value for s in at.success)
    at.selectbox(key="library_remove_choice").select("weg.pdf").run()
    at.button[[b.label for b in at.button].index("Entfernen …")].click().run()
    assert "wirklich aus dem Index entfernen" in at.warning[0].value
    assert "weg.pdf" in documents(own_index.settings)  # nothing happens before the confirmation
    at.checkbox(key="library_delete_file").check()
    at.button(key="library_confirm_yes").click().run()
    assert not at.exception
    assert "weg.pdf" not in documents(own_index.settings)
    assert "weg.pdf" not in list(at.dataframe[0].value["Datei"])
    assert not extra.exists()
    assert any("weg.pdf wurde entfernt" in s.value for s in at.success)


def test_removal_can_be_cancelled(monkeypatch: pytest.MonkeyPatch, own_index: UiIndex) -> None:
    at = start(monkeypatch, own_index, "views/library.py")
    at.selectbox(key="library_remove_choice").select(STATUS_QUO).run()
    at.button[[b.label for b in at.button].index("Entfernen …")].click().run()
    at.button(key="library_confirm_no").click().run()
    assert STATUS_QUO in documents(own_index.settings)
    assert not at.warning


def test_chat_sees_an_uploaded_document(monkeypatch: pytest.MonkeyPatch, own_index: UiIndex, tmp_path: Path) -> None:
    at = start(monkeypatch, own_index)
    ask(at, "Welche Projekte plant das Vorhaben Zebrafink?")  # nothing about it yet
    at.switch_page("views/library.py").run()
    report = pdfgen.write_report(tmp_path / "z.pdf", "zebrafink", title="Vorhaben Zebrafink")
    at.file_uploader[0].upload("zebrafink.pdf", report.read_bytes(), "application/pdf")
    at.button(key="FormSubmitter:upload-Hochladen und einlesen").click().run()
    at.switch_page("views/chat.py").run()
    ask(at, "Welche Projekte plant das Vorhaben Zebrafink?")
    last = at.chat_message[-1]
    assert any("zebrafink" in m.value.lower() for m in last.markdown), "the reloaded index answers from the upload"


# --- Aussage prüfen -----------------------------------------------------------------------------
def test_claims_page_shows_a_verdict_badge(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    pytest.importorskip("assistant.claims", reason="assistant/claims.py is not there yet")
    at = start(monkeypatch, shared_index, "views/claims.py")
    claim = "Auf der Clusterplattform Deutschland sind nahezu 480 Clusterinitiativen erfasst."
    at.text_area(key="claim_text").input(claim)
    at.button[[b.label for b in at.button].index("Prüfen")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    if any("noch nicht fertig" in i.value for i in at.info):
        pytest.skip("assistant.claims.check_claim is not implemented yet")
    shown = texts(at)
    assert any(badge in shown for badge in ("Belegt", "Widerlegt", "Nicht gefunden"))
    verdict, _, by_rules = at.session_state["claim_result"]
    assert by_rules  # no LLM is configured in the tests
    if verdict.evidence:
        assert "**Quellen**" in shown and "S. " in shown


@pytest.mark.parametrize(
    ("verdict", "badge"), [("supported", "Belegt"), ("contradicted", "Widerlegt"), ("not_found", "Nicht gefunden")]
)
def test_each_verdict_has_its_own_badge_and_quotes(
    monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex, verdict: str, badge: str
) -> None:
    pytest.importorskip("assistant.claims", reason="assistant/claims.py is not there yet")
    at = start(monkeypatch, shared_index, "views/claims.py")
    page = next(p for p in page_texts(shared_index, TRENDATLAS) if "480 Clusterinitiativen" in p.text)
    quote = next(s for s in re.split(r"(?<=\.) ", page.text) if "480 Clusterinitiativen" in s)
    evidence = () if verdict == "not_found" else (Citation(1, TRENDATLAS, "Trendatlas", page.page_no, quote, ""),)
    at.session_state["claim_result"] = (Verdict("Es gibt 480 Clusterinitiativen.", verdict, evidence), 0.2)  # type: ignore[arg-type]
    at.run()
    assert not at.exception
    shown = texts(at)
    colour = VERDICT_LOOK[verdict][1]
    assert f":{colour}-badge[" in shown and badge in shown
    assert "entscheidend ist die zitierte Stelle" in shown  # the rules' measured error rate, said plainly
    if evidence:
        assert f"Trendatlas, S. {page.page_no}" in shown and "480 Clusterinitiativen" in shown
        at.session_state["claim-src-1"] = True
        at.run()
        assert "<mark>" in at.html[0].proto.body
    else:
        assert "**Quellen**" not in shown


def test_the_rules_caution_shows_only_under_a_verdict_the_rules_gave(
    monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex
) -> None:
    pytest.importorskip("assistant.claims", reason="assistant/claims.py is not there yet")
    at = start(monkeypatch, shared_index, "views/claims.py")
    verdict = Verdict("Es gibt 480 Clusterinitiativen.", "not_found")
    at.session_state["claim_result"] = (verdict, 0.2, False)  # the LLM backend decided
    at.run()
    assert not at.exception
    assert "entscheidend ist die zitierte Stelle" not in texts(at)
    at.session_state["claim_result"] = (verdict, 0.2, True)  # the rules decided (also as the LLM's fallback)
    at.run()
    assert "entscheidend ist die zitierte Stelle" in texts(at)


def test_claims_example_fills_the_text(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    pytest.importorskip("assistant.claims", reason="assistant/claims.py is not there yet")
    at = start(monkeypatch, shared_index, "views/claims.py")
    example = at.pills(key="claim_example").options[1]
    at.pills(key="claim_example").set_value(example).run()
    assert at.text_area(key="claim_text").value == example


# --- Checklisten --------------------------------------------------------------------------------
def test_checklists_render_tables_filters_and_downloads(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    pytest.importorskip("assistant.checklist", reason="assistant/checklist.py is not there yet")
    at = start(monkeypatch, shared_index, "views/checklists.py")
    assert [t.label.split(" (")[0] for t in at.tabs] == ["Indikatoren", "Empfehlungen"]
    assert {m.key for m in at.multiselect} >= {"cl_docs", "cl_who", "cl_type", "cl_found"}
    assert {b.label for b in at.download_button} == {"CSV", "Markdown", "XLSX"}
    tables = at.data_editor
    assert tables, "at least one table of items"
    for table in tables:
        frame = table.value
        assert {"Status", "Dokument", "Seite", "Quelle", "Notiz"} <= set(frame.columns)
        assert set(frame["Status"]) <= {"offen", "erledigt", "nicht relevant"}
        assert all(str(link).split("?")[-1].startswith("quelle=") for link in frame["Quelle"])


def test_checklists_read_by_a_configured_llm(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    """With an LLM endpoint configured, the model reads every batch (a bar shows how far while it
    does) and the tables list what it found, each quote checked on its page."""

    def reply(body: dict[str, object]) -> Reply:  # the first passage of every batch, as a lesson
        messages = body["messages"]
        assert isinstance(messages, list)
        first = str(messages[-1]["content"]).split("Passagen:\n", 1)[1].splitlines()[0]
        found = re.match(r"\[S\. (\d+)\] (.+)", first)
        assert found
        item = {"kind": "recommendation", "page": int(found[1]), "quote": found[2], "type": "lesson"}
        return Reply(json.dumps({"items": [item]}, ensure_ascii=False))

    from assistant import checklist

    heard: list[tuple[str, int, int]] = []
    real_extract = checklist.extract_items

    def listening(settings: Settings, progress: Callable[[str, int, int], None] | None = None) -> list[ChecklistItem]:
        assert progress is not None, "the page passes a progress callback to the LLM"
        told = progress

        def hear(doc: str, done: int, total: int) -> None:
            heard.append((doc, done, total))
            told(doc, done, total)

        return real_extract(settings, progress=hear)

    monkeypatch.setattr(checklist, "extract_items", listening)
    with FakeOpenAI() as server:
        server.reply = reply
        env = {"LOTSE_LLM_BASE_URL": server.base_url, "LOTSE_LLM_MODEL": "test-modell-checklisten"}
        at = start(monkeypatch, shared_index, "views/checklists.py", **env)
        asked = len(server.requests)
    assert asked >= len(list(shared_index.corpus.glob("*.pdf")))  # every document, batch by batch
    assert len(heard) == asked  # one report per batch read
    assert {doc for doc, done, total in heard if done == total} == {p.name for p in shared_index.corpus.glob("*.pdf")}
    frame = at.data_editor[-1].value  # the recommendations
    assert len(frame) and set(frame["Gefunden von"]) == {"LLM"}
    assert not at.get("progress")  # the bar is gone once the model has read everything


def test_checklist_filter_by_finder_keeps_what_the_rules_or_the_reader_found() -> None:
    from assistant.types import ChecklistItem, ItemKind
    from ui.views.checklists import Selection

    def item(kind: ItemKind, found_by: str) -> ChecklistItem:
        fields = {"type": "lesson", "addressee": "allgemein"} if kind == "recommendation" else {"name": "Anteil"}
        return ChecklistItem(f"{kind}-{found_by}", kind, "a.pdf", "A", 1, "Ein Satz.", fields | {"found_by": found_by})

    rule, learned = item("recommendation", "rules"), item("recommendation", "reader")
    measured, learned_measure = item("indicator", "rules"), item("indicator", "reader")
    everything = (rule, learned, measured, learned_measure)
    assert all(Selection().keeps(i) for i in everything)
    only_rules = Selection(found_by=["Regel"])
    assert [i.id for i in everything if only_rules.keeps(i)] == [rule.id, measured.id]
    assert [i.id for i in everything if Selection(found_by=["gelernt"]).keeps(i)] == [learned.id, learned_measure.id]
    # addressee and type exist only for recommendations
    assert not Selection(types=["lesson"]).keeps(measured)


def test_checklist_status_and_note_persist(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    checklist = pytest.importorskip("assistant.checklist", reason="assistant/checklist.py is not there yet")
    at = start(monkeypatch, shared_index, "views/checklists.py")
    editor = at.data_editor[0]
    key = editor.key
    assert key
    at.session_state[key] = {
        "edited_rows": {0: {"Status": "erledigt", "Notiz": "mit Kammer besprochen"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    states = checklist.ChecklistStore(shared_index.settings).states()
    assert any(s.status == "erledigt" and s.note == "mit Kammer besprochen" for s in states.values())
    fresh = start(monkeypatch, shared_index, "views/checklists.py")  # a new session reads it back
    frame = fresh.data_editor[0].value
    assert "erledigt" in set(frame["Status"]) and "mit Kammer besprochen" in set(frame["Notiz"])


def test_checklist_source_link_opens_the_page(monkeypatch: pytest.MonkeyPatch, shared_index: UiIndex) -> None:
    pytest.importorskip("assistant.checklist", reason="assistant/checklist.py is not there yet")
    at = start(monkeypatch, shared_index, "views/checklists.py")
    link = at.data_editor[0].value["Quelle"].iloc[0]
    item_id = link.split("quelle=")[-1]
    use_index(monkeypatch, shared_index)
    opened = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    opened.query_params["quelle"] = item_id
    opened.run()
    opened.switch_page("views/checklists.py").run()
    assert not opened.exception
    assert opened.selectbox(key="cl_viewer_item").value == item_id
    assert "<mark>" in opened.html[0].proto.body
