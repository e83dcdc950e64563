"""How far a careful reader of the documents gets on the project's own gold: the ceiling the
checklist and claim figures are read against.

    python -m evals.agreement

- **Claims, second reader** (``<set>.second_reader.jsonl``). A helper session that saw the page
  texts and the claims, but neither the writers' verdicts nor the product, judged two development
  blind sets. Its verdicts are scored against the writers' like the product's.
- **Claims, the LLM backend's prompts answered by hand** (``<set>.backend_reader.jsonl``). No LLM
  endpoint is reachable here, so a helper session answered the exact prompts the optional LLM
  backend sends (the claim and the checker's own six best evidence sentences; ``--prompts``
  writes them), one by one, from the prompt alone. It shows what a strong model makes of the
  product's evidence; a small local model will do less.
- **Extraction.** A third annotator (a helper session with the guideline and the page texts, not
  the product, the gold or the other annotations) annotated the Corona study's pages 20–39. Its
  items are scored against the adjudicated gold of those pages like the product's, next to our
  first annotation and the product on the same pages.
- **Extraction through the LLM backend's own prompt, answered by hand**
  (``extraction_backend/<pages>.<prompt>.jsonl``). A helper session answered the backend's exact
  prompts for the Corona study's pages 20–39 (``--extraction-prompts`` writes them), once with the
  shipped prompt and once, in a separate session, with the earlier one (``earlier_prompt.txt``).
  The answers go through the backend's own check (quotes verbatim on their page) and are scored
  like the product.

Every figure here is computed from the files under ``evals/gold/agreement/``; nothing is judged again.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.types import ChecklistItem
from evals.checklists import (
    EXTRACTION_DIR,
    EXTRACTION_FIRST_DIR,
    GOLD_DIR,
    GoldItem,
    PageRanges,
    annotated,
    gold_as_items,
    load_gold_claims,
    load_gold_items,
    load_scope,
    score_claims,
    score_extraction,
)
from ingest.settings import Settings

AGREEMENT_DIR = GOLD_DIR / "agreement"
THIRD_ANNOTATION_DIR = AGREEMENT_DIR / "extraction_third"
BACKEND_EXTRACTION_DIR = AGREEMENT_DIR / "extraction_backend"
READERS = {"second_reader": "second reader (page texts)", "backend_reader": "LLM backend prompts, by hand"}


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


def reader_files(reader: str, folder: Path = AGREEMENT_DIR) -> list[Path]:
    """The verdict files of one reader (a key of ``READERS``), one per claim set."""
    return sorted(folder.glob(f"*.{reader}.jsonl"))


def claim_agreement(path: Path, gold_dir: Path = GOLD_DIR) -> ClaimAgreement:
    """A reader's verdicts (``<set>.<reader>.jsonl``) scored against the gold set of that name."""
    claim_set = path.name.split(".")[0]
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


def _adjudicated_gold_on(scope: dict[str, PageRanges]) -> list[GoldItem]:
    """The adjudicated gold items on the pages of ``scope``."""
    return [g for g in load_gold_items(EXTRACTION_DIR) if g.doc in scope and annotated(scope, g.doc, g.page)]


def extraction_agreement(product: list[ChecklistItem] | None = None) -> list[ExtractionAgreement]:
    """The third annotation, our first annotation and (when given) the product, each scored against
    the adjudicated gold on the third annotation's pages."""
    scope = load_scope(THIRD_ANNOTATION_DIR)
    gold = _adjudicated_gold_on(scope)
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


def backend_extraction_agreement(
    settings: Settings, folder: Path = BACKEND_EXTRACTION_DIR
) -> list[ExtractionAgreement]:
    """Each answer file of the backend's extraction prompts, checked as the backend checks a model's
    items, scored against the adjudicated gold on the folder's pages."""
    from assistant.extract.llm_extract import LlmItems, verified_items
    from assistant.library import open_library

    library = open_library(settings)
    scope = load_scope(folder)
    gold = _adjudicated_gold_on(scope)
    result = []
    for path in sorted(folder.glob("*.jsonl")):
        doc = path.name.split("_p")[0] + ".pdf"
        found = [
            item
            for line in path.read_text("utf-8").splitlines()
            if line.strip()
            for item in LlmItems.model_validate({"items": json.loads(line)["items"]}).items
        ]
        items = verified_items(library, doc, found)
        who = f"LLM backend, {path.name.split('.')[1].replace('_', ' ')}, by hand"
        for kind, scores in score_extraction(items, gold, scope).items():
            result.append(ExtractionAgreement(who, kind, scores.precision, scores.recall))
    return result


def backend_prompts(settings: Settings, claim_set: Path) -> list[dict[str, str]]:
    """The prompt the LLM backend sends for every claim of a set, over the checker's own evidence."""
    from assistant.claims import LLM_EVIDENCE, checker
    from assistant.extract.llm_extract import verdict_prompt

    claims = checker(settings)
    prompts = []
    for claim in load_gold_claims(claim_set):
        shown = claims.gather(claims.library, claim.claim)[:LLM_EVIDENCE]
        prompts.append({"id": claim.id, "prompt": verdict_prompt(claim.claim, [w.text for w in shown])})
    return prompts


def main(argv: list[str] | None = None) -> None:
    from assistant.checklist import extract_items

    parser = argparse.ArgumentParser(prog="python -m evals.agreement", description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", metavar="SET", help="write the LLM backend's prompts for evals/gold/SET.jsonl")
    parser.add_argument(
        "--extraction-prompts",
        nargs=3,
        metavar=("DOC", "FIRST", "LAST"),
        help="write the LLM backend's extraction prompts for pages FIRST to LAST of DOC",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.extraction_prompts:
        from assistant.extract.llm_extract import extraction_prompts
        from assistant.library import open_library

        doc, first, last = args.extraction_prompts
        batches = extraction_prompts(open_library(settings), doc, range(int(first), int(last) + 1))
        for number, batch in enumerate(batches, start=1):
            print(json.dumps({"id": f"b{number}", "prompt": batch}, ensure_ascii=False))
        return
    if args.prompts:
        for prompt in backend_prompts(settings, GOLD_DIR / f"{args.prompts}.jsonl"):
            print(json.dumps(prompt, ensure_ascii=False))
        return
    for reader, label in READERS.items():
        for path in reader_files(reader):
            agreement = claim_agreement(path)
            classes = ", ".join(f"{verdict} {share:.2f}" for verdict, share in agreement.per_class.items())
            print(
                f"claims {agreement.claim_set}, {label}: {agreement.accuracy:.3f} of {agreement.claims} "
                f"({classes}; unsure {agreement.unsure})"
            )
    for row in [*extraction_agreement(extract_items(settings)), *backend_extraction_agreement(settings)]:
        print(f"extraction {row.kind} {row.who}: P {row.precision:.3f} R {row.recall:.3f}")


if __name__ == "__main__":
    main()
