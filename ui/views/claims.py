"""Aussage prüfen: a claim in, a verdict badge and the deciding quotes out."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import TYPE_CHECKING

import streamlit as st

from assistant.types import Verdict
from ingest.errors import LotseError
from ingest.settings import Settings
from ui.resources import assistant_or_stop
from ui.widgets import md_escape, render_citations, verdict_badge

if TYPE_CHECKING:
    from assistant.claims import Judgement

RESULT = "claim_result"
EXAMPLES = (
    "Auf der Clusterplattform Deutschland sind nahezu 480 Clusterinitiativen erfasst.",
    "Clusterinitiativen finanzieren sich ausschließlich über Fördermittel.",
    "Handwerksbetriebe sind in Clusterinitiativen stark vertreten.",
)
# what the measured accuracy means for the reader (README, "Claims": about two in three right on
# claims written by others): the quote decides, not the badge
RULES_CAUTION = (
    "Das Urteil kommt aus Regeln über Zahlen, Verneinungen, Mengen und Akteure. Bei frei "
    "formulierten Aussagen liegt es etwa jedes dritte Mal daneben – entscheidend ist die zitierte Stelle."
)
EXPLAIN = {
    "supported": "Die Dokumente stützen die Aussage.",
    "contradicted": "Die Dokumente sagen etwas anderes.",
    "not_found": "Dazu steht in den eingelesenen Dokumenten nichts Belastbares.",
}


def load_checker() -> Callable[[Settings, str], Judgement] | None:
    try:
        from assistant.claims import judge_claim
    except ImportError:
        return None
    return judge_claim


def _use_example() -> None:
    example = st.session_state.get("claim_example")
    if example:
        st.session_state["claim_text"] = example
    st.session_state["claim_example"] = None


def show_verdict(verdict: Verdict, seconds: float, by_rules: bool = True) -> None:
    assistant = assistant_or_stop()
    with st.container(border=True):
        st.markdown(f"**Aussage:** {md_escape(verdict.claim)}")
        verdict_badge(verdict)
        st.markdown(EXPLAIN.get(verdict.verdict, ""))
        if verdict.reason:
            st.caption(f"Begründung: {verdict.reason}")
        if by_rules:  # also when a configured LLM gave no usable answer and the rules decided
            st.caption(RULES_CAUTION)
        st.caption(f"Geprüft in {seconds:.1f} s".replace(".", ","))
        if verdict.evidence:
            render_citations(assistant, verdict.evidence, key_prefix="claim")
        elif verdict.verdict != "not_found":
            st.caption("Keine Belegstellen zurückgegeben.")


def main() -> None:
    st.title("Aussage prüfen")
    st.caption("Eine Aussage eingeben – Clusterlotse sucht die Stellen, die sie belegen oder widerlegen.")
    assistant = assistant_or_stop()
    judge = load_checker()
    if judge is None:
        st.info(
            "Die Prüfung von Aussagen ist in dieser Installation noch nicht verfügbar (Modul assistant.claims fehlt)."
        )
        return
    st.pills("Beispiele", EXAMPLES, key="claim_example", on_change=_use_example)
    claim = st.text_area(
        "Aussage",
        key="claim_text",
        height=100,
        placeholder="z. B. „Die meisten Clusterinitiativen finanzieren sich über Mitgliedsbeiträge.“",
    )
    if st.button("Prüfen", type="primary", icon=":material/fact_check:", disabled=not assistant.library.documents):
        text = (claim or "").strip()
        if not text:
            st.warning("Bitte zuerst eine Aussage eingeben.")
        else:
            with st.spinner("Prüfe die Aussage an den Dokumenten …"):
                start = perf_counter()
                try:
                    judgement = judge(assistant.settings, text)
                except LotseError as exc:
                    st.error(str(exc))
                    return
                except NotImplementedError:
                    st.info("Die Prüfung von Aussagen ist in dieser Installation noch nicht fertig.")
                    return
                st.session_state[RESULT] = (judgement.verdict, perf_counter() - start, judgement.by_rules)
    result = st.session_state.get(RESULT)
    if result:
        show_verdict(*result)


main()
