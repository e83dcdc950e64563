"""`lotse extract`, `lotse check` and `lotse checklist export`: thin commands over
assistant.checklist and assistant.claims (see DESIGN.md for the JSON contract)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from assistant.types import Verdict
from ingest.errors import LotseError

_COLOURS = {"supported": "green", "contradicted": "red", "not_found": "yellow"}
_LABELS = {"supported": "belegt", "contradicted": "widerlegt", "not_found": "nicht in den Dokumenten"}


def print_verdict(console: Console, verdict: Verdict) -> None:
    colour = _COLOURS[verdict.verdict]
    body = f"[bold {colour}]{_LABELS[verdict.verdict]}[/bold {colour}]"
    if verdict.reason:
        body += f"\n{verdict.reason}"
    console.print(Panel(body, title=verdict.claim, border_style=colour))
    for c in verdict.evidence:
        console.print(f"[bold][{c.n}][/bold] {c.title}, S. {c.page}  [dim]({c.doc})[/dim]")
        console.print(f"    „{c.quote}“", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the checklist and claim commands to the ``lotse`` app."""
    checklist_app = typer.Typer(no_args_is_help=True, help="Checklisten (Indikatoren, Empfehlungen).")
    app.add_typer(checklist_app, name="checklist")

    @app.command()
    def extract(
        as_json: Annotated[bool, typer.Option("--json")] = False,
        kind: Annotated[str | None, typer.Option("--kind", help="indicator | recommendation")] = None,
        doc: Annotated[str | None, typer.Option("--doc", help="Nur dieses Dokument (Dateiname).")] = None,
    ) -> None:
        """Extract indicators and recommendations with verbatim quotes."""
        from assistant.checklist import extract_items
        from assistant.cli import emit, fail, out, settings

        try:
            items = extract_items(settings(), kind=kind, doc=doc, progress=_llm_progress)
        except LotseError as exc:
            fail(exc)
            return
        if as_json:
            for item in items:
                emit(item.as_json())
            return
        table = Table(title=f"Checkliste ({len(items)} Einträge)", show_lines=True)
        for column in ("Art", "Quelle", "Eintrag", "Zitat"):
            table.add_column(column)
        for item in items:
            label = item.fields.get("name") or item.fields.get("recommendation", "")
            extra = item.fields.get("addressee") or item.fields.get("value") or ""
            table.add_row(item.kind, f"{item.title}, S. {item.page}", f"{label}\n[dim]{extra}[/dim]", item.quote)
        out.print(table)

    @app.command()
    def check(
        claim: Annotated[
            str | None, typer.Argument(help="Aussage; ohne Argument: eine Aussage pro Zeile von stdin.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Check a claim: supported, contradicted or not found, with the deciding quotes."""
        from assistant.claims import check_claim
        from assistant.cli import emit, fail, inputs, out, settings

        config = settings()
        try:
            for text in inputs(claim):
                verdict = check_claim(config, text)
                if as_json:
                    emit(
                        {
                            "claim": verdict.claim,
                            "verdict": verdict.verdict,
                            "evidence": [c.as_json() for c in verdict.evidence],
                        }
                    )
                else:
                    print_verdict(out, verdict)
        except LotseError as exc:
            fail(exc)

    @checklist_app.command("export")
    def export(
        fmt: Annotated[str, typer.Option("--format", help="csv | md | xlsx")] = "csv",
        kind: Annotated[str | None, typer.Option("--kind", help="indicator | recommendation")] = None,
        doc: Annotated[str | None, typer.Option("--doc", help="Nur dieses Dokument (Dateiname).")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Datei (Standard: stdout).")] = None,
        name: Annotated[str, typer.Option("--name", help="Name der Checkliste (Status und Notizen).")] = "default",
    ) -> None:
        """Export a checklist with status, notes, "Quelle: <Titel>, S. <Seite>" and the quote."""
        from assistant.checklist import ChecklistStore, export_checklist, extract_items
        from assistant.cli import err, fail, settings

        config = settings()
        try:
            items = extract_items(config, kind=kind, doc=doc, progress=_llm_progress)
            data = export_checklist(items, ChecklistStore(config, name).states(), fmt)
        except LotseError as exc:
            fail(exc)
            return
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        output.write_bytes(data)
        err.print(f"{len(items)} Einträge nach {output} geschrieben.")


def _llm_progress(doc: str, done: int, total: int) -> None:
    """How far a configured LLM has read a document, on stderr (it takes minutes; stdout stays JSON)."""
    from assistant.cli import err

    err.print(f"LLM liest {doc}: {done}/{total} Abschnitte", highlight=False)
