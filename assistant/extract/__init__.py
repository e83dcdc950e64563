"""Rule-based extraction of checklist items (indicators, recommendations) from stored sentences.

``extract_document(library, doc)`` reads the sentences and pages of one ingested document — no
embedding, no model call — and returns its items with verbatim quotes and content-derived ids.
"""

from __future__ import annotations

from assistant.extract.indicators import IndicatorHit, first_sample_fact_only, group_values, indicator_fields
from assistant.extract.indicators import classify as classify_indicator
from assistant.extract.merge import item_id, merge_repeats
from assistant.extract.patterns import cue_matcher
from assistant.extract.recommendations import classify as classify_recommendation
from assistant.extract.recommendations import lead_reading, recommendation_fields
from assistant.extract.units import Unit, build_units
from assistant.library import Library
from assistant.types import ChecklistItem, ItemKind

KINDS: tuple[ItemKind, ...] = ("indicator", "recommendation")


def document_units(library: Library, doc: str) -> list[Unit]:
    table = library.sentences
    first, last = table.by_doc.get(doc, (0, 0))
    pages = {p.page_no: p for p in library.pages(doc)}
    return build_units(doc, [(row, table.items[row]) for row in range(first, last)], pages)


def extract_document(library: Library, doc: str) -> list[ChecklistItem]:
    """All items of one document, indicators first, each in reading order."""
    units = document_units(library, doc)
    matcher = cue_matcher()
    hits = matcher.hits([u.text for u in units])
    leads = sorted({u.lead for u in units if u.lead})
    promised = {lead: lead_reading(lead, cue) for lead, cue in zip(leads, matcher.hits(leads))}
    found: dict[ItemKind, list[tuple[Unit, dict[str, str]]]] = {"indicator": [], "recommendation": []}
    measured: list[tuple[int, IndicatorHit]] = []
    for position, (unit, cue) in enumerate(zip(units, hits)):
        recommendation = classify_recommendation(unit, cue, promised.get(unit.lead))
        if recommendation is not None:
            found["recommendation"].append((unit, recommendation_fields(recommendation)))
        indicator = classify_indicator(unit, cue, is_recommendation=recommendation is not None)
        if indicator is not None:
            measured.append((position, indicator))
    vectors = library.sentences.vectors
    found["indicator"] = [
        (hit.unit, indicator_fields(hit, values))
        for hit, values in group_values(first_sample_fact_only(measured), vectors)
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


__all__ = ["KINDS", "document_units", "extract_document"]
