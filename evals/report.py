"""Printing `lotse eval` results as tables (and JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.run import AnswerScores, RetrievalScores


def report_json(result: dict[str, Any]) -> dict[str, Any]:
    data = dict(result)
    data["retrieval"] = [
        {"name": r.name, **{f"recall@{k}": v for k, v in r.recall.items()}, "mrr": r.mrr} for r in result["retrieval"]
    ]
    data["answers"] = asdict(result["answers"])
    return data


def print_report(console: Console, result: dict[str, Any]) -> None:
    rows: list[RetrievalScores] = result["retrieval"]
    table = Table(title=f"Retrieval ({result['answerable']} beantwortbare Fragen)")
    for column in ("Verfahren", "recall@1", "recall@5", "recall@10", "MRR@10"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.name, *(f"{r.recall[k]:.3f}" for k in (1, 5, 10)), f"{r.mrr:.3f}")
    console.print(table)
    answers: AnswerScores = result["answers"]
    unanswerable = result["questions"] - result["answerable"]
    table = Table(title=f"Antworten ({result['questions']} Fragen, davon {unanswerable} unbeantwortbar)")
    table.add_column("Kennzahl")
    table.add_column("Wert")
    table.add_row(
        "Zitat-Gültigkeit (wörtlich auf der Seite)", f"{answers.citation_validity:.3f} ({answers.citations} Zitate)"
    )
    table.add_row("Seitentreffer (beantwortete, beantwortbare)", f"{answers.page_hit:.3f}")
    table.add_row("Belegte Antworten", f"{answers.supported:.3f}")
    table.add_row("Enthaltung bei Unbeantwortbarem", f"{answers.abstention_accuracy:.3f}")
    table.add_row("Falsche Enthaltung bei Beantwortbarem", f"{answers.false_abstention:.3f}")
    table.add_row(
        "Schwelle in Gebrauch / kalibriert", f"{result['threshold_in_use']:.3f} / {result['calibrated_threshold']:.3f}"
    )
    cv = result["calibration_cv"]
    table.add_row(
        "Kalibrierung (≤ 10 % falsche Enthaltung), 2-fach-CV: Enthaltung / falsche Enthaltung",
        f"{cv['abstention']:.3f} / {cv['false_abstention']:.3f}",
    )
    console.print(table)
