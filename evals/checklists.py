"""Checklist and claim metrics on the project's gold: extraction precision/recall per kind and
claim accuracy per verdict class.

Matching an extracted item to a gold item: same document, page within ±1, and the quotes overlap
(one normalised quote contains the other, or the shorter one's tokens are at least half present
in the longer one). A gold item marked ``duplicate_of`` repeats a statement made elsewhere: it
does not count towards recall, but an extracted item that matches it is correct. Only documents
with a gold file count.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from rich.console import Console
from rich.table import Table

from assistant.types import ChecklistItem, ItemKind
from evals.gold import GOLD_DIR, normalise, token_recall, tokens
from ingest.settings import Settings

# A document annotated on part of its pages names those page ranges in the folder's scope.json;
# only predictions on those pages count.
EXTRACTION_DIR = GOLD_DIR / "extraction"
# annotated blind (evals/gold/GUIDELINE.md) by annotators who saw neither the rules nor their
# output; keep it out of rule development
EXTRACTION_HELDOUT_DIR = GOLD_DIR / "extraction_heldout"
# two annotations of the same documents, ours (first) and a blind second one; where they differ an
# adjudicator decided, and the result is in EXTRACTION_DIR (python -m evals.adjudicate)
EXTRACTION_FIRST_DIR = GOLD_DIR / "extraction_first"
EXTRACTION_SECOND_DIR = GOLD_DIR / "extraction_second"
SCOPE_FILE = "scope.json"
PageRanges = tuple[tuple[int, int], ...]
CLAIMS_PATH = GOLD_DIR / "claims.jsonl"
# further claim sets in the report, each in evals/gold/<key>.jsonl: (result key, label).
# claims_heldout was written after the claim rules were settled, to see how they carry over; the
# blind sets were written by helpers who saw the page texts, not the checker, each scored once on
# arrival (README) and then used to develop the rules, except those labelled "zurückgehalten"
_CLAIM_SET_LABELS = (
    ("claims_heldout", "zurückgehaltene Aussagen"),
    ("claims_blind", "blind geschrieben 1 (Entwicklung)"),
    ("claims_blind_heldout", "blind geschrieben 2 (Entwicklung)"),
    ("claims_blind_heldout2", "blind geschrieben 3 (Entwicklung)"),
    ("claims_blind_heldout3", "blind geschrieben 4 (Entwicklung)"),
    ("claims_blind_heldout4", "blind geschrieben 5 (zurückgehalten)"),
    ("claims_blind_heldout5", "blind geschrieben 6 (zurückgehalten)"),
    ("claims_blind_heldout6", "blind geschrieben 7 (Entwicklung)"),
    ("claims_blind_heldout7", "blind geschrieben 8 (zurückgehalten)"),
)
OTHER_CLAIM_SETS = tuple((key, label, GOLD_DIR / f"{key}.jsonl") for key, label in _CLAIM_SET_LABELS)
PAGE_TOLERANCE = 1
MIN_TOKEN_RECALL = 0.5
VERDICTS = ("supported", "contradicted", "not_found")


@dataclass(frozen=True)
class GoldItem:
    kind: str
    doc: str
    page: int
    quote: str
    duplicate: bool


@dataclass(frozen=True)
class GoldClaim:
    id: str
    claim: str
    verdict: str
    alteration: str


@dataclass
class KindScores:
    kind: str
    predicted: int = 0
    correct: int = 0  # predicted items that match a gold item
    gold: int = 0  # gold items that count for recall
    found: int = 0  # of those, matched by a predicted item
    per_doc: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


def load_gold_items(folder: Path = EXTRACTION_DIR) -> list[GoldItem]:
    items = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                items.append(
                    GoldItem(row["kind"], row["doc"], int(row["page"]), row["quote"], bool(row.get("duplicate_of")))
                )
    return items


def load_scope(folder: Path) -> dict[str, PageRanges]:
    """The annotated page ranges of each partly annotated document ((first, last), inclusive)."""
    path = folder / SCOPE_FILE
    if not path.exists():
        return {}
    ranges = json.loads(path.read_text("utf-8"))
    return {doc: tuple((int(first), int(last)) for first, last in spans) for doc, spans in ranges.items()}


def annotated(scope: Mapping[str, PageRanges], doc: str, page: int) -> bool:
    spans = scope.get(doc)
    return spans is None or any(first <= page <= last for first, last in spans)


def gold_as_items(gold: list[GoldItem]) -> list[ChecklistItem]:
    """One annotation's items in the shape of predictions, to score it against another annotation."""
    return [
        ChecklistItem(id=f"gold-{n}", kind=cast(ItemKind, g.kind), doc=g.doc, title=g.doc, page=g.page, quote=g.quote)
        for n, g in enumerate(gold)
        if not g.duplicate
    ]


