"""The optional LLM backend for checklists and verdicts (any OpenAI-compatible endpoint through
LangChain ``ChatOpenAI(...).with_structured_output``), held to the rule-based path's rules:

* extraction: the model reads the document's units (sentences, list items, table lines), each
  marked with its page, and returns items; an item whose quote is not verbatim on its page (up to
  spacing) is dropped;
* verdicts: the model sees numbered evidence sentences and answers with a label and the numbers
  it relies on; the citations are then built from those stored sentences, never from model text.

Any backend error returns None, and the caller falls back to the rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.extract.merge import item_id
from assistant.extract.units import Unit
from assistant.library import Library
from assistant.types import KIND_FIELDS, ChecklistItem, ItemKind
from ingest.settings import Settings

log = logging.getLogger(__name__)
BATCH_CHARS = 12_000

# The kinds and types as the issue and evals/gold/GUIDELINE.md define them. Told only "what should be
# done", a model listed every finding it met and every number: on Corona pp. 20-39 (python -m
# evals.agreement) precision (recommendations / indicators) was 0.59 / 0.66 with that prompt and
# 0.85 / 0.88 with this one.
_EXTRACT_PROMPT = """Du liest Passagen aus einem Bericht über Clusterpolitik und listest JEDEN
Checklisten-Eintrag darin.

Indikator (kind "indicator"): was über Cluster, Clusterinitiativen, ihre Akteure und Mitglieder, ihr
Management, ihre Finanzierung oder ihre Wirkung gemessen wird:
- jeder Eintrag einer Indikatorenliste oder -tabelle (jede benannte Messgröße ein Eintrag),
- ein Satz, der eine Messgröße, Skala, Schwelle oder ein Kriterium definiert,
- eine Frage eines Fragebogens, die nach einer Menge oder Bewertung fragt,
- ein Satz, der einen gemessenen oder gezählten Wert berichtet (Anteil, Anzahl, Durchschnitt, Wachstum, Rang).
Nicht: Verweise (Seite, Abbildung, Kapitel), Jahreszahlen allein, wie die Studie durchgeführt wurde
(außer Stichprobengröße und Rücklauf).
Felder: name (kurz), definition, value (berichteter Wert oder Schwelle), category = Struktur | Mitglieder |
Management | Finanzierung | Leistung | Wirkung | Methodik | Sonstiges.

Empfehlung (kind "recommendation"): eine Aussage der Autoren von einer dieser Arten (type):
- recommendation: etwas soll oder muss getan werden, wird empfohlen oder gefordert ("sollte",
  "empfiehlt sich", "es ist wichtig, … zu", eine Handlungsanweisung in einer Liste),
- success_factor: eine Bedingung oder Voraussetzung für Erfolg ("erfordert", "Voraussetzung",
  "entscheidend für", "gelingt vor allem dann, wenn"),
- lesson: eine Lehre, ein Defizit oder ein allgemeiner Befund, den die Autoren als Schluss ziehen
  ("Es zeigt sich, dass …", "Zentrale Defizite sind …"), auch ohne solches Signalwort,
- good_reason: ein Nutzen oder guter Grund, an Clustern teilzunehmen oder sie zu fördern ("Vorteile",
  "Mehrwert", "hilft, … zu").
Nicht: rein beschreibende Sätze (was geschah, wer teilnahm, was ein Kapitel enthält); Stimmen aus
Interviews nur, wenn die Autoren sie als eigenen Schluss übernehmen.
Felder: recommendation (kurze Umschreibung), addressee = Clustermanagement | Handwerksorganisationen/Kammern |
Betriebe | Politik/Förderer | Clusterinitiativen | allgemein, type.

Regeln: "quote" ist ein wörtliches Zitat aus genau einer Passage (zeichengenau kopieren): der kleinste
Satz, Listenpunkt oder Tabelleneintrag, der den Eintrag trägt. "page" ist die Seitenzahl der Passage.
Ein Eintrag je Aussage. Nichts erfinden; keine Einträge ohne Zitat.

Passagen:
{passages}"""

_VERDICT_PROMPT = """Prüfe die Aussage allein anhand der nummerierten Belege.
supported: ein Beleg sagt dasselbe. contradicted: ein Beleg widerspricht (andere Zahl, anderes Jahr,
anderer Akteur, Verneinung, anderer Mengenbegriff). not_found: kein Beleg behandelt die Aussage.
Gib die Nummern der entscheidenden Belege an.

Aussage: {claim}

