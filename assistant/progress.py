"""Progress on stderr for long ingests: a live bar in a terminal, plain lines in logs and CI."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ingest.pipeline import ProgressEvent


class IngestProgress:
    def __init__(self, console: Console) -> None:
        self._console = console
        self._live = console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not self._live,
        )
        self._files: TaskID | None = None
        self._embed: TaskID | None = None
        self._last_step: dict[str, int] = {}

    def __enter__(self) -> IngestProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, exc, tb)

    def _line(self, text: str) -> None:
        self._console.print(text, highlight=False, soft_wrap=True)

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind == "file":
            self._line(f"[{event.done}/{event.total}] {event.doc}")
            if self._files is None:
                self._files = self._progress.add_task("Dateien", total=event.total)
        elif event.kind == "done":
            self._line(f"[{event.done}/{event.total}] {event.doc}: {event.message}")
            if self._files is not None:
                self._progress.update(self._files, completed=event.done)
        elif event.kind == "embed":
            if self._live:
                if self._embed is None:
                    self._embed = self._progress.add_task("Einbetten", total=event.total)
                self._progress.update(
                    self._embed, completed=event.done, total=event.total, description=f"Einbetten {event.doc}"
                )
            else:
                step = event.done * 10 // max(event.total, 1)
                if step != self._last_step.get(event.doc) or event.done == event.total:
                    self._last_step[event.doc] = step
                    self._line(f"    Einbetten {event.doc}: {event.done}/{event.total} Texte")
        elif event.kind == "stage":
            self._line(f"    {event.doc}: {event.message}")
