"""Rule-based extraction of checklist items (indicators, recommendations) from stored sentences.

``extract_document(library, doc)`` reads the sentences and pages of one ingested document — no
embedding, no model call — and returns its items with verbatim quotes and content-derived ids.
"""

from __future__ import annotations

from assistant.extract.indicators import IndicatorHit, first_sample_fact_only, indicator_fields, measure_names
from assistant.extract.indicators import classify as classify_indicator
from assistant.extract.merge import item_id, merge_repeats
from assistant.extract.patterns import cue_matcher
from assistant.extract.reader import Reader, load_reader
from assistant.extract.recommendations import classify as classify_recommendation
from assistant.extract.recommendations import lead_reading, recommendation_fields
from assistant.extract.units import Unit, build_units
from assistant.library import Library
from assistant.types import ChecklistItem, ItemKind
from ingest.settings import Settings

KINDS: tuple[ItemKind, ...] = ("indicator", "recommendation")


def document_units(library: Library, doc: str) -> list[Unit]:
    table = library.sentences
    first, last = table.by_doc.get(doc, (0, 0))
    pages = {p.page_no: p for p in library.pages(doc)}
    return build_units(doc, [(row, table.items[row]) for row in range(first, last)], pages)


def active_reader(settings: Settings) -> Reader | None:
    """The learned reader when it is switched on and was trained on this embedder's vectors."""
    reader = load_reader() if settings.extraction_reader else None
    return reader if reader is not None and reader.embedder == settings.embedder else None


def extract_document(library: Library, doc: str, reader: Reader | None = None) -> list[ChecklistItem]:
    """All items of one document, indicators first, each in reading order; with a ``reader``
    (see ``active_reader``) its items join those of the rules."""
    units = document_units(library, doc)
    matcher = cue_matcher()
    hits = matcher.hits([u.text for u in units])
    leads = sorted({u.lead for u in units if u.lead})
    promised = {lead: lead_reading(lead, cue) for lead, cue in zip(leads, matcher.hits(leads))}
    found: dict[ItemKind, list[tuple[Unit, dict[str, str]]]] = {"indicator": [], "recommendation": []}
    measured: list[tuple[int, IndicatorHit]] = []
    vectors = library.sentences.vectors
    for position, (unit, cue) in enumerate(zip(units, hits)):
        recommendation = classify_recommendation(unit, cue, promised.get(unit.lead))
        indicator = classify_indicator(unit, cue, is_recommendation=recommendation is not None)
        if recommendation is None and indicator is None and reader is not None:
            recommendation = reader.read(unit, cue, vectors)  # what the rules miss, never a measured value
            if recommendation is None:
                indicator = reader.read_indicator(unit, cue, vectors)
        if recommendation is not None:
            found["recommendation"].append((unit, recommendation_fields(recommendation)))
        if indicator is not None:
            measured.append((position, indicator))
    found["indicator"] = [
        (hit.unit, indicator_fields(hit, name)) for hit, name in measure_names(first_sample_fact_only(measured))
    ]
    title = library.documents[doc].title if doc in library.documents else doc
    items: list[ChecklistItem] = []
    for kind in KINDS:
        candidates = found[kind]
        keep = merge_repeats([u for u, _ in candidates], vectors, [u.whole for u, _ in candidates])
        for index in keep:
            unit, fields = candidates[index]
            page = library.page(doc, unit.page)
            if page is None or page.text[unit.start : unit.end] != unit.text:
                continue  # never list a quote the page does not hold verbatim
            items.append(
                ChecklistItem(
                    id=item_id(doc, kind, unit.page, unit.text),
                    kind=kind,
                    doc=doc,
                    title=title,
                    page=unit.page,
                    quote=unit.text,
                    fields=fields,
                )
            )
    return items


__all__ = ["KINDS", "active_reader", "document_units", "extract_document"]
