"""Answers and verdicts as Markdown, to copy or download (no Streamlit here)."""

from __future__ import annotations

from assistant.types import Answer, Citation


def source_line(citation: Citation) -> str:
    return f"[{citation.n}] {citation.title}, S. {citation.page} ({citation.doc}): „{citation.quote}“"


def answer_markdown(answer: Answer) -> str:
    """The answer with its numbered sources, ready to paste into an e-mail or a wiki."""
    lines = [f"**Frage:** {answer.question}", ""]
    if answer.abstained:
        lines.append(
            "**Antwort:** Nicht in den Dokumenten – die eingelesenen Dokumente enthalten dazu nichts Belastbares."
        )
        return "\n".join(lines) + "\n"
    lines += ["**Antwort:**", "", answer.text.strip(), "", "**Quellen:**", ""]
    lines += [f"- {source_line(c)}" for c in answer.citations]
    return "\n".join(lines) + "\n"
