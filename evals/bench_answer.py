"""Query benchmark: `python -m evals.bench_answer` over the gold questions, warm process.

Reports p50/p95 of retrieve and ask (each time including the question's embedding), the same
for the LangChain tutorial pipeline's similarity search, and the cold start of `lotse ask` (a new process: import,
model and index load, one answer)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assistant.service import Assistant
from evals.gold import load_questions
from ingest.embed import get_embedder
from ingest.settings import Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(cold_runs: int = 3) -> dict[str, object]:
    settings = Settings()
    questions = [q.question for q in load_questions()]
    assistant = Assistant(settings)
    assistant.ask(questions[0])  # warm: models, index, sentence vectors
    embedder = get_embedder(settings)
    retrieve_ms, ask_ms = [], []
    for question in questions:
        embedder.forget_queries()  # each timing includes embedding the question
        start = time.perf_counter()
        assistant.retrieve(question, k=10)
        retrieve_ms.append((time.perf_counter() - start) * 1000)
        embedder.forget_queries()
        start = time.perf_counter()
        assistant.ask(question)
        ask_ms.append((time.perf_counter() - start) * 1000)
    from evals.baselines import TutorialPipeline

    tutorial = TutorialPipeline(settings.corpus_dir, settings, embedder)  # its vectors come from the cache
    tutorial_ms = []
    for question in questions:
        embedder.forget_queries()
        start = time.perf_counter()
        tutorial.search(question, 10)
        tutorial_ms.append((time.perf_counter() - start) * 1000)
    lotse = Path(sys.executable).with_name("lotse")
    cold = []
    for _ in range(cold_runs):
        start = time.perf_counter()
        subprocess.run(
            [str(lotse), "ask", "--json", questions[1]], check=True, capture_output=True, env=dict(os.environ)
        )
        cold.append(time.perf_counter() - start)
    return {
        "questions": len(questions),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "retrieve_ms": {"p50": round(percentile(retrieve_ms, 0.5), 1), "p95": round(percentile(retrieve_ms, 0.95), 1)},
        "tutorial_baseline_retrieve_ms": {
            "p50": round(percentile(tutorial_ms, 0.5), 1),
            "p95": round(percentile(tutorial_ms, 0.95), 1),
        },
        "ask_ms": {"p50": round(percentile(ask_ms, 0.5), 1), "p95": round(percentile(ask_ms, 0.95), 1)},
        "cold_ask_s": {"median": round(statistics.median(cold), 2), "max": round(max(cold), 2)},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
