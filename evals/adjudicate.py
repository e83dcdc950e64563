"""Build the adjudicated extraction gold from two blind annotations and an adjudicator's decisions.

    python -m evals.adjudicate            # writes evals/gold/extraction/<doc>.jsonl
    python -m evals.adjudicate --candidates  # lists the items that need a decision

Two annotators listed the items of the same documents (``extraction_first/``, ours, and
``extraction_second/``, blind). An item both listed (same kind, page within ±1, overlapping
quotes: the eval's own matching rule) is kept as the first annotation wrote it. An item only one
of them listed is a candidate: an adjudicator who saw the guideline and the page texts, but neither
the product's output nor which annotator listed it, decided "keep", "other_kind" (a genuine item
of the other kind) or "drop" (``adjudication/decisions.jsonl``). The result is the development
gold the targets are measured on; nothing in it comes from the product.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.types import KIND_FIELDS
from evals.checklists import (
    EXTRACTION_DIR,
    EXTRACTION_FIRST_DIR,
    EXTRACTION_SECOND_DIR,
    GoldItem,
    matches,
)
from evals.gold import GOLD_DIR

DECISIONS_PATH = GOLD_DIR / "adjudication" / "decisions.jsonl"
DECISIONS = ("keep", "other_kind", "drop")
OTHER_KIND = {"indicator": "recommendation", "recommendation": "indicator"}


@dataclass(frozen=True)
class Row:
    source: str  # "<folder>/<file>", e.g. "extraction_first/trendstudie-cluster-corona.jsonl"
    line: int  # 1-based line in that file
    data: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        return (self.source, self.line)

    @property
    def duplicate_of(self) -> tuple[str, int] | None:
        original = self.data.get("duplicate_of")
        return (self.source, int(original)) if original else None


def read_rows(folder: Path) -> list[Row]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append(Row(f"{folder.name}/{path.name}", number, json.loads(line)))
    return rows


def same_item(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two annotation rows name the same item by the eval's matching rule."""
    return matches(_located(a), _located(b))


def _located(data: Mapping[str, Any]) -> GoldItem:
    return GoldItem(data["kind"], data["doc"], int(data["page"]), data["quote"], duplicate=False)


@dataclass(frozen=True)
class Split:
    agreed: list[Row]  # first-annotation rows the second annotation also lists
    stands_for: dict[tuple[str, int], tuple[str, int]]  # a matched second row -> the agreed first row
    candidates: list[Row]  # rows only one annotation lists


def split(first: list[Row], second: list[Row]) -> Split:
    agreed, candidates = [], []
    stands_for: dict[tuple[str, int], tuple[str, int]] = {}
    for row in first:
        matched = [s for s in second if same_item(row.data, s.data)]
        if matched:
            agreed.append(row)
            for s in matched:
                stands_for.setdefault(s.key, row.key)
        else:
            candidates.append(row)
    candidates += [s for s in second if s.key not in stands_for]
    return Split(agreed, stands_for, candidates)


def load_decisions(path: Path = DECISIONS_PATH) -> dict[tuple[str, int], str]:
    decisions = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["decision"] not in DECISIONS:
                raise ValueError(f"{path}: unknown decision {row['decision']!r} for {row['source']}:{row['line']}")
            decisions[(row["source"], int(row["line"]))] = row["decision"]
    return decisions


def as_kind(data: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The row as an item of ``kind``: its quote and place, that kind's fields (empty when moved)."""
    base = {key: data[key] for key in ("kind", "doc", "page", "quote")} | {"kind": kind}
    return base | {name: data.get(name, "") if data["kind"] == kind else "" for name in KIND_FIELDS[kind]}


def adjudicate(split_rows: Split, decisions: Mapping[tuple[str, int], str]) -> dict[str, list[dict[str, Any]]]:
    """The adjudicated rows per document, in page order, with ``duplicate_of`` renumbered."""
    missing = [row.key for row in split_rows.candidates if row.key not in decisions]
    if missing:
        raise ValueError(f"{len(missing)} candidates have no decision, e.g. {missing[0]}; see --candidates")
    kept: list[tuple[Row, dict[str, Any]]] = [(row, as_kind(row.data, row.data["kind"])) for row in split_rows.agreed]
    for row in split_rows.candidates:
        decision = decisions[row.key]
        if decision == "drop":
            continue
        kind = row.data["kind"] if decision == "keep" else OTHER_KIND[row.data["kind"]]
        item = as_kind(row.data, kind)
        if decision == "other_kind" and any(same_item(item, other) for _, other in kept):
            continue  # the other annotator already listed it as that kind
        kept.append((row, item))
    result: dict[str, list[dict[str, Any]]] = {}
    for doc in sorted({item["doc"] for _, item in kept}):
        rows = sorted(
            [(row, item) for row, item in kept if item["doc"] == doc],
            key=lambda pair: (int(pair[1]["page"]), pair[0].source, pair[0].line),
        )
        line_of = {row.key: number for number, (row, _) in enumerate(rows, 1)}
        line_of |= {second: line_of[first] for second, first in split_rows.stands_for.items() if first in line_of}
        out = []
        for number, (row, item) in enumerate(rows, 1):
            original = line_of.get(row.duplicate_of) if row.duplicate_of else None
            out.append(item | ({"duplicate_of": str(original)} if original and original < number else {}))
        result[doc] = out
    return result


def write_gold(adjudicated: Mapping[str, list[dict[str, Any]]], folder: Path = EXTRACTION_DIR) -> list[Path]:
    paths = []
    for doc, rows in adjudicated.items():
        path = folder / f"{doc.removesuffix('.pdf')}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        paths.append(path)
    return paths


def candidate_lines(rows: Iterable[Row]) -> list[str]:
    return [json.dumps({"source": r.source, "line": r.line} | dict(r.data), ensure_ascii=False) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", action="store_true", help="print the rows that need a decision")
    args = parser.parse_args()
    split_rows = split(read_rows(EXTRACTION_FIRST_DIR), read_rows(EXTRACTION_SECOND_DIR))
    if args.candidates:
        print("\n".join(candidate_lines(split_rows.candidates)))
        return
    for path in write_gold(adjudicate(split_rows, load_decisions())):
        print(f"geschrieben: {path}")


if __name__ == "__main__":
    main()
