"""Extraction benchmark: `python -m evals.bench_extract` times the whole-corpus checklist
extraction (no re-embedding: the stored sentences, pages and sentence vectors are read).

Reports the cold run in a fresh process state (library load + spaCy matchers + every document),
a second run on the per-process cache, and items per document. The target is ≤ 60 s cold."""

from __future__ import annotations

import json
import time
from collections import Counter

from assistant import checklist
from assistant.extract import active_reader, extract_document
from assistant.library import open_library
from ingest.settings import Settings

TARGET_S = 60.0


def run() -> dict[str, object]:
    settings = Settings()
    started = time.perf_counter()
    library = open_library(settings)
    _ = library.sentences  # vectors from the catalog's embedding cache
    reader = active_reader(settings)  # as the product reads: the rules, plus the learned reader when it is on
    load_s = time.perf_counter() - started
    per_doc: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for doc in sorted(library.documents):
        begin = time.perf_counter()
        for item in extract_document(library, doc, reader):
            counts[f"{doc}:{item.kind}"] += 1
        per_doc[doc] = round(time.perf_counter() - begin, 2)
    cold_s = time.perf_counter() - started
    begin = time.perf_counter()
    checklist.extract_items(settings)  # fills the cache
    api_s = time.perf_counter() - begin
    begin = time.perf_counter()
    items = checklist.extract_items(settings)
    cached_s = time.perf_counter() - begin
    return {
        "documents": len(library.documents),
        "items": len(items),
        "reader": reader is not None,
        "load_s": round(load_s, 2),
        "cold_extract_s": round(cold_s, 2),
        "api_first_call_s": round(api_s, 2),
        "api_cached_s": round(cached_s, 3),
        "per_doc_s": per_doc,
        "items_per_doc_kind": dict(sorted(counts.items())),
        "target_s": TARGET_S,
        "within_target": cold_s <= TARGET_S,
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
