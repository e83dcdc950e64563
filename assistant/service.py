"""The assistant facade the CLI and the UI call: one object per process, models loaded once."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answer import ExtractiveAnswerer, Style
from assistant.library import Library, open_library
from assistant.retrieve import HybridRetriever
from assistant.types import Answer, Passage
from ingest.settings import Settings


class Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever = HybridRetriever(settings=settings, k=5)
        self.extractive = ExtractiveAnswerer(self.retriever)
        self.llm = None
        if settings.llm_configured:
            from assistant.llm import LlmAnswerer

            self.llm = LlmAnswerer(settings, self.retriever, fallback=self.extractive)

    @property
    def library(self) -> Library:
        return open_library(self.settings)

    def reload(self) -> None:
        """After an ingest: drop the cached index so the next question sees the new documents."""
        open_library(self.settings, fresh=True)

    def retrieve(self, question: str, k: int = 5) -> list[Passage]:
        return self.retriever.search(question, k=k)

    def ask(self, question: str, style: Style = "default") -> Answer:
        self.library.require_documents()
        if self.llm is not None:
            return self.llm.answer(question, style)
        return self.extractive.answer(question, style)

    def ask_stream(self, question: str, style: Style = "default") -> Iterator[str | Answer]:
        """Text pieces as they come (LLM backends stream), then the final :class:`Answer`."""
        self.library.require_documents()
        if self.llm is not None:
            yield from self.llm.stream(question, style)
            return
        yield self.extractive.answer(question, style)
