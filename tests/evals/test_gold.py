"""The gold sets measure the product, so they must be sound: the shape the issues ask for, and
every evidence quote really stands on its page in the stored text."""

from __future__ import annotations

import json
from collections import Counter

from assistant.library import open_library
from evals.agreement import THIRD_ANNOTATION_DIR
from evals.checklists import (
    CLAIMS_PATH,
    EXTRACTION_DIR,
    EXTRACTION_FIRST_DIR,
    EXTRACTION_HELDOUT_DIR,
    EXTRACTION_SECOND_DIR,
    OTHER_CLAIM_SETS,
    load_gold_claims,
    load_gold_items,
)
from evals.gold import load_questions, normalise
from ingest.settings import Settings
from tests.helpers import CORPUS_PAGES


def test_question_gold_has_the_required_shape() -> None:
    questions = load_questions()
    assert len({q.id for q in questions}) == len(questions) >= 80
    assert sum(not q.answerable for q in questions) >= 12
    assert all(q.evidence for q in questions if q.answerable)
    assert not any(q.evidence for q in questions if not q.answerable)
    assert {ev.doc for q in questions for ev in q.evidence} == set(CORPUS_PAGES)
    assert set(Counter(q.role for q in questions)) == {"advisor", "manager", "evaluator"}
    assert sum(q.lang == "en" for q in questions) >= 3


def test_every_evidence_quote_stands_on_its_page(fake_index: Settings) -> None:
    library = open_library(fake_index)
    missing = []
    for q in load_questions():
        for ev in q.evidence:
            page = library.page(ev.doc, ev.page)
            if page is None or normalise(ev.quote) not in normalise(page.text):
                missing.append((q.id, ev.doc, ev.page))
    gold_sets = (
        EXTRACTION_DIR,
        EXTRACTION_FIRST_DIR,
        EXTRACTION_HELDOUT_DIR,
        EXTRACTION_SECOND_DIR,
        THIRD_ANNOTATION_DIR,
    )
    for item in [g for folder in gold_sets for g in load_gold_items(folder)]:
        page = library.page(item.doc, item.page)
        if page is None or normalise(item.quote) not in normalise(page.text):
            missing.append(("extraction", item.doc, item.page))
    for path in (CLAIMS_PATH, *(path for _, _, path in OTHER_CLAIM_SETS)):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            row = json.loads(line)
            for ev in row.get("evidence", []):
                page = library.page(ev["doc"], int(ev["page"]))
                if page is None or normalise(ev["quote"]) not in normalise(page.text):
                    missing.append((row["id"], ev["doc"], ev["page"]))
    assert not missing


def test_claim_gold_covers_every_verdict() -> None:
    claims = load_gold_claims()
    counts = Counter(c.verdict for c in claims)
    assert len(claims) >= 40 and min(counts[v] for v in ("supported", "contradicted", "not_found")) >= 10
    ids = {c.id for c in claims}
    for _, _, path in OTHER_CLAIM_SETS:
        other = load_gold_claims(path)
        assert {c.verdict for c in other} == {"supported", "contradicted", "not_found"}
        assert not {c.id for c in other} & ids, path  # every claim id names one claim
        ids |= {c.id for c in other}
