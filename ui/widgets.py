"""Building blocks the pages share: answers, numbered sources, the page view, verdict badges."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from assistant.service import Assistant
from assistant.types import Answer, Citation, Verdict
from ui.export import answer_markdown
from ui.pdfpage import RenderedPage, render_marked_page

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$~])")
_CITATION_MARK = re.compile(r"\\\[(\d+)\\\]")

_PAGE_STYLE = "font-size:0.9rem;line-height:1.55"
_TEXT_CONTEXT = 600  # characters of page text shown around the quote until "Ganze Seite" is on
VERDICT_LOOK: dict[str, tuple[str, str, str]] = {
    # verdict -> (German label, badge colour, icon)
    "supported": ("Belegt", "green", ":material/check_circle:"),
    "contradicted": ("Widerlegt", "red", ":material/cancel:"),
    "not_found": ("Nicht gefunden", "gray", ":material/help:"),
}


def md_escape(text: str) -> str:
    """Text from a PDF shown as Markdown: no accidental emphasis, links, HTML or LaTeX (``$``)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def answer_body(text: str) -> str:
    """The answer text as Markdown: escaped, citation marks in bold, line breaks kept."""
    body = _CITATION_MARK.sub(r"**[\1]**", md_escape(text.strip()))
    return body.replace("\n", "  \n")


def highlight_html(page_text: str, quote: str, context: int | None = None) -> str:
    """The page text as HTML with the quote in ``<mark>``; all else escaped. With ``context``,
    only that many characters around the first occurrence, cut at spaces and marked with "…"."""
    if quote and context is not None and quote in page_text:
        start = page_text.index(quote)
        end = start + len(quote)
        cut_start = page_text.rfind(" ", 0, max(start - context, 0)) + 1 if start > context else 0
        cut_end = page_text.find(" ", end + context)
        before = ("… " if cut_start else "") + page_text[cut_start:start]
        after = page_text[end:] if cut_end < 0 else page_text[end:cut_end] + " …"
        parts = [before, after]
    else:
        parts = page_text.split(quote) if quote else [page_text]
    marked = f"<mark>{html.escape(quote)}</mark>"
    body = marked.join(html.escape(part) for part in parts)
    return body.replace("\n", "<br>")


def source_label(citation: Citation) -> str:
    return f"[{citation.n}] {citation.title} · S. {citation.page}"


@st.cache_data(max_entries=64, show_spinner=False)
def _page_images(pdf_path: str, modified: float, page_no: int, quote: str) -> RenderedPage:
    """``modified`` is only part of the cache key: a replaced PDF is drawn anew."""
    return render_marked_page(pdf_path, page_no, quote)


def render_source(assistant: Assistant, doc: str, page_no: int, quote: str, key: str) -> None:
    """The quote marked inside its stored page text, next to the PDF page with the lines marked."""
    library = assistant.library
    page = library.page(doc, page_no)
    text_col, image_col = st.columns([2, 3], gap="medium")
    with text_col:
        st.caption(f"Gespeicherter Text von Seite {page_no} · {doc}")
        if page is None:
            st.warning("Diese Seite ist nicht (mehr) im Index.")
        else:
            whole = st.toggle("Ganze Seite", key=f"{key}-whole-text")
            body = highlight_html(page.text, quote, None if whole else _TEXT_CONTEXT)
            st.html(f'<div class="lotse-page" style="{_PAGE_STYLE}">{body}</div>')
    with image_col:
        source = library.catalog.source_file(doc)
        path = Path(source) if source else None
        if path is None or not path.is_file():
            st.info(f"Die PDF-Datei fehlt ({source or doc}); gezeigt wird nur der gespeicherte Text.")
            return
        try:
            rendered = _page_images(str(path), path.stat().st_mtime, page_no, quote)
        except Exception as exc:
            st.info(f"Die Seite konnte nicht gezeichnet werden: {exc}")
            return
        if rendered.marked:
            st.image(rendered.excerpt, caption=f"PDF-Seite {page_no}, Ausschnitt mit der markierten Stelle")
            with st.popover("Ganze PDF-Seite", icon=":material/zoom_out_map:", key=f"{key}-whole-page"):
                st.image(rendered.png, caption=f"PDF-Seite {page_no}")
        else:
            st.image(rendered.png, caption=f"PDF-Seite {page_no} (Stelle im PDF-Bild nicht gefunden)")


def render_citations(assistant: Assistant, citations: Sequence[Citation], key_prefix: str) -> None:
    """Numbered sources: title, page and quote; each opens into its page view (drawn only when open)."""
    st.markdown("**Quellen**")
    for citation in citations:
        st.markdown(
            f"**[{citation.n}]** {md_escape(citation.title)}, S. {citation.page}  \n„{md_escape(citation.quote)}“"
        )
        opened = st.expander(
            f"Seite {citation.page} ansehen",
            icon=":material/description:",
            key=f"{key_prefix}-src-{citation.n}",
            on_change="rerun",
        )
        if opened.open:
            with opened:
                render_source(assistant, citation.doc, citation.page, citation.quote, key=f"{key_prefix}-{citation.n}")


def render_abstention() -> None:
    st.warning(
        "**Nicht in den Dokumenten.** Die eingelesenen Dokumente enthalten dazu keine belastbare Stelle. "
        "Formulieren Sie die Frage anders oder laden Sie ein passendes Dokument in der Bibliothek hoch.",
        icon=":material/search_off:",
    )


def render_answer(assistant: Assistant, answer: Answer, key_prefix: str) -> None:
    """A finished answer: text with [n] marks, its sources, and export as Markdown."""
    if answer.abstained:
        render_abstention()
        return
    st.markdown(answer_body(answer.text))
    render_citations(assistant, answer.citations, key_prefix)
    markdown = answer_markdown(answer)
    download_col, copy_col = st.columns([1, 1])
    with download_col:
        st.download_button(
            "Als Markdown herunterladen",
            data=markdown,
            file_name=f"clusterlotse-antwort-{key_prefix}.md",
            mime="text/markdown",
            icon=":material/download:",
            key=f"{key_prefix}-download",
            on_click="ignore",
        )
    with copy_col, st.popover("Zum Kopieren", icon=":material/content_copy:", key=f"{key_prefix}-copy"):
        st.code(markdown, language="markdown", wrap_lines=True)


def verdict_badge(verdict: Verdict) -> None:
    label, color, icon = VERDICT_LOOK.get(verdict.verdict, VERDICT_LOOK["not_found"])
    st.badge(label, color=color, icon=icon)  # type: ignore[arg-type]
