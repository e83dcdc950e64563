"""How far a careful reader of the documents gets on the project's own gold: the ceiling the
checklist and claim figures are read against.

    python -m evals.agreement

- **Claims.** A second reader (a helper session that saw the page texts and the claims, but neither
  the writer's verdicts nor the product) judged two development blind sets. Its verdicts are scored
  against the writers' like the product's.
- **Extraction.** A third annotator (a helper session with the guideline and the page texts, not
  the product, the gold or the other annotations) annotated the Corona study's pages 20–39. Its
  items are scored against the adjudicated gold of those pages like the product's, next to our
  first annotation and the product on the same pages.

Every figure here is computed from the files under ``evals/gold/agreement/``; nothing is judged again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.types import ChecklistItem
from evals.checklists import (
    EXTRACTION_DIR,
    EXTRACTION_FIRST_DIR,
    GOLD_DIR,
    annotated,
    gold_as_items,
    load_gold_claims,
    load_gold_items,
    load_scope,
    score_claims,
    score_extraction,
)

AGREEMENT_DIR = GOLD_DIR / "agreement"
THIRD_ANNOTATION_DIR = AGREEMENT_DIR / "extraction_third"
SECOND_READER_SUFFIX = ".second_reader.jsonl"


@dataclass(frozen=True)
class ClaimAgreement:
    claim_set: str
    claims: int
    accuracy: float
    per_class: dict[str, float]
    unsure: int


@dataclass(frozen=True)
class ExtractionAgreement:
    who: str
    kind: str
    precision: float
    recall: float


def second_reader_files(folder: Path = AGREEMENT_DIR) -> list[Path]:
    return sorted(folder.glob(f"*{SECOND_READER_SUFFIX}"))


def claim_agreement(path: Path, gold_dir: Path = GOLD_DIR) -> ClaimAgreement:
    """The second reader's verdicts scored against the gold set the file is named after."""
    claim_set = path.name.removesuffix(SECOND_READER_SUFFIX)
    gold = load_gold_claims(gold_dir / f"{claim_set}.jsonl")
    labels = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    verdicts = {row["id"]: row["verdict"] for row in labels}
    missing = {claim.id for claim in gold} - verdicts.keys()
    if missing:
        raise ValueError(f"{path.name}: kein Urteil für {sorted(missing)}")
    scores = score_claims(gold, verdicts)
    return ClaimAgreement(
        claim_set,
        len(gold),
        scores["accuracy"],
        scores["per_class"],
        sum(1 for row in labels if row.get("sure") is False),
    )


def extraction_agreement(product: list[ChecklistItem] | None = None) -> list[ExtractionAgreement]:
    """The third annotation, our first annotation and (when given) the product, each scored against
    the adjudicated gold on the third annotation's pages."""
    scope = load_scope(THIRD_ANNOTATION_DIR)
    gold = [g for g in load_gold_items(EXTRACTION_DIR) if g.doc in scope and annotated(scope, g.doc, g.page)]
    contenders = {
        "third annotator": gold_as_items(load_gold_items(THIRD_ANNOTATION_DIR)),
        "first annotation": gold_as_items(load_gold_items(EXTRACTION_FIRST_DIR)),
    }
    if product is not None:
        contenders["product"] = product
    result = []
    for who, items in contenders.items():
        for kind, scores in score_extraction(items, gold, scope).items():
            result.append(ExtractionAgreement(who, kind, scores.precision, scores.recall))
    return result


def main() -> None:
    from assistant.checklist import extract_items
    from ingest.settings import Settings

    for path in second_reader_files():
        agreement = claim_agreement(path)
        classes = ", ".join(f"{verdict} {share:.2f}" for verdict, share in agreement.per_class.items())
        print(
            f"claims {agreement.claim_set}: second reader {agreement.accuracy:.3f} of {agreement.claims} "
            f"({classes}; unsure {agreement.unsure})"
        )
    for row in extraction_agreement(extract_items(Settings())):
        print(f"extraction {row.kind} {row.who}: P {row.precision:.3f} R {row.recall:.3f}")


if __name__ == "__main__":
    main()
