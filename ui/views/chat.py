"""Chat: questions to the documents, answered with numbered, openable sources."""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import streamlit as st

from assistant.service import Assistant
from assistant.types import Answer
from ingest.errors import LotseError
from ui.resources import assistant_or_stop
from ui.roles import ROLE_BY_LABEL, ROLES, Role
from ui.widgets import answer_body, md_escape, render_answer

HISTORY = "chat_history"
PENDING = "chat_pending_question"


@dataclass(frozen=True)
class Turn:
    question: str
    role: str
    answer: Answer | None
    error: str = ""
    seconds: float = 0.0


def seconds_text(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " s"


def _take_suggestion(key: str) -> None:
    """A suggested question was clicked: ask it on this rerun and clear the pill again."""
    st.session_state[PENDING] = st.session_state.get(key)
    st.session_state[key] = None


def choose_role(disabled: bool) -> Role:
    labels = [role.label for role in ROLES]
    label = st.segmented_control(
        "Ich frage für …", labels, default=labels[0], required=True, key="chat_role", width="stretch"
    )
    role = ROLE_BY_LABEL[label or labels[0]]
    st.caption(role.hint)
    key = f"chat_suggest_{role.style}"
    st.pills(
        "Vorschläge",
        role.questions,
        key=key,
        on_change=_take_suggestion,
        args=(key,),
        label_visibility="collapsed",
        disabled=disabled,
    )
    return role


def show_turn(assistant: Assistant, turn: Turn, index: int) -> None:
    with st.chat_message("user"):
        st.markdown(md_escape(turn.question))
    with st.chat_message("assistant"):
        if turn.answer is None:
            st.error(turn.error)
            return
        st.caption(f"{turn.role} · {seconds_text(turn.seconds)}")
        render_answer(assistant, turn.answer, key_prefix=f"a{index}")


def answer_now(assistant: Assistant, question: str, role: Role, index: int) -> Turn:
    """Ask, showing the steps; stream the text where the backend streams; then the final answer."""
    with st.chat_message("user"):
        st.markdown(md_escape(question))
    with st.chat_message("assistant"):
        documents = len(assistant.library.documents)
        status = st.status(f"Suche in {documents} Dokumenten …", expanded=False)
        live = st.empty()
        start = perf_counter()
        answer: Answer | None = None
        streamed = ""
        try:
            for piece in assistant.ask_stream(question, role.style):
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                if not streamed:
                    status.update(label="Antwort wird geschrieben …")
                streamed += piece
                live.markdown(answer_body(streamed) + " ▌")
        except LotseError as exc:
            status.update(label="Fehler", state="error")
            live.empty()
            st.error(str(exc))
            return Turn(question, role.label, None, error=str(exc))
        seconds = perf_counter() - start
        live.empty()
        if answer is None:  # a backend that ended without its final answer
            status.update(label="Fehler", state="error")
            message = "Die Antwort kam nicht vollständig zurück. Bitte noch einmal fragen."
            st.error(message)
            return Turn(question, role.label, None, error=message)
        found = "keine belastbare Stelle" if answer.abstained else f"{len(answer.citations)} Belegstellen"
        status.write(f"1. Suche in {documents} Dokumenten: {found}")
        status.write(f"2. Antwort zusammengestellt ({seconds_text(seconds)})")
        status.update(label=f"Antwort · {seconds_text(seconds)}", state="complete")
        st.caption(f"{role.label} · {seconds_text(seconds)}")
        render_answer(assistant, answer, key_prefix=f"a{index}")
    return Turn(question, role.label, answer, seconds=seconds)


def main() -> None:
    st.title("Chat")
    assistant = assistant_or_stop()
    empty = not assistant.library.documents
    role = choose_role(disabled=empty)
    history: list[Turn] = st.session_state.setdefault(HISTORY, [])
    if empty:
        st.info("Noch keine Dokumente im Index. Bitte zuerst in der Bibliothek PDFs hochladen oder einlesen.")
        st.page_link("views/library.py", label="Zur Bibliothek", icon=":material/library_books:")
    for index, turn in enumerate(history):
        show_turn(assistant, turn, index)
    typed = st.chat_input("Frage an die Dokumente …", disabled=empty, key="chat_input")
    question = (typed or st.session_state.pop(PENDING, None) or "").strip()
    if question and not empty:
        history.append(answer_now(assistant, question, role, len(history)))
    if history:
        with st.sidebar:
            if st.button("Verlauf löschen", icon=":material/delete_sweep:"):
                history.clear()
                st.rerun()


main()
