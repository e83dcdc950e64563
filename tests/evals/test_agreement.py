"""The ceiling figures: other readers' verdicts and annotations, and the LLM backend's prompts
answered by hand, scored like the product."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.agreement import (
    READERS,
    backend_extraction_agreement,
    backend_prompts,
    claim_agreement,
    extraction_agreement,
    reader_files,
)
from evals.checklists import EXTRACTION_DIR, GOLD_DIR, VERDICTS, load_gold_claims, load_gold_items
from ingest.settings import Settings


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_judged_every_claim_of_its_set(reader: str) -> None:
    files = reader_files(reader)
    assert files
    for path in files:
        labels = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        gold = load_gold_claims(GOLD_DIR / f"{path.name.split('.')[0]}.jsonl")
        assert [row["id"] for row in labels] == [claim.id for claim in gold], path.name
        assert {row["verdict"] for row in labels} <= set(VERDICTS), path.name


def test_a_second_reader_is_scored_like_the_product(tmp_path: Path) -> None:
    claims = [
        {"id": "x1", "claim": "A", "verdict": "supported", "evidence": [], "alteration": ""},
        {"id": "x2", "claim": "B", "verdict": "contradicted", "evidence": [], "alteration": "number"},
        {"id": "x3", "claim": "C", "verdict": "not_found", "evidence": [], "alteration": ""},
    ]
    (tmp_path / "tiny.jsonl").write_text("\n".join(json.dumps(c) for c in claims), "utf-8")
    labels = [
        {"id": "x1", "verdict": "supported", "sure": True},
        {"id": "x2", "verdict": "not_found", "sure": False},
        {"id": "x3", "verdict": "not_found", "sure": True},
    ]
    reader = tmp_path / "tiny.second_reader.jsonl"
    reader.write_text("\n".join(json.dumps(label) for label in labels), "utf-8")
    agreement = claim_agreement(reader, gold_dir=tmp_path)
    assert agreement.claim_set == "tiny" and agreement.claims == 3
    assert abs(agreement.accuracy - 2 / 3) < 1e-9
    assert agreement.per_class == {"supported": 1.0, "contradicted": 0.0, "not_found": 1.0}
    assert agreement.unsure == 1


def test_the_third_annotation_is_scored_on_its_own_pages_for_both_kinds() -> None:
    rows = extraction_agreement()
    assert {(row.who, row.kind) for row in rows} == {
        (who, kind) for who in ("third annotator", "first annotation") for kind in ("indicator", "recommendation")
    }
    assert all(0.0 <= row.precision <= 1.0 and 0.0 <= row.recall <= 1.0 for row in rows)


def test_the_backend_prompts_hold_each_claim_and_its_numbered_evidence(fake_index: Settings, tmp_path: Path) -> None:
    claims = [
        {"id": "y1", "claim": "Clusterinitiativen haben im Durchschnitt 2,5 Stellen.", "verdict": "supported"},
        {"id": "y2", "claim": "Die Corona-Krise hat die Digitalisierung beschleunigt.", "verdict": "supported"},
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps({**c, "evidence": [], "alteration": ""}) for c in claims), "utf-8")
    prompts = backend_prompts(fake_index, path)
    assert [p["id"] for p in prompts] == ["y1", "y2"]
    for prompt, claim in zip(prompts, claims):
        assert f"Aussage: {claim['claim']}" in prompt["prompt"]
        assert "\n[1] " in prompt["prompt"] and "\n[7] " not in prompt["prompt"]  # six sentences at most


def test_backend_extraction_answers_are_checked_and_scored_like_the_backend(
    fake_index: Settings, tmp_path: Path
) -> None:
    gold = next(
        g
        for g in load_gold_items(EXTRACTION_DIR)
        if g.doc == "trendstudie-cluster-corona.pdf" and 20 <= g.page <= 39 and g.kind == "indicator"
    )
    (tmp_path / "scope.json").write_text(json.dumps({gold.doc: [[20, 39]]}), "utf-8")
    items = [
        {"kind": "indicator", "page": gold.page, "quote": gold.quote, "name": "x"},
        {"kind": "indicator", "page": gold.page, "quote": "Diesen Satz gibt es auf der Seite nicht."},
    ]
    answers = tmp_path / "trendstudie-cluster-corona_p20-39.some_prompt.jsonl"
    answers.write_text(json.dumps({"id": "b1", "items": items}, ensure_ascii=False), "utf-8")
    rows = {row.kind: row for row in backend_extraction_agreement(fake_index, tmp_path)}
    assert rows["indicator"].who == "LLM backend, some prompt, by hand"
    assert rows["indicator"].precision == 1.0  # the invented quote never became an item
    assert 0.0 < rows["indicator"].recall < 1.0
    assert rows["recommendation"].precision == 0.0 and rows["recommendation"].recall == 0.0
