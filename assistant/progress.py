"""Rich progress on stderr for long ingests (files, embedding batches)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ingest.pipeline import ProgressEvent


class IngestProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._files: TaskID | None = None
        self._embed: TaskID | None = None

    def __enter__(self) -> IngestProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, exc, tb)

    def __call__(self, event: ProgressEvent) -> None:
        progress = self._progress
        if event.kind == "file":
            if self._files is None:
                self._files = progress.add_task("Dateien", total=event.total)
            progress.update(self._files, description=f"Datei {event.doc}")
        elif event.kind == "done" and self._files is not None:
            progress.update(self._files, completed=event.done, description=f"Dateien (zuletzt: {event.message})")
        elif event.kind == "embed":
            if self._embed is None:
                self._embed = progress.add_task("Einbetten", total=event.total)
            progress.update(self._embed, completed=event.done, total=event.total, description=f"Einbetten {event.doc}")
        elif event.kind == "stage":
            progress.console.log(f"{event.doc}: {event.message}")
