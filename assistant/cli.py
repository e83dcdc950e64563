"""`lotse`: a thin typer layer over the library functions. Settings are built here, once."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ingest.errors import LotseError
from ingest.settings import Settings

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Clusterlotse – Wissensassistent für Clusterpolitik."
)
err = Console(stderr=True)
out = Console()


def settings() -> Settings:
    return Settings()


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def inputs(argument: str | None) -> Iterator[str]:
    """The argument, or one question per non-empty stdin line."""
    if argument is not None:
        yield argument
        return
    for line in sys.stdin:
        line = line.strip()
        if line:
            yield line


def fail(exc: LotseError) -> None:
    err.print(f"[red]Fehler:[/red] {exc}")
    raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="PDFs oder Ordner (Standard: corpus/).")] = None,
    prune: Annotated[bool, typer.Option(help="Dokumente entfernen, deren Datei im Ordner fehlt.")] = False,
    reindex: Annotated[bool, typer.Option(help="Index verwerfen und alles neu einbetten.")] = False,
) -> None:
    """Ingest PDFs into the index (incremental). Progress on stderr, summary at the end."""
    from assistant.progress import IngestProgress
    from ingest.pipeline import ingest_paths

    config = settings()
    targets = paths or [config.corpus_dir]
    try:
        with IngestProgress(err) as progress:
            report = ingest_paths(targets, config, prune=prune, reindex=reindex, progress=progress)
    except LotseError as exc:
        fail(exc)
        return
    table = Table(title="Ingest", show_lines=False)
    for column in ("Dokument", "Status", "Seiten", "Chunks", "Grund"):
        table.add_column(column)
    for outcome in report.outcomes:
        colour = {"failed": "red", "missing": "yellow"}.get(outcome.status, "green")
        table.add_row(
            outcome.doc,
            f"[{colour}]{outcome.status}[/{colour}]",
            str(outcome.pages or ""),
            str(outcome.chunks or ""),
            outcome.reason,
        )
    err.print(table)
    counts = {s: len(report.by_status(s)) for s in ("added", "unchanged", "replaced", "removed", "missing", "failed")}
    err.print("Zusammenfassung: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the ingested documents."""
    from ingest.catalog import Catalog

    catalog = Catalog(settings().catalog_path)
    rows = catalog.documents()
    if as_json:
        for d in rows:
            emit(
                {
                    "doc": d.doc,
                    "title": d.title,
                    "pages": d.pages,
                    "chunks": d.chunks,
                    "sha256": d.sha256,
                    "ingested_at": d.ingested_at,
                }
            )
        return
    table = Table(title="Bibliothek")
    for column in ("Dokument", "Titel", "Seiten", "Chunks", "Eingelesen"):
        table.add_column(column)
    for d in rows:
        table.add_row(d.doc, d.title, str(d.pages), str(d.chunks), d.ingested_at)
    out.print(table)


@app.command()
def chunks(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    doc: Annotated[str | None, typer.Option("--doc", help="Nur dieses Dokument (Dateiname).")] = None,
) -> None:
    """Print the stored, cleaned chunks."""
    from ingest.catalog import Catalog

    catalog = Catalog(settings().catalog_path)
    if doc and catalog.document(doc) is None:
        fail(LotseError(f"Dokument '{doc}' ist nicht im Index (siehe `lotse docs`)."))
    for stored in catalog.chunks(doc):
        c = stored.chunk
        row = {
            "chunk_id": c.id,
            "doc": c.doc_id,
            "title": c.doc_title,
            "page": c.page_start,
            "page_end": c.page_end,
            "text": c.text,
        }
        if as_json:
            emit(row)
        else:
            out.print(f"[bold]{c.doc_id}[/bold] S. {c.page_start}–{c.page_end}  {c.id}\n{c.text}\n")


@app.command()
def remove(doc: Annotated[str, typer.Argument(help="Dateiname des Dokuments.")]) -> None:
    """Delete one document from the index."""
    from ingest.pipeline import remove_document

    try:
        outcome = remove_document(doc, settings())
    except LotseError as exc:
        fail(exc)
        return
    err.print(f"Entfernt: {outcome.doc} ({outcome.chunks} Chunks)")


@app.command()
def retrieve(
    question: Annotated[
        str | None, typer.Argument(help="Frage; ohne Argument: eine Frage pro Zeile von stdin.")
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the top-k passages for a question (hybrid retrieval)."""
    from assistant.retrieve import HybridRetriever

    retriever = HybridRetriever(settings=settings(), k=k)
    try:
        for q in inputs(question):
            passages = retriever.search(q, k=k)
            if as_json:
                emit({"question": q, "passages": [p.as_json() for p in passages]})
            else:
                out.print(f"[bold]{q}[/bold]")
                for rank, p in enumerate(passages, 1):
                    out.print(f"{rank}. {p.title}, S. {p.page}  ({p.score:.4f})\n   {p.text[:300]}…")
    except LotseError as exc:
        fail(exc)


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="Frage; ohne Argument: eine Frage pro Zeile von stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    style: Annotated[str, typer.Option(help="default | advisor | manager | evaluator")] = "default",
) -> None:
    """Answer a question with numbered, verbatim citations (or "Nicht in den Dokumenten")."""
    from assistant.service import Assistant
    from assistant.show import print_answer

    if style not in ("default", "advisor", "manager", "evaluator"):
        fail(LotseError(f"Unbekannter Stil '{style}'. Erlaubt: default, advisor, manager, evaluator."))
    try:
        assistant = Assistant(settings())
        for q in inputs(question):
            answer = assistant.ask(q, style=style)  # type: ignore[arg-type]
            if as_json:
                emit(answer.as_json())
            else:
                print_answer(out, answer)
    except LotseError as exc:
        fail(exc)


@app.command(name="eval")
def evaluate(
    part: Annotated[str, typer.Option(help="all | qa | checklists")] = "all",
    baselines: Annotated[
        bool, typer.Option(help="Auch RRF, dense-, lexical-only und die Tutorial-Pipeline messen.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Metrics on the project's own gold sets: retrieval, answers, abstention (with baselines),
    extraction precision/recall and claim accuracy."""
    from evals.checklists import print_checklist_report, run_checklist_eval
    from evals.report import print_report, report_json
    from evals.run import run_qa_eval

    if part not in ("all", "qa", "checklists"):
        fail(LotseError(f"Unbekannter Teil '{part}'. Erlaubt: all, qa, checklists."))
    config = settings()
    try:
        if part in ("all", "qa"):
            result = run_qa_eval(config, baselines=baselines, log=lambda m: err.print(m))
            if as_json:
                emit({"part": "qa", **report_json(result)})
            else:
                print_report(out, result)
        if part in ("all", "checklists"):
            checklist_result = run_checklist_eval(config, log=lambda m: err.print(m))
            if as_json:
                emit({"part": "checklists", **checklist_result})
            else:
                print_checklist_report(out, checklist_result)
    except LotseError as exc:
        fail(exc)


from assistant.cli_checklists import register as _register_checklists  # noqa: E402

_register_checklists(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
