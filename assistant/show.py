"""Readable terminal output (rich) for answers and verdicts."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel

from assistant.types import Answer


def print_answer(console: Console, answer: Answer) -> None:
    if answer.abstained:
        console.print(Panel(answer.text, title=answer.question, border_style="yellow"))
        return
    console.print(Panel(answer.text, title=answer.question, border_style="green"))
    for c in answer.citations:
        console.print(f"[bold][{c.n}][/bold] {c.title}, S. {c.page}  [dim]({c.doc})[/dim]")
        console.print(f"    „{c.quote}“", highlight=False)
