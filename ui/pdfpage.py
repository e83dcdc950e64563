"""Render one PDF page to PNG with a quote marked on it (pypdfium2 + PIL; no Streamlit here).

The stored quote is cleaned text (de-hyphenated, spaces normalised, footnote marks gone), so it
rarely matches the PDF's own text layer character for character. Both sides are therefore
compared as sequences of lower-case letters and digits only, and the match is mapped back to the
PDF's character indices to ask pdfium for the boxes of those characters.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points

_PIECE = 16  # letters per piece when the quote is not found in one go
_MAX_RUN = 4  # extra letters between two pieces that still count as one run (footnote marks)
_MAX_GAP = 600  # letters the PDF may put between two pieces of one quote (a footnote block)
_CONTEXT_Y = 110.0  # points of page shown above and below the marked lines
_MARGIN = 12.0  # points shown left and right of the column's lines
_MARK_FILL = (255, 212, 0, 90)
_MARK_EDGE = (214, 140, 0, 220)


@dataclass(frozen=True)
class RenderedPage:
    png: bytes  # the whole page
    excerpt: bytes  # the marked lines with some context around them (the whole page if unmarked)
    marked: bool  # False when the quote could not be located on the page image
    width: int
    height: int


def folded(text: str) -> tuple[str, list[int]]:
    """Letters and digits of ``text``, lower-cased and NFKC-folded, with each one's source index."""
    letters: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char).lower():
            if part.isalnum():
                letters.append(part)
                origin.append(index)
    return "".join(letters), origin


def locate(haystack: str, quote: str) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of ``haystack`` that show ``quote``, comparing letters and
    digits only. Usually one span; several where the PDF interrupts the sentence (a footnote mark
    the cleaner removed, a footnote block between two columns, the page break of a quote that runs
    on to the next page). Empty when less than half of the quote is found."""
    hay, origin = folded(haystack)
    needle, _ = folded(quote)
    if not needle or not hay:
        return []
    found = hay.find(needle)
    if found >= 0:
        pieces = [(found, found + len(needle))]
    else:
        pieces = _pieces(hay, needle)
    return [(origin[a], origin[b - 1] + 1) for a, b in pieces]


def _pieces(hay: str, needle: str) -> list[tuple[int, int]]:
    """Find the quote piece by piece, in order, and join neighbours that only a few letters part."""
    found: list[tuple[int, int, int, int]] = []  # hay start, hay end, needle start, needle end
    for n_start in range(0, len(needle), _PIECE):
        piece = needle[n_start : n_start + _PIECE]
        if len(piece) < _PIECE // 2 and found:  # a short tail: only right after the last piece
            at = found[-1][1]
            window = hay[at : at + len(piece) + _MAX_RUN]
            offset = window.find(piece)
            if offset >= 0:
                found.append((at + offset, at + offset + len(piece), n_start, n_start + len(piece)))
            continue
        at = hay.find(piece, found[-1][1] if found else 0)
        if at < 0 or (found and at - found[-1][1] > _MAX_GAP):
            continue
        found.append((at, at + len(piece), n_start, n_start + len(piece)))
    if sum(b - a for a, b, _, _ in found) * 2 < len(needle):
        return []
    found[0] = _extend_back(hay, needle, found[0])
    spans: list[tuple[int, int]] = []
    previous: tuple[int, int, int, int] | None = None
    for item in found:
        if previous and spans and item[0] - previous[1] <= item[2] - previous[3] + _MAX_RUN:
            spans[-1] = (spans[-1][0], item[1])  # what lies between is the missing piece itself
        else:
            spans.append((item[0], item[1]))
        previous = item
    return spans


def _extend_back(hay: str, needle: str, first: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The first piece found may not be the quote's start (a footnote mark in the first letters):
    walk backwards over the letters still missing, stepping over a few extra ones in the PDF."""
    i, j, run = first[2] - 1, first[0] - 1, 0
    while i >= 0 and j >= 0 and run <= _MAX_RUN:
        if hay[j] == needle[i]:
            i, run = i - 1, 0
        else:
            run += 1
        j -= 1
    return (j + 1, first[1], 0, first[3]) if i < 0 else first


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    if len(text) == count:
        return text
    # pdfium can return text whose length differs from the char count (e.g. surrogate pairs);
    # one char at a time keeps index i == char i
    return "".join(textpage.get_text_range(i, 1) or " " for i in range(count))


def quote_boxes(textpage: pdfium.PdfTextPage, quote: str) -> list[Box]:
    """Boxes (PDF points) covering the quote's characters on the page; empty when not found."""
    boxes: list[Box] = []
    for start, end in locate(_page_text(textpage), quote):
        rects = textpage.count_rects(start, end - start)
        boxes.extend(tuple(textpage.get_rect(i)) for i in range(rects))  # type: ignore[misc]
    return boxes


def render_marked_page(pdf_path: Path | str, page_no: int, quote: str, *, scale: float = 2.0) -> RenderedPage:
    """Page ``page_no`` (1-based) of the PDF as PNG, with translucent boxes over the quote."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_no - 1]
        image = page.render(scale=scale).to_pil().convert("RGBA")
        textpage = page.get_textpage()
        boxes = quote_boxes(textpage, quote) if page.get_rotation() == 0 else []
        left, _, _, top = page.get_cropbox()
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        pad = 1.5
        for x0, y0, x1, y1 in boxes:
            draw.rectangle(
                [
                    (x0 - left - pad) * scale,
                    (top - y1 - pad) * scale,
                    (x1 - left + pad) * scale,
                    (top - y0 + pad) * scale,
                ],
                fill=_MARK_FILL,
                outline=_MARK_EDGE,
                width=2,
            )
        out = Image.alpha_composite(image, overlay).convert("RGB")
        excerpt = out
        if boxes:
            x0, y0, x1, y1 = excerpt_region(textpage, boxes)
            pixels = ((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale)
            a, b, c, d = (int(v) for v in pixels)
            excerpt = out.crop((max(0, a), max(0, b), min(out.width, c), min(out.height, d)))
        return RenderedPage(
            png=_png(out), excerpt=_png(excerpt), marked=bool(boxes), width=out.width, height=out.height
        )
    finally:
        pdf.close()


def excerpt_region(textpage: pdfium.PdfTextPage, boxes: list[Box]) -> Box:
    """The part of the page (PDF points) to show around the marks: some lines above and below,
    as wide as the text lines of the column the quote stands in (no line cut in the middle)."""
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    band_bottom, band_top = bottom - _CONTEXT_Y, top + _CONTEXT_Y
    quote_left, quote_right = left, right
    for i in range(textpage.count_rects(0, -1)):
        x0, y0, x1, y1 = textpage.get_rect(i)
        if y0 >= band_bottom and y1 <= band_top and x0 < quote_right and x1 > quote_left:  # a line of the column
            left, right = min(left, x0), max(right, x1)
            bottom, top = min(bottom, y0), max(top, y1)  # the edges follow whole lines
    return left - _MARGIN, bottom - _MARGIN / 2, right + _MARGIN, top + _MARGIN / 2


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
