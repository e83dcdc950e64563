"""German (and a few English) cue patterns as spaCy ``Matcher``/``PhraseMatcher`` rules.

The patterns name what a sentence does — recommend, name a condition of success, draw a lesson,
give a reason, report a measured value, define a measure — not what a particular document says.
They run over the blank German pipeline of the ingest step (tokens, lookup lemmas), so matching
is cheap enough to classify every sentence of the corpus in about a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.matcher import Matcher, PhraseMatcher

from ingest.sentences import german_docs, german_nlp

Pattern = list[dict[str, Any]]


def _lower(*words: str) -> Pattern:
    return [{"LOWER": w} for w in words]


def _in(*words: str) -> dict[str, Any]:
    return {"LOWER": {"IN": list(words)}}


_GAP = {"OP": "{0,6}"}  # a few words in between ("sollte daher künftig …")
_SHORT_GAP = {"OP": "{0,2}"}
_MODAL_SHOULD = _in("sollte", "sollten", "should", "ought")
_MODAL_MUST = _in("muss", "müssen", "must", "müsste", "müssten")
_ADJ_NEEDED = _in(
    "wichtig",
    "notwendig",
    "nötig",
    "erforderlich",
    "sinnvoll",
    "ratsam",
    "angezeigt",
    "geboten",
    "unerlässlich",
    "unabdingbar",
    "zielführend",
    "empfehlenswert",
    "erstrebenswert",
    "wünschenswert",
    "essential",
    "important",
    "necessary",
    "advisable",
)
# "muss … konstatiert werden" reports, it does not ask anything of anyone
_REPORTING = _in(
    "konstatiert",
    "festgestellt",
    "festgehalten",
    "betrachtet",
    "bewertet",
    "beurteilt",
    "erwähnt",
    "gesagt",
    "angemerkt",
    "verneint",
    "bejaht",
    "resümiert",
    "gesehen",
    "verstanden",  # "muss als … verstanden werden" defines a term
    "understood",
)
# verbs of a gerundive that describe what can be observed, not what should be done
_OBSERVE = (
    "beobachten|erwarten|konstatieren|verzeichnen|erkennen|sehen|finden|nennen|lesen|beurteilen|bewerten|"
    "vermuten|betrachten|treffen|entnehmen|ersehen|berücksichtigen|unterscheiden|bemerken|sagen|rechnen"
)

RECOMMEND: dict[str, list[Pattern]] = {
    "should": [[_MODAL_SHOULD]],
    "must": [[_MODAL_MUST]],
    "recommend": [[{"LOWER": {"REGEX": r"^(empfehl(?!ung)|empfiehl|empfohl|recommend(?!ation))"}}]],
    # what someone demands or pleads for ("wurde angemahnt", "plädiert für", "fordern die Akteure")
    "demand": [[{"LOWER": {"REGEX": r"^(angemahnt|anmahnen|mahnt|mahnen|plädier|appellier|fordert|fordern)"}}]],
    # the noun alone names recommendations; whether the sentence gives one is decided later
    "recommendation_noun": [[{"LOWER": {"REGEX": r"^(handlungsempfehlung|empfehlung|recommendation)"}}]],
    "needed": [
        [_in("ist", "sind", "wäre", "wären", "erscheint", "is", "are"), _GAP, _ADJ_NEEDED, {"TEXT": ","}],
        [_in("es"), _in("ist", "wäre"), _GAP, _ADJ_NEEDED],
        [_in("ist", "wäre"), _in("es"), _SHORT_GAP, _ADJ_NEEDED],  # "ist es zwingend notwendig, …"
        [_ADJ_NEEDED, _in("ist", "sind", "wäre", "wären"), _in(",")],
        [_in("gilt"), _in("es")],
        [{"TEXT": {"IN": ["bedarf", "bedürfen", "braucht", "brauchen"]}}, _GAP, {"TEXT": {"IN": ["es", "der", "des"]}}],
        [_in("ist", "sind"), _SHORT_GAP, _in("gefordert"), {"TEXT": ","}],
        [_in("bleibt"), _in("zu"), _in("hoffen", "wünschen")],
        [_in("kann", "können", "könnte", "könnten"), _in("sich"), _GAP, _in("als"), _GAP, _in("erweisen")],
        [_in("geht"), _in("es"), _in("darum")],
        [{"LOWER": {"REGEX": r"^aufgaben?$"}}, _GAP, _in("ist", "sind"), _in("es")],
        [_in("sehen"), _in("wir"), _GAP, {"LOWER": {"REGEX": r"^(potenzial|bedarf|chance|handlungsbedarf)"}}],
        [_in("need", "needs"), _in("to")],
        [_in("macht", "machen"), _in("es"), _in("sinn")],
        [_in("ideal"), _in("wäre", "ist"), _in("es")],
        [_in("ist", "sind"), _SHORT_GAP, _in("angehalten", "aufgerufen", "aufgefordert"), {"TEXT": ","}],
        [_in("bietet", "bieten"), _in("sich"), _GAP, {"LOWER": "an", "IS_PUNCT": False}, {"IS_PUNCT": True}],
    ],
    # a suggestion in the subjunctive passive: "könnte daraufhin gesichtet werden"
    "could": [[_in("könnte", "könnten"), _GAP, {"LOWER": {"REGEX": r"^[a-zäöü]+(?:t|en)$"}}, _in("werden")]],
    # the short form; the long "sind … neu zu bestimmen." is GERUNDIVE below (a regex: a 25-token
    # gap makes the Matcher explode)
    "gerundive": [
        [
            {
                "LOWER": {
                    "REGEX": r"^(ab|an|auf|aus|bei|ein|her|hin|mit|nach|vor|weg|zurück|weiter|um|neu)zu[a-zäöü]+en$",
                    "NOT_IN": ["anzunehmen", "anzumerken", "auszugehen", "abzusehen", "abzuwarten", "zuzuordnen"],
                }
            },
            _in("ist", "sind"),
        ],
    ],
}
# an indispensable condition at the end of a long sentence: "ist eine intensive Zusammenarbeit … unabdingbar."
INDISPENSABLE = re.compile(r"\b(?:ist|sind)\b[^.;:!?]{0,200}\b(?:unabdingbar|unerlässlich|unverzichtbar)[.!]?$")
GERUNDIVE = re.compile(rf"\b(?:ist|sind)\b[^.;:!?,]{{0,250}}\bzu (?!(?:{_OBSERVE})\b)[a-zäöü]+(?:en|ern|eln)[.!]?$")
REPORTING_MODAL: list[Pattern] = [[_MODAL_MUST, _GAP, _REPORTING]]
# the same with a long gap ("muss die Erhöhung der Kooperationsintensität … positiv bewertet werden"),
# as a regex for the reason given at GERUNDIVE
REPORTING_MODAL_LONG = re.compile(
    rf"\b(?:muss|müssen)\b[^.;:!?]{{0,250}}\b(?:{'|'.join(_REPORTING['LOWER']['IN'])})\s+werden\b", re.I
)
PAST_MODAL: list[Pattern] = [[_in("musste", "mussten")]]

_IMPORTANT = {"LOWER": {"REGEX": r"^(wesentlich|wichtig|zentral|entscheidend|maßgeblich)\w*$"}}
SUCCESS: dict[str, list[Pattern]] = {
    "factor": [
        [{"LOWER": {"REGEX": r"^(erfolgsfaktor|schlüsselfaktor|erfolgsvoraussetzung|voraussetzung|erfolgsentsch)"}}],
        [{"LOWER": {"REGEX": r"^(success|key)$"}}, _in("factor", "factors", "to")],
        [_in("entscheidend", "ausschlaggebend", "maßgeblich", "wesentlich", "zentral"), _GAP, _in("für", "zur", "zum")],
        [_in("erfordert", "erfordern", "verlangt", "verlangen", "setzt", "requires")],
        # "bedarf nachhaltiger Kraftanstrengung": the verb, not the noun "Bedarf"
        [{"TEXT": {"IN": ["bedarf", "bedürfen"]}}],
        [_in("bleibt", "bleiben"), _in("wichtig", "entscheidend", "zentral", "unverzichtbar")],
        # "ein wesentliches Einfallstor, um Potenziale zu erschließen": a means to an end
        [_IMPORTANT, _SHORT_GAP, {"TEXT": ","}, _in("um")],
        [_in("trägt", "tragen"), _GAP, _in("bei")],
        [_in("beitragen", "beiträgt")],
        [_in("entscheidend", "ausschlaggebend", "erfolgsentscheidend"), _in("sein")],
        [_in("möglich", "möglich,"), _GAP, _in("weil")],
        [_in("dann"), _GAP, _in("wenn")],
        [_in("je"), _GAP, _in("desto", "umso")],  # weak alone: "Je jünger, desto digital affiner"
        [_in("erst"), _in("wenn", "dann")],  # a necessary condition
        [_in("nur"), _in("so", "dann")],
        # "Entscheidend ist …", not a clause ending "…, welche … ausschlaggebend sind."
        [_in("entscheidend", "ausschlaggebend"), _in("ist", "sind"), {"IS_PUNCT": False}],
        [_in("hängt", "hängen"), _GAP, _in("von", "davon")],  # "hängt maßgeblich von … ab"
        [_in("kommt", "kommen"), _in("es"), _SHORT_GAP, _in("darauf"), _in("an")],
        [_in("gut"), _in("geeignet")],
        [_in("lohnt", "lohnen", "lohnend")],
        [{"LOWER": {"REGEX": r"^(vertrauen)"}}, _GAP, _in("aufgebaut", "aufbauen")],
    ],
}

LESSON: dict[str, list[Pattern]] = {
    "lesson": [
        [_in("zeigt", "zeigen", "zeigte", "zeigten"), _in("sich")],
        [{"LOWER": {"REGEX": r"^(erfahrung|praxis)"}}, _GAP, _in("zeigt", "zeigen", "zeigte", "lehrt")],
        [{"LOWER": {"REGEX": r"^(defizit|lerneffekt|lernerfahrung|learning|lessons?|schwäche|hemmnis)"}}],
        [_in("mangelnde", "mangelnden", "unzureichende", "unzureichenden", "fehlende", "fehlenden")],
        [_in("nicht"), _GAP, _in("gerecht", "ausreichend", "ausreichendem", "adäquat")],
        [_in("zu"), _in("wenig")],
        # a deficit stated as such: "Der Austausch … ist gering", "lediglich in Ansätzen vorhanden"
        [
            _in("ist", "sind", "bleibt", "bleiben"),
            _SHORT_GAP,
            _in("gering", "schwach", "niedrig", "selten", "begrenzt"),
        ],
        [_in("lediglich", "nur"), _in("in"), _in("ansätzen")],
        [_in("kaum"), _in("bekannt")],
        [_in("kritisch", "ungünstig"), _GAP, _in("ist", "sind", "zu")],
        [_in("ist", "sind"), _GAP, _in("ungünstig", "kritisch", "problematisch", "nachteilig")],
        [{"LOWER": {"REGEX": r"^(grund|gründe)$"}}, _in("hierfür", "dafür", "für")],
        [_in("verstärkungspotenzial", "steigerungspotenzial", "verbesserungspotenzial", "optimierungspotenzial")],
        [_in("einfluss"), _GAP, _in("auf")],
        [_in("scheitern", "scheitert")],
        [_in("lässt", "lassen"), _in("sich"), _GAP, _in("überwinden", "erreichen")],
        [_in("schafft", "schaffen"), _in("synergien")],
    ],
}

REASON: dict[str, list[Pattern]] = {
    "reason": [
        [_in("gute", "guten"), {"LOWER": {"REGEX": r"^gründe?n?$"}}],
        [{"LOWER": {"REGEX": r"^(vorteil|mehrwert|nutzen)"}}],
        [_in("hilfreich", "wertvoll", "kostbar", "zukunftssichernd")],
        [_in("wichtig", "wichtige", "wichtigen"), _GAP, _in("für", "instrumente")],
        [{"LOWER": {"REGEX": r"^säulen?$"}}],
        [_in("dynamischer", "innovativer", "erfolgreicher", "produktiver", "leistungsfähiger")],
        [{"LOWER": {"REGEX": r"^krisenhilfe"}}],
        [_in("hilft", "helfen"), _GAP, _in("zu")],
        [_in("hilft", "helfen"), {"TEXT": ","}],  # "hilft, die Phase … besser zu bewältigen"
        # a possibility proposed in the subjunctive: "Clusterinitiativen könnten einen Ansatz bieten"
        [_in("könnte", "könnten", "bestünde", "böte", "böten")],
        [_in("erweist", "erweisen", "erwiesen"), _GAP, _in("als")],
    ],
}

_ADJECTIVE = {
    "LOWER": {
        "REGEX": r"^[a-zäöüß]{3,}(?:e|en|er|es|em)$",
        "NOT_IN": ["einer", "eines", "einem", "einen", "aller", "jeder"],
    },
    "IS_LOWER": True,
    "OP": "?",
}
# a sentence that reports a measured or counted value
QUANTITY: dict[str, list[Pattern]] = {
    "percent": [[{"LIKE_NUM": True}, _in("%", "prozent", "prozentpunkte")], [{"TEXT": {"REGEX": r"^\d+([.,]\d+)?%$"}}]],
    "share": [
        [
            {
                "LOWER": {
                    "REGEX": r"^(drittel|viertel|hälfte|fünftel|mehrzahl|mehrheit|großteil|"
                    r"durchschnitt\w*|median\w*|mittelwert\w*|anteil\w*|quote|rücklaufquote|"
                    r"förderquote|beteiligungsquote|fluktuationsrate|wachstumsrate\w*)$"
                }
            }
        ],
        [_in("jedes", "jeder", "jede", "jeden"), {"LOWER": {"REGEX": r"^(zweite|dritte|vierte|fünfte|zehnte)\w*$"}}],
        [_in("überwiegende", "überwiegenden"), _in("teil", "anteil", "anzahl")],
        [_in("die", "der"), _in("meisten")],
        [_in("nahezu", "fast", "rund", "knapp"), _in("alle", "allen", "drei", "zwei", "die", "ein", "jede", "jeder")],
    ],
    "count": [
        [
            {"LIKE_NUM": True},
            _ADJECTIVE,  # "18 definierte Zukunftsfelder", "34 ausgewählten Indikatoren"
            {
                "LOWER": {
                    "REGEX": r"^(akteur\w*|cluster\w*|unternehmen|betrieb\w*|mitglied\w*|befragt\w*|personen|"
                    r"teilnehmer\w*|mitarbeit\w*|beschäftigt\w*|stellen|vollzeit\w*|angestellt\w*|"
                    r"euro|mio\.?|millionen|netzwerk\w*|initiativen|organisationen|institut\w*|"
                    r"fragebögen|beantwort\w*|indikatoren|kategorien|qualitätskriterien|zielfeld\w*|"
                    r"zukunftsfeld\w*|handwerks\w*|fälle\w*|projekte?n?|gründungen|bewerbung\w*|wettbewerbsbeitr\w*|"
                    r"plattform\w*)$"
                }
            },
        ],
        [_in("mehr", "weniger"), _in("als"), {"LIKE_NUM": True}],
    ],
}

_MEASURE_NOUN = {"LOWER": {"REGEX": r"^(indikator|kennzahl|kenngröße|messgröße|index|exzellenzindikator)"}}
# a measure is named, counted, defined or scaled — a sentence that merely mentions "Indikatoren" is not
MEASURE: dict[str, list[Pattern]] = {
    "named": [[_MEASURE_NOUN, {"TEXT": {"IN": ["„", '"', "«", "(", ":"]}}]],
    "counted": [
        [
            {"LIKE_NUM": True},
            _ADJECTIVE,
            {"LOWER": {"REGEX": r"^(indikator|kennzahl|qualitätskriteri|kriteri|kategorie)"}},
        ]
    ],
    "set": [[{"LOWER": {"REGEX": r"^(indikatorensatz|indikatorenset|kennzahlensystem|betreuungsschlüssel)"}}]],
    "threshold": [[{"LOWER": {"REGEX": r"^(schwellenwert|zielwert|grenzwert)"}}, _GAP, {"LIKE_NUM": True}]],
    "defined": [
        [_in("gemessen", "measured"), _in("an", "anhand", "by")],
        [_in("definiert"), _in("als")],
        [_MEASURE_NOUN, _GAP, _in("definiert")],
        [_in("wird", "werden"), _in("als"), _GAP, _in("bezeichnet")],
    ],
    "scale": [
        [_in("skala", "rangskala", "ampelsystem", "ampelsystems"), _GAP, _in("von", "zwischen", "„")],
        [_in("schieberegler"), _GAP, _in("zwischen", "von", "skala")],
    ],
}

SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "recommendation": (
        "handlungsempfehlung",
        "empfehlung",
        "erfolgsfaktor",
        "implikation",
        "handlungsbedarf",
        "handlungsfeld",
        "fazit",
        "ausblick",
        "schlussfolgerung",
        "lessons",
        "learning",
        "mitnehmen",
        "gute gründe",
        "guter grund",
        "maßnahmen",
        "anforderungen",
        "recommendation",
        "success factor",
        "zusammenfassung",
        "herausforderungen stellen",
        "zu nennen",
    ),
    "indicator": ("indikator", "kennzahl", "kriterien", "messgröße", "kenngröße", "skala / fragentyp", "fragenkatalog"),
    "good_reason": ("gute gründe", "guter grund", "good reasons", "vorteile", "nutzen"),
}


@dataclass(frozen=True)
class CueHits:
    """Which cue families fired in one text (names of the rules that matched)."""

    recommend: frozenset[str]
    success: frozenset[str]
    lesson: frozenset[str]
    reason: frozenset[str]
    quantity: frozenset[str]
    measure: frozenset[str]
    reporting_modal: bool
    past_modal: bool
    tokens: tuple[tuple[str, str], ...]  # (text, lemma)


class CueMatcher:
    """All cue families compiled once against the shared German vocabulary."""

    def __init__(self) -> None:
        self.nlp = german_nlp()
        self._families: dict[str, Matcher] = {}
        for family, rules in (
            ("recommend", RECOMMEND),
            ("success", SUCCESS),
            ("lesson", LESSON),
            ("reason", REASON),
            ("quantity", QUANTITY),
            ("measure", MEASURE),
        ):
            matcher = Matcher(self.nlp.vocab)
            for name, patterns in rules.items():
                matcher.add(name, patterns)
            self._families[family] = matcher
        self._reporting = Matcher(self.nlp.vocab)
        self._reporting.add("reporting", REPORTING_MODAL)
        self._past = Matcher(self.nlp.vocab)
        self._past.add("past", PAST_MODAL)

    def hits(self, texts: Sequence[str]) -> list[CueHits]:
        return [self._hits(doc) for doc in german_docs(texts)]

    def _hits(self, doc: Any) -> CueHits:
        names = {family: _names(self.nlp, matcher(doc)) for family, matcher in self._families.items()}
        if GERUNDIVE.search(doc.text.strip()):
            names["recommend"] = names["recommend"] | {"gerundive"}
        if INDISPENSABLE.search(doc.text.strip()):
            names["recommend"] = names["recommend"] | {"needed"}
        return CueHits(
            recommend=names["recommend"],
            success=names["success"],
            lesson=names["lesson"],
            reason=names["reason"],
            quantity=names["quantity"],
            measure=names["measure"],
            reporting_modal=bool(self._reporting(doc)) or bool(REPORTING_MODAL_LONG.search(doc.text)),
            past_modal=bool(self._past(doc)),
            tokens=tuple((t.text, t.lemma_) for t in doc),
        )


def _names(nlp: Any, matches: Iterable[tuple[int, int, int]]) -> frozenset[str]:
    return frozenset(nlp.vocab.strings[match_id] for match_id, _, _ in matches)


@lru_cache(maxsize=1)
def cue_matcher() -> CueMatcher:
    return CueMatcher()


def phrase_matcher(phrases: Iterable[str]) -> PhraseMatcher:
    """A case-insensitive phrase matcher over the shared vocabulary (used for addressee words)."""
    nlp = german_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for phrase in phrases:
        matcher.add(phrase, [nlp.make_doc(phrase)])
    return matcher
