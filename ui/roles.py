"""The three audiences: how they are named, which answer style they get, what they might ask."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer import Style


@dataclass(frozen=True)
class Role:
    label: str
    style: Style
    hint: str
    questions: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role(
        label="Kammerberatung",
        style="advisor",
        hint="Kurz und zum Weiterleiten: das Wichtigste zuerst, jede Aussage mit Quelle.",
        questions=(
            "Was bringt ein Cluster meinen Mitgliedsbetrieben?",
            "Wie können Handwerksbetriebe in Clusterinitiativen mitwirken?",
            "Welche Rolle spielen Handwerkskammern in Clustern?",
            "Was hindert Handwerksbetriebe daran, sich an Clustern zu beteiligen?",
            "Wie fördert das Land Baden-Württemberg Cluster?",
        ),
    ),
    Role(
        label="Neues Clustermanagement",
        style="manager",
        hint="Begriffe zuerst: Definitionen, dann Aufgaben und Empfehlungen, jeweils mit Fundstelle.",
        questions=(
            "Was ist eine Clusterinitiative?",
            "Welche Aufgaben hat ein Clustermanagement?",
            "Wie finanzieren sich Clusterinitiativen?",
            "Welche Empfehlungen gibt die Clusterstrategie Baden-Württemberg?",
            "Wie hat die Corona-Krise die Arbeit im Clustermanagement verändert?",
        ),
    ),
    Role(
        label="Evaluation",
        style="evaluator",
        hint="Zitate zuerst: wörtliche Belegstellen mit Seite, zum Nachprüfen Zeile für Zeile.",
        questions=(
            "Wie viele Clusterinitiativen gibt es in Deutschland?",
            "Mit welchen Indikatoren wird die Qualität eines Clustermanagements bewertet?",
            "Wie viele Clusterakteure vereint eine Clusterinitiative?",
            "Welchen Anteil haben Fördermittel an der Finanzierung von Clusterinitiativen?",
            "Welche Ziele verfolgt die Clusterstrategie des Landes Baden-Württemberg?",
        ),
    ),
)

ROLE_BY_LABEL = {role.label: role for role in ROLES}