def load_gold_claims(path: Path = CLAIMS_PATH) -> list[GoldClaim]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [GoldClaim(r["id"], r["claim"], r["verdict"], r.get("alteration", "")) for r in rows]


def quotes_overlap(a: str, b: str) -> bool:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    shorter, longer = (a, b) if len(tokens(a)) <= len(tokens(b)) else (b, a)
    return token_recall(shorter, longer) >= MIN_TOKEN_RECALL


class Located(Protocol):
    """What the matching rule looks at: an extracted item, a gold item, an annotation row."""

    @property
    def kind(self) -> str: ...
    @property
    def doc(self) -> str: ...
    @property
    def page(self) -> int: ...
    @property
    def quote(self) -> str: ...


def matches(item: Located, gold: Located) -> bool:
    """The one matching rule of the evals: same kind and document, page within ±1, overlapping quotes."""
    return (
        item.kind == gold.kind
        and item.doc == gold.doc
        and abs(item.page - gold.page) <= PAGE_TOLERANCE
        and quotes_overlap(item.quote, gold.quote)
    )


def score_extraction(
    items: list[ChecklistItem], gold: list[GoldItem], scope: Mapping[str, PageRanges] | None = None
) -> dict[str, KindScores]:
    docs = {g.doc for g in gold}
    pages = scope or {}
    result: dict[str, KindScores] = {}
    for kind in ("indicator", "recommendation"):
        scores = KindScores(kind)
        for doc in sorted(docs):
            predicted = [i for i in items if i.kind == kind and i.doc == doc and annotated(pages, doc, i.page)]
            wanted = [g for g in gold if g.kind == kind and g.doc == doc]
            correct = sum(1 for i in predicted if any(matches(i, g) for g in wanted))
            counted = [g for g in wanted if not g.duplicate]
            found = sum(1 for g in counted if any(matches(i, g) for i in predicted))
            scores.predicted += len(predicted)
            scores.correct += correct
            scores.gold += len(counted)
            scores.found += found
            scores.per_doc[doc] = (len(predicted), correct, len(counted), found)
        result[kind] = scores
    return result


def score_claims(gold: list[GoldClaim], verdicts: Mapping[str, str]) -> dict[str, Any]:
    per_class: dict[str, dict[str, int]] = {v: {"total": 0, "correct": 0} for v in VERDICTS}
    confusion: dict[str, dict[str, int]] = {v: dict.fromkeys(VERDICTS, 0) for v in VERDICTS}
    for claim in gold:
        got = verdicts[claim.id]
        per_class[claim.verdict]["total"] += 1
        per_class[claim.verdict]["correct"] += int(got == claim.verdict)
        confusion[claim.verdict][got] += 1
    total = sum(c["total"] for c in per_class.values())
    correct = sum(c["correct"] for c in per_class.values())
    return {
        "accuracy": correct / total if total else 0.0,
        "per_class": {v: (c["correct"] / c["total"] if c["total"] else 0.0) for v, c in per_class.items()},
        "counts": per_class,
        "confusion": confusion,
    }


