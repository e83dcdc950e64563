"""Small PDFs generated at test time: good ones with German text, and every hostile kind.

Everything is built with reportlab and pypdf, so the tests never depend on files that could
drift; the real corpus in ``corpus/`` covers what real publishers produce.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

_SUBJECTS = [
    "Der Handwerksbetrieb",
    "Die Clusterinitiative",
    "Das Clustermanagement",
    "Die Handwerkskammer",
    "Der Fachverband",
    "Die Hochschule",
    "Das Netzwerk",
    "Die Wirtschaftsförderung",
]
_VERBS = ["organisiert", "unterstützt", "begleitet", "bewertet", "fördert", "plant", "dokumentiert"]
_OBJECTS = [
    "gemeinsame Projekte",
    "den Wissenstransfer",
    "regionale Kooperationen",
    "die Ausbildung von Fachkräften",
    "neue Geschäftsmodelle",
    "die Digitalisierung der Werkstatt",
    "Messen und Veranstaltungen",
]
_PLACES = ["Stuttgart", "Karlsruhe", "Freiburg", "Ulm", "Heilbronn", "Konstanz", "Mannheim", "Tübingen"]


def german_sentences(seed: int | str, count: int, topic: str = "") -> list[str]:
    """Deterministic, readable German sentences; ``topic`` makes one document's text its own."""
    rng = random.Random(str(seed))
    sentences = []
    for _ in range(count):
        sentence = (
            f"{rng.choice(_SUBJECTS)} in {rng.choice(_PLACES)} {rng.choice(_VERBS)} "
            f"{rng.choice(_OBJECTS)} im Jahr {2010 + rng.randrange(12)}"
        )
        if topic:
            sentence += f" für das Vorhaben {topic}"
        sentences.append(sentence + ".")
    return sentences


def write_text_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    title: str | None = "Testbericht Clusterarbeit",
    header: str | None = None,
    width: int = 90,
) -> Path:
    """A PDF with a real text layer: each page is a list of paragraphs, wrapped at ``width``.

    With ``header`` every page gets that running header on top and "Seite N" below it, like
    the corpus documents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title is not None:
        pdf.setTitle(title)
    for number, paragraphs in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 10)  # per page: a call after the last showPage() would add a page
        y = 800.0
        if header:
            pdf.drawString(60, y, header)
            pdf.drawString(60, y - 14, f"Seite {number}")
            y -= 40
        for paragraph in paragraphs:
            for line in textwrap.wrap(paragraph, width=width) or [""]:
                pdf.drawString(60, y, line)
                y -= 13
            y -= 6
        pdf.showPage()
    pdf.save()
    return path


def write_report(path: Path, seed: int | str, *, pages: int = 2, sentences_per_page: int = 14, **kw: object) -> Path:
    """A good multi-page report whose text is unique to ``seed``."""
    topic = f"{str(seed).capitalize()}"
    body = [
        [" ".join(german_sentences(f"{seed}-{page}-{part}", sentences_per_page // 2, topic)) for part in range(2)]
        for page in range(pages)
    ]
    return write_text_pdf(path, body, **kw)  # type: ignore[arg-type]


def write_scanned_pdf(path: Path) -> Path:
    """What a scanner produces: pictures of pages, no text layer."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for shade in (0.3, 0.6):
        pdf.setFillGray(shade)
        pdf.rect(50, 50, 480, 740, fill=1, stroke=0)
        pdf.setFillGray(0.9)
        for row in range(40):
            pdf.rect(70, 90 + row * 17, 300 + (row * 37) % 140, 8, fill=1, stroke=0)  # "lines of text"
        pdf.showPage()
    pdf.save()
    return path


def write_encrypted_pdf(source: Path, path: Path, password: str = "geheim") -> Path:
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=password, owner_password="eigentuemer", algorithm="RC4-128")
    writer.write(str(path))
    return path


def write_zero_page_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.write(str(path))
    return path


def write_truncated_pdf(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def write_not_a_pdf(path: Path) -> Path:
    path.write_text("Protokoll der Beiratssitzung\nDies ist eine Textdatei, keine PDF.\n", encoding="utf-8")
    return path


def write_empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def write_slow_pdf(source: Path, path: Path, operations: int = 800_000) -> Path:
    """A small file whose single page takes pypdf many seconds to extract: a pathological
    content stream of hundreds of thousands of text operations (compressed to a few KB)."""
    writer = PdfWriter(clone_from=str(source))
    page = writer.pages[0]
    font = next(iter(page["/Resources"]["/Font"].keys()))
    stream = DecodedStreamObject()
    stream.set_data(b"BT " + font.encode() + b" 10 Tf 72 700 Td " + b"(ab) Tj 1 0 Td " * operations + b"ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    page.compress_content_streams()
    writer.write(str(path))
    return path
