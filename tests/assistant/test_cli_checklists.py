"""The command-line contract of `lotse extract`, `lotse check` and `lotse checklist export`:
exact JSON field sets, stdin batch mode in order, files that open, and exit code 2 with a
sentence that says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest.settings import Settings
from tests.assistant.test_extract import SMALL_DOC, build_small_index
from tests.helpers import run_lotse

ITEM_BASE = {"id", "kind", "doc", "page", "quote", "title"}
INDICATOR_FIELDS = ITEM_BASE | {"name", "definition", "value", "category", "found_by"}
RECOMMENDATION_FIELDS = ITEM_BASE | {"recommendation", "addressee", "type", "found_by"}
CITATION_FIELDS = {"n", "doc", "title", "page", "quote", "chunk_id"}


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_small_index(tmp_path_factory.mktemp("small-cli"))


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_extract_json_fields_are_exact(small_index: Settings, tmp_path: Path) -> None:
    result = run_lotse(["extract", "--json"], small_index.data_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = _lines(result.stdout)
    assert {r["kind"] for r in rows} == {"indicator", "recommendation"}
    for row in rows:
        expected = INDICATOR_FIELDS if row["kind"] == "indicator" else RECOMMENDATION_FIELDS
        assert set(row) == expected
        assert row["doc"] == SMALL_DOC and isinstance(row["page"], int)
    only = _lines(
        run_lotse(
            ["extract", "--json", "--kind", "recommendation", "--doc", SMALL_DOC], small_index.data_dir, tmp_path
        ).stdout
    )
    assert only and all(r["kind"] == "recommendation" for r in only)
    assert [r["id"] for r in only] == [r["id"] for r in rows if r["kind"] == "recommendation"]


def test_check_reads_claims_from_stdin_in_order(small_index: Settings, tmp_path: Path) -> None:
    claims = [
        "Clustermanagements sollten Handwerksbetriebe über die Kammern ansprechen.",
        "",
        "Die Rücklaufquote lag bei 70 Prozent.",
    ]
    result = run_lotse(["check", "--json"], small_index.data_dir, tmp_path, stdin="\n".join(claims) + "\n")
    assert result.returncode == 0, result.stderr
    rows = _lines(result.stdout)
    assert [r["claim"] for r in rows] == [c for c in claims if c]
    for row in rows:
        assert set(row) == {"claim", "verdict", "evidence"}
        assert row["verdict"] in ("supported", "contradicted", "not_found")
        for citation in row["evidence"]:  # type: ignore[attr-defined]
            assert set(citation) == CITATION_FIELDS


def test_checklist_export_writes_files(small_index: Settings, tmp_path: Path) -> None:
    target = tmp_path / "liste.xlsx"
    result = run_lotse(
        ["checklist", "export", "--format", "xlsx", "--output", str(target)], small_index.data_dir, tmp_path
    )
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(target).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][3] == "Quelle" and str(values[1][3]).startswith("Quelle: Empfehlungen für Cluster, S. ")
    markdown = run_lotse(
        ["checklist", "export", "--format", "md", "--kind", "indicator"], small_index.data_dir, tmp_path
    )
    assert markdown.returncode == 0, markdown.stderr
    assert "| Quelle: Empfehlungen für Cluster, S. " in markdown.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["extract", "--json", "--doc", "fehlt.pdf"], "lotse docs"),
        (["extract", "--json", "--kind", "massnahme"], "indicator, recommendation"),
        (["checklist", "export", "--format", "pdf"], "csv, md, xlsx"),
    ],
)
def test_errors_exit_2_with_advice(small_index: Settings, tmp_path: Path, args: list[str], says: str) -> None:
    result = run_lotse(args, small_index.data_dir, tmp_path)
    assert result.returncode == 2
    assert says in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_check_on_an_empty_index_says_what_to_do(tmp_path: Path) -> None:
    result = run_lotse(["check", "--json", "Cluster helfen Betrieben."], tmp_path / "leer", tmp_path)
    assert result.returncode == 2
    assert "lotse ingest" in " ".join(result.stderr.split())


def test_extract_through_an_openai_compatible_server_reports_progress_on_stderr(
    small_index: Settings, tmp_path: Path
) -> None:
    from tests.assistant.test_llm import FakeOpenAI, Reply

    said = "Clustermanagements sollten Handwerksbetriebe über die Kammern und Innungen ansprechen."
    invented = "Cluster sollten Quantencomputer kaufen."
    answer = {"items": [{"kind": "recommendation", "page": 1, "quote": q} for q in (said, invented)]}
    with FakeOpenAI() as server:
        server.reply = Reply(json.dumps(answer, ensure_ascii=False))
        result = run_lotse(
            ["extract", "--json"],
            small_index.data_dir,
            tmp_path,
            LOTSE_LLM_BASE_URL=server.base_url,
            LOTSE_LLM_MODEL="test-model",
        )
    assert result.returncode == 0, result.stderr
    rows = _lines(result.stdout)  # stdout stays one JSON object per line
    assert [(r["quote"], r["found_by"]) for r in rows] == [(said, "llm")]  # the invented quote is dropped
    assert f"LLM liest {SMALL_DOC}: 1/1 Abschnitte" in result.stderr
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "- lesson: " in prompt and "[S. 1] " in prompt
