"""The UI's plain parts: safe upload names, the page mark (text and PDF image), Markdown export."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from assistant.types import Answer, Citation
from ingest.pipeline import ingest_paths
from tests.data import pdfgen
from tests.helpers import CORPUS_DIR, TRENDATLAS, make_settings
from ui.export import answer_markdown
from ui.ingest_feedback import progress_reporter
from ui.pdfpage import locate, quote_boxes, render_marked_page
from ui.uploads import UploadRefused, safe_pdf_name, save_upload, undo_upload
from ui.widgets import answer_body, highlight_html, md_escape


# --- file names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("bericht.pdf", "bericht.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Dokumente\\Studie 2020.PDF", "Studie-2020.pdf"),
        ("Prüfbericht Ärger?.pdf", "Pruefbericht-Aerger.pdf"),
        ("..hidden.pdf", "hidden.pdf"),
        ("a/b/<script>alert(1)</script>.pdf", "script.pdf"),
        ("Straße  &  Weg.pdf", "Strasse-Weg.pdf"),
        ("résumé.pdf", "resume.pdf"),
        ("x" * 300 + ".pdf", "x" * 120 + ".pdf"),
    ],
)
def test_safe_pdf_name(raw: str, safe: str) -> None:
    assert safe_pdf_name(raw) == safe


@pytest.mark.parametrize("raw", ["notiz.txt", "bericht.pdf.exe", "bericht", "../.pdf", "???.pdf", "/"])
def test_unsafe_or_non_pdf_names_are_refused(raw: str) -> None:
    with pytest.raises(UploadRefused):
        safe_pdf_name(raw)


def test_save_upload_stays_in_its_folder_and_respects_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    saved = save_upload(folder, "../../../weg.pdf", b"%PDF-1.4 x", max_mb=1, replace=False)
    assert saved.path == folder / "weg.pdf" and saved.previous is None
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["weg.pdf"]  # no temp file left
    with pytest.raises(UploadRefused, match="MB"):
        save_upload(folder, "gross.pdf", b"x" * (1024 * 1024 + 1), max_mb=1, replace=False)
    with pytest.raises(UploadRefused, match="leer"):
        save_upload(folder, "leer.pdf", b"", max_mb=1, replace=False)
    assert not (folder / "gross.pdf").exists() and not (folder / "leer.pdf").exists()


def test_replacing_needs_consent_and_can_be_undone(tmp_path: Path) -> None:
    save_upload(tmp_path, "a.pdf", b"%PDF alt", max_mb=1, replace=False)
    with pytest.raises(UploadRefused, match="ersetzen"):
        save_upload(tmp_path, "a.pdf", b"%PDF neu", max_mb=1, replace=False)
    same = save_upload(tmp_path, "a.pdf", b"%PDF alt", max_mb=1, replace=False)  # same bytes: fine
    assert same.previous == b"%PDF alt"
    replaced = save_upload(tmp_path, "a.pdf", b"%PDF neu", max_mb=1, replace=True)
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF neu"
    undo_upload(replaced)
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF alt"
    fresh = save_upload(tmp_path, "b.pdf", b"%PDF b", max_mb=1, replace=False)
    undo_upload(fresh)
    assert not (tmp_path / "b.pdf").exists()


# --- marking the quote --------------------------------------------------------------------------
def test_highlight_escapes_everything_but_the_mark() -> None:
    page = "Vorher <b>fett</b> & so.\nDer Satz mit <i>Zitat</i> hier.\nDanach."
    shown = highlight_html(page, "Satz mit <i>Zitat</i>")
    assert "<mark>Satz mit &lt;i&gt;Zitat&lt;/i&gt;</mark>" in shown
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; so.<br>" in shown
    assert "<b>" not in shown and "<i>" not in shown


def test_highlight_with_context_shows_a_window_around_the_quote() -> None:
    page = (
        " ".join(f"wort{i}" for i in range(400)) + " Das Zitat steht hier. " + " ".join(f"rest{i}" for i in range(400))
    )
    shown = highlight_html(page, "Das Zitat steht hier.", context=60)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert "<mark>Das Zitat steht hier.</mark>" in shown
    assert "wort0 " not in shown and "rest399" not in shown
    assert len(shown) < 250
    assert highlight_html("kurz: Zitat.", "Zitat.", context=60) == "kurz: <mark>Zitat.</mark>"


def test_answer_text_is_escaped_markdown_with_bold_marks() -> None:
    body = answer_body("Kosten von 5 $ bis 10 $ *sehr* hoch [1]\nzweite Zeile [2]")
    assert "\\$" in body and "\\*sehr\\*" in body
    assert "**[1]**" in body and "**[2]**" in body and "  \n" in body
    assert md_escape("[x](http://a)") == "\\[x\\](http://a)"


def test_locate_tolerates_footnote_marks_and_soft_hyphens() -> None:
    pdf_text = "Auf der Clusterplattform \r\nDeutschland7, dem zentralen Bundesmi\ufffenisteriums für Bildung"
    spans = locate(pdf_text, "Auf der Clusterplattform Deutschland, dem zentralen Bundesministeriums für Bildung")
    assert len(spans) == 1
    start, end = spans[0]
    assert pdf_text[start:end] == pdf_text.strip()
    assert locate(pdf_text, "Ein ganz anderer Satz über Fördermittel") == []


def test_the_quote_is_found_on_a_real_corpus_page() -> None:
    quote = (
        "Auf der Clusterplattform Deutschland, dem zentralen Informationsportal des Bundesministeriums für "
        "Bildung und Forschung sowie des Bundesministeriums für Wirtschaft und Energie zur Clusterpolitik und "
        "clusterbezogenen Aktivitäten, sind nahezu 480 Clusterinitiativen erfasst."
    )
    pdf = pdfium.PdfDocument(str(CORPUS_DIR / TRENDATLAS))
    try:
        boxes = quote_boxes(pdf[4].get_textpage(), quote)
    finally:
        pdf.close()
    assert 3 <= len(boxes) <= 8  # the sentence runs over about five lines
    assert all(left < right and bottom < top for left, bottom, right, top in boxes)


def test_rendered_page_has_the_mark_drawn(tmp_path: Path) -> None:
    path = pdfgen.write_text_pdf(
        tmp_path / "p.pdf", [["Erster Absatz ohne Belang.", "Die Clusterinitiative fördert Kooperationen."]]
    )
    marked = render_marked_page(path, 1, "Die Clusterinitiative fördert Kooperationen.")
    plain = render_marked_page(path, 1, "kommt nicht vor und wird nicht markiert")
    assert marked.marked and not plain.marked
    image = Image.open(io.BytesIO(marked.png)).convert("RGB")
    base = Image.open(io.BytesIO(plain.png)).convert("RGB")
    assert image.size == base.size == (marked.width, marked.height)
    grid = [(x, y) for x in range(0, image.width, 3) for y in range(0, image.height, 3)]
    changed = [xy for xy in grid if image.getpixel(xy) != base.getpixel(xy)]
    assert changed, "the mark changes the picture"
    ys = sorted(y for _, y in changed)
    assert ys[-1] - ys[0] < image.height / 10  # only around the one quoted line
    r, g, b = image.getpixel(changed[len(changed) // 2])
    assert r > b and g > b  # yellowish
    excerpt = Image.open(io.BytesIO(marked.excerpt))
    assert excerpt.height < image.height / 2 and excerpt.width <= image.width
    xs = [x for x, _ in changed]
    assert excerpt.width >= max(xs) - min(xs)  # the whole marked line is in the excerpt


# --- ingest progress ----------------------------------------------------------------------------
class Bar:
    """Records what the page would show in its st.progress bar."""

    def __init__(self) -> None:
        self.shown: list[tuple[float, str]] = []

    def progress(self, value: float, text: str = "") -> None:
        self.shown.append((value, text))


def test_ingest_progress_moves_forward_and_names_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    for seed in ("eins", "zwei"):
        pdfgen.write_report(folder / f"{seed}.pdf", seed, title=f"Bericht {seed}")
    bar = Bar()
    report = ingest_paths([folder], make_settings(tmp_path / "data"), progress=progress_reporter(bar))
    assert report.ok
    values = [value for value, _ in bar.shown]
    assert values == sorted(values) and 0 <= values[0] and values[-1] == 1.0
    texts = [text for _, text in bar.shown]
    assert "Datei 1 von 2: eins.pdf" in texts and "Datei 2 von 2: zwei.pdf" in texts
    assert "zwei.pdf: neu eingelesen" in texts


# --- export -------------------------------------------------------------------------------------
def test_answer_markdown_has_question_text_and_every_source() -> None:
    citations = (
        Citation(1, "a.pdf", "Studie A", 3, "Erstes Zitat.", "c1"),
        Citation(2, "b.pdf", "Studie B", 7, "Zweites Zitat.", "c2"),
    )
    answer = Answer("Was gilt?", "Dies gilt [1]. Das auch [2].", False, citations)
    text = answer_markdown(answer)
    assert text.startswith("**Frage:** Was gilt?")
    assert "Dies gilt [1]. Das auch [2]." in text
    assert "- [1] Studie A, S. 3 (a.pdf): „Erstes Zitat.“" in text
    assert "- [2] Studie B, S. 7 (b.pdf): „Zweites Zitat.“" in text
    abstained = answer_markdown(Answer("Was gilt?", "Nicht in den Dokumenten.", True))
    assert "Nicht in den Dokumenten" in abstained and "Quellen" not in abstained