Belege:
{evidence}"""


class LlmItem(BaseModel):
    kind: Literal["indicator", "recommendation"]
    page: int
    quote: str
    name: str = ""
    definition: str = ""
    value: str = ""
    category: str = ""
    recommendation: str = ""
    addressee: str = "allgemein"
    type: str = "recommendation"


class LlmItems(BaseModel):
    items: list[LlmItem] = Field(default_factory=list)


class LlmVerdict(BaseModel):
    verdict: Literal["supported", "contradicted", "not_found"]
    evidence: list[int] = Field(default_factory=list, description="numbers of the deciding evidence")
    reason: str = ""


def structured_model(settings: Settings, schema: type[BaseModel]) -> Any:
    """ChatOpenAI bound to a Pydantic schema (a seam the tests replace)."""
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        base_url=settings.llm_base_url,
        model=str(settings.llm_model),
        api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.llm_timeout_s,
        temperature=0,
    )
    return model.with_structured_output(schema)


def locate(page_text: str, quote: str) -> tuple[int, int] | None:
    """Where the quote stands on the page, tolerating only differences in spacing."""
    quote = quote.strip().strip('„“"')
    if not quote:
        return None
    start = page_text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    match = re.search(pattern, page_text)
    return (match.start(), match.end()) if match else None


def _line(unit: Unit) -> str:
    return f"[S. {unit.page}] {' '.join(unit.text.split())}"


def _unit_batches(library: Library, doc: str, pages: range | None = None) -> list[list[Unit]]:
    """The document's units (or those on ``pages``) in reading order, in batches whose lines add up
    to at most ``BATCH_CHARS`` (a longer unit stands alone)."""
    from assistant.extract import document_units

    batches: list[list[Unit]] = [[]]
    size = 0
    for unit in document_units(library, doc):
        if pages is not None and unit.page not in pages:
            continue
        line = _line(unit)
        if size + len(line) > BATCH_CHARS and batches[-1]:
            batches.append([])
            size = 0
        batches[-1].append(unit)
        size += len(line)
    return [batch for batch in batches if batch]


def _prompt(batch: list[Unit]) -> str:
    return _EXTRACT_PROMPT.format(passages="\n".join(_line(unit) for unit in batch))


def extraction_prompts(library: Library, doc: str, pages: range | None = None) -> list[str]:
    """What the model is asked for one document (or some of its pages): its units, each marked with
    its page, in batches of at most ``BATCH_CHARS``."""
    return [_prompt(batch) for batch in _unit_batches(library, doc, pages)]


def _from_units(item: ChecklistItem, units: list[Unit]) -> bool:
    return any(item.page == u.page and (item.quote in u.text or u.text in item.quote) for u in units)


# (document, batches read, batches in all): a model reads a long document for minutes
BatchProgress = Callable[[str, int, int], None]


def extract_with_llm(
    settings: Settings,
    library: Library,
    doc: str,
    fallback: Callable[[], list[ChecklistItem]],
    progress: BatchProgress | None = None,
) -> list[ChecklistItem] | None:
    """Items of one document read by the LLM from its units. A batch the model fails on (a time-out,
    an answer that is no valid item list) keeps the ``fallback``'s (the rules') items of its units,
    so one bad answer late in a long document does not throw away the model's work on the rest.
    None when the model fails on every batch or cannot be set up."""
    try:
        model = structured_model(settings, LlmItems)
    except Exception as exc:  # any backend trouble: the rules take over
        log.warning("LLM-Extraktion nicht verfügbar (%s), regelbasierter Weg wird genutzt.", exc)
        return None
    batches = _unit_batches(library, doc)
    found: list[LlmItem] = []
    failed: list[list[Unit]] = []
    for done, batch in enumerate(batches, start=1):
        try:
            result = model.invoke(_prompt(batch))
            found.extend(result.items if isinstance(result, LlmItems) else LlmItems.model_validate(result).items)
        except Exception as exc:
            log.warning(
                "LLM-Extraktion von %s, S. %d–%d fehlgeschlagen (%s), dort gelten die Regeln.",
                doc,
                batch[0].page,
                batch[-1].page,
                exc,
            )
            failed.append(batch)
        if progress is not None:
            progress(doc, done, len(batches))
    if batches and len(failed) == len(batches):
        return None
    items = verified_items(library, doc, found)
    if failed:
        taken = {item.id for item in items}
        units = [unit for batch in failed for unit in batch]
        rules = [item for item in fallback() if item.id not in taken and _from_units(item, units)]
        items = sorted([*items, *rules], key=lambda item: item.page)
    return items


def verified_items(library: Library, doc: str, found: list[LlmItem]) -> list[ChecklistItem]:
    """Keep only items whose quote is verbatim on the stated page; the quote becomes the page's own text."""
    title = library.documents[doc].title if doc in library.documents else doc
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for raw in found:
        page = library.page(doc, raw.page)
        span = locate(page.text, raw.quote) if page is not None else None
        if page is None or span is None:
            continue  # the model quoted something the page does not say: drop it
        quote = page.text[span[0] : span[1]]
        kind: ItemKind = raw.kind
        identifier = item_id(doc, kind, raw.page, quote)
        if identifier in seen:
            continue
        seen.add(identifier)
        keys = KIND_FIELDS[kind]
        fields = {key: str(getattr(raw, key)) for key in keys}
        if kind == "recommendation":
            fields["recommendation"] = fields["recommendation"] or " ".join(quote.split())
        fields["found_by"] = "llm"
        items.append(ChecklistItem(identifier, kind, doc, title, raw.page, quote, fields))
    return items


def verdict_prompt(claim: str, evidence: list[str]) -> str:
    """The text the model is asked: the claim and the numbered evidence sentences."""
    listing = "\n".join(f"[{n}] {text}" for n, text in enumerate(evidence, start=1))
    return _VERDICT_PROMPT.format(claim=claim, evidence=listing)


def verdict_with_llm(settings: Settings, claim: str, evidence: list[str]) -> LlmVerdict | None:
    """The model's label for a claim over numbered evidence sentences; None on any failure."""
    try:
        model = structured_model(settings, LlmVerdict)
        result = model.invoke(verdict_prompt(claim, evidence))
        verdict = result if isinstance(result, LlmVerdict) else LlmVerdict.model_validate(result)
    except Exception as exc:
        log.warning("LLM-Prüfung fehlgeschlagen (%s), regelbasierter Weg wird genutzt.", exc)
        return None
    verdict.evidence = [n for n in verdict.evidence if 1 <= n <= len(evidence)]
    return verdict
