"""Clusterlotse in the browser: ``streamlit run ui/app.py``.

The entry point only routes; every page calls ``assistant`` / ``ingest`` functions and holds no
retrieval logic of its own.
"""

from __future__ import annotations

import streamlit as st

from ui.resources import get_assistant, settings_or_stop

st.set_page_config(page_title="Clusterlotse", page_icon=":material/explore:", layout="wide")

# The page scripts live in views/, not pages/: a folder named pages/ next to this file switches on
# Streamlit's older multipage mode, which runs a deep link (a checklist item's source link opened
# in a new tab) as a bare page without this entry point, before st.navigation has run once.
PAGES = [
    st.Page("views/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("views/checklists.py", title="Checklisten", icon=":material/checklist:", url_path="checklisten"),
    st.Page("views/claims.py", title="Aussage prüfen", icon=":material/fact_check:", url_path="aussage-pruefen"),
    st.Page("views/library.py", title="Bibliothek", icon=":material/library_books:", url_path="bibliothek"),
]

page = st.navigation(PAGES)

with st.sidebar:
    st.markdown("### :material/explore: Clusterlotse")
    st.caption("Antworten nur aus den eingelesenen Dokumenten – jede Aussage mit Dokument, Seite und Zitat.")
    settings_or_stop()
    try:
        documents = get_assistant().library.documents
    except Exception:
        documents = {}
    if documents:
        pages = sum(d.pages for d in documents.values())
        st.caption(f"Index: {len(documents)} Dokumente · {pages} Seiten")

page.run()
