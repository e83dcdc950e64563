"""What an ingest run tells the user: a progress bar fed by its events, one message per file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ingest.pipeline import ProgressEvent
from ingest.types import IngestReport

STATUS_TEXT = {
    "added": "neu eingelesen",
    "replaced": "ersetzt",
    "unchanged": "unverändert",
    "removed": "entfernt",
    "missing": "Datei fehlt",
}


class ProgressBar(Protocol):
    def progress(self, value: float, text: str) -> object: ...


@dataclass
class _Progress:
    file: int = 0
    files: int = 1
    doc: str = ""


def progress_reporter(bar: ProgressBar) -> Callable[[ProgressEvent], None]:
    """Feeds the ingest's progress events into one bar: files done plus the current file's share."""
    state = _Progress()

    def report(event: ProgressEvent) -> None:
        within = 0.0
        if event.kind == "file":
            state.file, state.files, state.doc = event.done, max(event.total, 1), event.doc
            text = f"Datei {event.done} von {event.total}: {event.doc}"
        elif event.kind == "embed" and event.total:
            within = event.done / event.total
            text = f"{state.doc}: Abschnitte einbetten {event.done}/{event.total}"
        elif event.kind == "stage":
            text = f"{event.doc}: {event.message}"
        elif event.kind == "done":
            within = 1.0
            text = f"{event.doc}: {STATUS_TEXT.get(event.message, event.message)}"
        else:
            return
        done = (max(state.file - 1, 0) + within) / state.files
        bar.progress(min(max(done, 0.0), 1.0), text=text)

    return report


def outcome_messages(report: IngestReport) -> list[tuple[str, str]]:
    """(kind, text) per file: kind is success / info / warning / error."""
    messages = []
    for outcome in report.outcomes:
        if outcome.status in ("added", "replaced"):
            text = (
                f"{outcome.doc}: {STATUS_TEXT[outcome.status]} ({outcome.pages} Seiten, {outcome.chunks} Abschnitte)."
            )
            messages.append(("success", text))
        elif outcome.status == "unchanged":
            messages.append(("info", f"{outcome.doc}: unverändert, nichts zu tun."))
        elif outcome.status == "failed":
            messages.append(("error", f"{outcome.doc} wurde nicht eingelesen: {outcome.reason}"))
        else:
            label = STATUS_TEXT.get(outcome.status, outcome.status)
            messages.append(("warning", f"{outcome.doc}: {label}. {outcome.reason}".strip()))
    return messages
