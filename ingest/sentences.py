"""Sentence spans with spaCy's blank German pipeline (no model download exists or is needed)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_LOCK = threading.Lock()  # the pipeline is shared by the whole process and not thread-safe


@lru_cache(maxsize=1)
def german_nlp() -> Any:
    """``spacy.blank("de")`` + sentencizer + lookup lemmatizer, built once per process."""
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def german_docs(texts: Sequence[str]) -> list[Any]:
    """The shared pipeline run over ``texts``, one caller at a time."""
    nlp = german_nlp()
    with _LOCK:
        return list(nlp.pipe(texts, batch_size=256))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``. A newline always ends a sentence: the cleaner
    puts newlines only at paragraph, heading and list-item ends."""
    spans: list[tuple[int, int]] = []
    offset = 0
    paragraphs = text.split("\n")
    starts = []
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 1
    for start, doc in zip(starts, german_docs(paragraphs)):
        for sent in doc.sents:
            sent_text = sent.text.strip()
            if not sent_text:
                continue
            begin = start + sent.start_char
            end = start + sent.end_char
            while begin < end and text[begin].isspace():
                begin += 1
            while end > begin and text[end - 1].isspace():
                end -= 1
            spans.append((begin, end))
    return spans