def run_checklist_eval(settings: Settings, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Extraction precision/recall per kind and claim accuracy per verdict on the gold sets."""
    from assistant.checklist import extract_items
    from assistant.claims import check_claim

    gold_items = load_gold_items()
    log(f"Extraktion: {len({g.doc for g in gold_items})} Dokumente mit Gold-Liste …")
    started = time.perf_counter()
    items = extract_items(settings)
    extraction_s = time.perf_counter() - started
    extraction = score_extraction(items, gold_items, load_scope(EXTRACTION_DIR))
    heldout_items = load_gold_items(EXTRACTION_HELDOUT_DIR)
    extraction_heldout = score_extraction(items, heldout_items, load_scope(EXTRACTION_HELDOUT_DIR))
    second = load_gold_items(EXTRACTION_SECOND_DIR)
    first_as_items = gold_as_items(load_gold_items(EXTRACTION_FIRST_DIR))
    claims = load_gold_claims()
    log(f"Aussagen: {len(claims)} Gold-Aussagen werden geprüft …")
    started = time.perf_counter()
    verdicts = {c.id: check_claim(settings, c.claim).verdict for c in claims}
    claims_s = time.perf_counter() - started
    claim_scores = score_claims(claims, verdicts)
    others = {}
    for key, _, path in OTHER_CLAIM_SETS:
        claim_set = load_gold_claims(path)
        others[key] = score_claims(claim_set, {c.id: check_claim(settings, c.claim).verdict for c in claim_set})
    wrong = [
        {"id": c.id, "claim": c.claim, "gold": c.verdict, "got": verdicts[c.id]}
        for c in claims
        if verdicts[c.id] != c.verdict
    ]
    return {
        "extraction": _extraction_figures(extraction),
        "extraction_heldout": _extraction_figures(extraction_heldout),
        "extraction_second": _extraction_figures(score_extraction(items, second)),
        "annotator_agreement": _extraction_figures(score_extraction(first_as_items, second)),
        "extraction_seconds": extraction_s,
        "items_total": len(items),
        "claims": claim_scores | {"seconds": claims_s, "wrong": wrong},
        **others,
    }


def _extraction_figures(extraction: Mapping[str, KindScores]) -> dict[str, dict[str, Any]]:
    return {
        kind: {
            "precision": s.precision,
            "recall": s.recall,
            "predicted": s.predicted,
            "correct": s.correct,
            "gold": s.gold,
            "found": s.found,
            "per_doc": {d: dict(zip(("predicted", "correct", "gold", "found"), v)) for d, v in s.per_doc.items()},
        }
        for kind, s in extraction.items()
    }


def _extraction_table(title: str, figures: Mapping[str, Mapping[str, Any]]) -> Table:
    table = Table(title=title)
    for column in ("Art", "Präzision", "Recall", "vorhergesagt", "korrekt", "Gold", "gefunden"):
        table.add_column(column, justify="right" if column != "Art" else "left")
    for kind, s in figures.items():
        table.add_row(
            kind,
            f"{s['precision']:.2f}",
            f"{s['recall']:.2f}",
            str(s["predicted"]),
            str(s["correct"]),
            str(s["gold"]),
            str(s["found"]),
        )
    return table


def _documents(figures: Mapping[str, Mapping[str, Any]]) -> int:
    """How many documents a set of extraction figures covers (0 when there is no such gold)."""
    return len(next(iter(figures.values()))["per_doc"]) if figures else 0


def print_checklist_report(console: Console, result: dict[str, Any]) -> None:
    title = f"Checklisten-Extraktion (Gold: {_documents(result['extraction'])} Dokumente)"
    console.print(_extraction_table(title, result["extraction"]))
    per_doc = Table(title="pro Dokument (Präzision korrekt/vorhergesagt · Recall gefunden/Gold)")
    for column in ("Dokument", "Art", "Präzision", "Recall"):
        per_doc.add_column(column, justify="right" if column in ("Präzision", "Recall") else "left")
    for kind, figures in result["extraction"].items():
        for doc, d in figures["per_doc"].items():
            precision = d["correct"] / d["predicted"] if d["predicted"] else 0.0
            recall = d["found"] / d["gold"] if d["gold"] else 0.0
            per_doc.add_row(
                doc.removesuffix(".pdf"),
                kind,
                f"{precision:.2f} ({d['correct']}/{d['predicted']})",
                f"{recall:.2f} ({d['found']}/{d['gold']})",
            )
    console.print(per_doc)
    heldout = result.get("extraction_heldout", {})
    if _documents(heldout):
        title = f"Zurückgehaltenes Gold ({_documents(heldout)} Dokumente, blind annotiert)"
        console.print(_extraction_table(title, heldout))
    second = result.get("extraction_second", {})
    if _documents(second):
        console.print(_extraction_table(f"Zweite, blinde Annotation ({_documents(second)} Dokumente)", second))
        console.print(_extraction_table("Erste Annotation gemessen an der zweiten", result["annotator_agreement"]))
    console.print(
        f"Extraktion des ganzen Korpus: {result['extraction_seconds']:.1f} s, {result['items_total']} Einträge"
    )
    claims = result["claims"]
    verdicts = Table(title="Aussagen prüfen")
    verdicts.add_column("Urteil")
    verdicts.add_column("Genauigkeit", justify="right")
    verdicts.add_column("richtig / gesamt", justify="right")
    for verdict in VERDICTS:
        count = claims["counts"][verdict]
        verdicts.add_row(verdict, f"{claims['per_class'][verdict]:.2f}", f"{count['correct']} / {count['total']}")
    verdicts.add_row("[bold]gesamt[/bold]", f"[bold]{claims['accuracy']:.2f}[/bold]", "")
    for key, label, _ in OTHER_CLAIM_SETS:
        figures = result[key]
        verdicts.add_row(
            label,
            f"{figures['accuracy']:.2f}",
            " · ".join(f"{v} {figures['counts'][v]['correct']}/{figures['counts'][v]['total']}" for v in VERDICTS),
        )
    console.print(verdicts)
