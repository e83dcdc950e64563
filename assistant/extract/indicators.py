"""Indicators: what is measured, how, and what value the document reports.

Three shapes are recognised: items of an indicator list or table (under "Indikatoren",
"Kennzahlen", "Kriterien" …, flattened by the PDF into one line of bullets), sentences that report
a measured value (a share, a percentage, a count of actors, an average), and sentences that define
a measure (a scale, a threshold, "Indikator „…“ … definiert"). A survey question becomes an
indicator when it asks for a quantity ("Wie viele …", "Wie gut …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.extract.patterns import CueHits
from assistant.extract.recommendations import REPORTED_LIST, in_section
from assistant.extract.units import Unit
from ingest.lexicon import stop_words

CATEGORIES: dict[str, tuple[str, ...]] = {
    # the first category whose words occur wins: order from specific to general
    "Methodik": ("rücklauf", "befragung", "stichprobe", "umfrage", "fragebög", "befragte", "benchmarking", "erhebung"),
    "Finanzierung": ("finanz", "förder", "budget", "beitr", "euro", "mittel"),
    "Mitglieder": ("akteur", "mitglied", "kmu", "unternehmen", "betrieb", "zusammenarbeit", "kooperation"),
    "Management": ("management", "personal", "stellen", "mitarbeit", "strategie", "vollzeit", "manager", "beschäftigt"),
    "Leistung": ("service", "aktivität", "handlungsfeld", "angebot", "unterstützung", "leistung", "arbeitsplan"),
    "Wirkung": ("wirkung", "innovation", "erfolg", "sichtbar", "wahrnehmung", "kommunikation", "ergebnis"),
    "Struktur": ("region", "rechtsform", "bundesl", "anzahl", "cluster", "struktur", "verein"),
}
OTHER = "Sonstiges"

_VALUE = re.compile(
    r"(?:(?:über|unter|rund|ca\.|circa|fast|knapp|nahezu|mehr als|weniger als|bis zu|etwa|nur)\s+)?"
    r"\d[\d.,]*\s*(?:%|Prozent|Mio\.?|Millionen|Euro|km|[A-ZÄÖÜ][a-zäöüß\-]+)?"
)
_WORD_VALUE = re.compile(
    r"\b(?:(?:nahezu|fast|rund|knapp|etwa|ca\.)\s+)?(?:(?:ein|einem|eines|zwei|drei)\s+)?(?:Drittel|Viertel|Hälfte|"
    r"Fünftel)\b|\bjede[rsn]?\s+(?:zweite|dritte|vierte|fünfte|zehnte)\w*|\b(?:die\s+)?(?:meisten|Mehrzahl|"
    r"Mehrheit|Großteil)\b|\b(?:nahezu|fast)\s+alle\b"
)
_QUANTITY_QUESTION = re.compile(
    r"^(?:\d+\.\s*)?(?:Wie (?:viele|viel|hoch|gut|intensiv|stark|oft|häufig|lange|groß|zufrieden)|Inwieweit|"
    r"In welche[mr] (?:Umfang|Maße|Ausmaß)|Schätzen Sie|Welche[rns]? "
    r"(?:prozentuale|Anteil))",
    re.I,
)
# a questionnaire item in the imperative ("3. Schätzen Sie ein, welcher prozentuale Anteil …")
_SURVEY_PROMPT = re.compile(r"^(?:\d+\.\s*)?(?:Schätzen|Bewerten|Beurteilen|Geben) Sie\b")
# numbers that point somewhere else: "Abbildung 10", "Kapitel 8", "(1) Struktur", "Beobachtung 5"
_POINTER = re.compile(
    r"\b(?:Abbildung|Abb\.|Tabelle|Tab\.|Kapitel|Kap\.|Beobachtung|Block|Anhang|Anlage|Abschnitt|Absatz|Übersicht|"
    r"S\.|Seite|Fußnote|"
    r"Handlungsfeld|Phase|Runde|Stufe|Schritt|Frage)\s*\d+[a-z]?(?:[.,]\d+)*|\(\d\)|^\d+\.\s"
)
# numbers that count nothing: dates ("am 08.03.2012") and a footnote's number before its text
# ("27 Diese Erkenntnis beruht …"; a count is never followed by an article or pronoun)
_NOT_A_COUNT = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|^\d{1,3}\s+(?=(?:Diese[rsmn]?|Dies|Die|Der|Das|Es|Ein|Eine|Sie)\b)"
)
# sentences about the document and its figures, not about what is measured
_META = re.compile(
    r"\b(?:Abbildung|Abb\.|Grafik|Tabelle|Übersicht|Studie|Analyse|Kapitel)\b(?:[^.]|(?<=Abb)\.|(?<=Tab)\.){0,60}\b(?:zeigt|zeigen|verdeutlicht|"
    r"veranschaulicht|gibt|stellt)\b|Rundung|Nachkommastellen|^\*?Hinweis|\bgliedert sich\b",
    re.I,
)
_SPELLED_COUNT = re.compile(
    r"\b(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert)\s+[A-ZÄÖÜ][a-zäöüß]+"
)
_KNOWN_GROUP = re.compile(
    r"\b(?:[Dd]ie|[Dd]er|[Dd]en|[Dd]ieser|[Dd]iesen|[Aa]lle[n]?|[Uu]nserer)\s+(?:\w+\s+)?\d[\d.,]*(?=\s+[A-ZÄÖÜ])"
)
# facts about how a study was run (durations, significance) are not indicators of clusters
_METHOD_ONLY = re.compile(
    r"\b(?:Minuten|Sekunden|Signifikanzniveau|Standardabweichung|Mann-Whitney|Fragentyp|gedauert|dauerten)\b"
)
# who took part in the study: "An der Online-Erhebung haben 100 … teilgenommen", "Alle Fragen wurden
# von … 143 Personen beantwortet", "Befragung von 100 Cluster Managern"; worth one item per document
_RESPONDENT = r"(?:Befragte\w*|Teilnehmer\w*|Teilnehmende\w*|Personen|Mitarbeiter\w*|Cluster ?[Mm]anager\w*)"
_STUDY_SAMPLE = re.compile(
    r"\b(?:teilgenommen|teilnahmen|beantwortet)\b|\bnahmen\b[^.]{0,80}\bteil\b"
    rf"|\d+\s+{_RESPONDENT}[^.]{{0,80}}\b(?:genutzt|geäußert|gestartet|abgeschlossen)\b"
    rf"|\b(?:genutzt|geäußert|gestartet|abgeschlossen)\b[^.]{{0,40}}\bvon\s+(?:\w+\s+)?\d+\s+{_RESPONDENT}"
    r"|\b(?:Befragung|Erhebung|Umfrage)\s+(?:von|unter)\s+(?:\w+\s+)?\d"
)
# a sentence that begins on the page before ("ist 3 % (in Abb. 7 rot dargestellt).") cannot say
# in its quote what it measures; a caption inside a sentence marks chart labels run together
_SENTENCE_END = re.compile(r"[.!?:;)\"“”»«]\s*$")
_CONTINUATION = re.compile(r"^[a-zäöüß]")
_CAPTION_INSIDE = re.compile(r".\b(?:Abbildung|Abb\.|Tabelle|Tab\.)\s*\d+\s*:")
_POPULATION_SHARE = re.compile(
    r"\b(?:die meisten|Mehrzahl|Mehrheit|überwiegende[n]? (?:Teil|Anteil)|Großteil|nahezu alle[n]?|fast alle[n]?|"
    r"(?:ein|einem|zwei|drei) ?(?:Drittel|Viertel)|Hälfte|jede[rsn]? \w+te[n]?)\b(?: \w+){0,2} ?"
    r"\w*(?:befragt|teilnehm|cluster|unternehm|akteur|mitglied|manager|organisation|betrieb|initiativ)",
    re.I,
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMBER = re.compile(r"\d[\d.,]*")
_REFERENCE = re.compile(r"\(\d{4}[a-z]?\)|\bvgl\.|\bwww\.|https?://|\bAnm\.:|\bS\. \d|siehe:")
_CAPTION = re.compile(r"^(?:Abb\.|Abbildung|Tab\.|Tabelle|Übersicht|Quelle)\s*\d*")
_NUMBER_ROW = re.compile(r"^[\d\s%.,/<>=–\-+()]+$")
_NAME_NOUN = re.compile(
    r"\b(?:Anteil|Anzahl|Zahl|Quote|\w+quote|\w+rate|Wachstum|Spanne|Höhe|Größe|Dauer)\b"
    r"(?:\s+(?:der|des|an|von|am|im|für|aller)\s+(?:[a-zäöüß\-]+\s+){0,2}[A-ZÄÖÜ][\w\-/]*)?"
)
_NOUN_PHRASE = re.compile(
    r"\b[A-ZÄÖÜ][a-zäöüß]+(?:[\-/][A-Za-zäöüß]+)*(?:\s+(?:der|des)\s+(?:[a-zäöüß\-]+\s+){0,2}[A-ZÄÖÜ][\w\-/]*)?"
)
_NOT_SUBJECT = frozenset(
    "Der Die Das Im In Bei Von Mit Auf Nach Für Auch So Durchschnitt Median Medianwert Mittelwert Summe Insgesamt "
    "Rund Fast Nahezu Knapp Über Unter Mehr Weniger Etwa Prozent Befragte Befragten".split()
)
MIN_WORDS = 5
MAX_CHARS = 600


@dataclass(frozen=True)
class IndicatorHit:
    unit: Unit
    shape: str  # list | value | definition | question | learned (the reader's)
    score: float
    found_by: str = "rules"  # rules | reader: an evaluator weighs what the learned reader adds with more care


def _without_pointers(text: str) -> str:
    """The text without numbers that count nothing: figure and chapter pointers, dates, footnote marks."""
    return _NOT_A_COUNT.sub(" ", _POINTER.sub(" ", text))


def _numbers(text: str) -> list[str]:
    """The numbers a sentence reports: no years, no pointers to figures or chapters."""
    text = _without_pointers(text)
    return [n for n in _NUMBER.findall(text) if not _YEAR.match(n.rstrip(".,"))]


def _measured(text: str) -> list[str]:
    """Numbers that report a value: "die 105 Clusterinitiativen" names a known group, it does not
    measure anything, while "17 (von den 105) tragen sich selbst" does."""
    clean = _KNOWN_GROUP.sub(" ", _without_pointers(text))
    return [n for n in _NUMBER.findall(clean) if not _YEAR.match(n.rstrip(".,"))]


def _data_row(text: str) -> bool:
    """A flattened chart or table row: values, no sentence ("Konferenzen 99 % Workshops 99 % …"),
    or cells and dash bullets ("Ostalbkreis - ca. 200 Unternehmen, Großteil KMU - Maschinenbau - …")."""
    percents = len(re.findall(r"\d\s*%", text))
    lower_words = len(re.findall(r"\b[a-zäöüß]{4,}\b", text))
    dashes = len(re.findall(r"(?:^|\s)-\s", text))
    return (percents >= 3 and lower_words < 2 * percents) or dashes >= 3


def could_measure(text: str) -> bool:
    """Whether a text can name or report a measure at all, by what the rules rule out: a few words,
    not too long, no literature reference, no bare row of numbers, nothing about the document and
    its figures ("Abbildung 11 zeigt …", "Rundungen"), no method of the study, no sentence that
    begins on the page before."""
    return (
        len(text.split()) >= 3
        and len(text) <= MAX_CHARS
        and not _REFERENCE.search(text)
        and not _NUMBER_ROW.match(text)
        and not _META.search(text)
        and not _METHOD_ONLY.search(text)
        and not _CONTINUATION.match(text)
    )


def classify(unit: Unit, hits: CueHits, is_recommendation: bool) -> IndicatorHit | None:
    text = unit.text
    words = len(text.split())
    if len(text) > MAX_CHARS or _REFERENCE.search(text) or _NUMBER_ROW.match(text):
        return None
    listed = unit.bullet or unit.enumerated
    reported = bool(REPORTED_LIST.search(unit.lead))  # "Die Anwendung der Auswahlkriterien ergab folgende Auswahl:"
    if listed and in_section(unit, "indicator") and not reported and 2 <= words <= 25 and not text.endswith("?"):
        return IndicatorHit(unit, "list", 0.9)
    asks = text.rstrip().endswith("?")
    if (asks or _SURVEY_PROMPT.match(text.strip())) and _QUANTITY_QUESTION.search(text.strip()):
        return IndicatorHit(unit, "question", 0.7)
    if asks:
        return None
    if is_recommendation or words < MIN_WORDS or _CAPTION.match(text) or _META.search(text) or _data_row(text):
        return None
    if _CONTINUATION.match(text) or _CAPTION_INSIDE.search(text):
        return None
    if hits.measure and not _METHOD_ONLY.search(text):
        return IndicatorHit(unit, "definition", 0.8)
    if _METHOD_ONLY.search(text):
        return None
    has_value = bool(hits.quantity) and (
        bool(_measured(text)) or bool(_POPULATION_SHARE.search(text)) or bool(_SPELLED_COUNT.search(text))
    )
    if has_value and not _SENTENCE_END.search(text):
        return None  # chart labels and table rows run together ("… Remote-Führung 83 % Umstellung … 82 %")
    if has_value:
        return IndicatorHit(unit, "value", 0.8)
    return None


_SHARE_OF = re.compile(
    r"(?:\d[\d.,]*\s*(?:%|Prozent)|Drittel|Viertel|Hälfte|Fünftel|Mehrheit|Mehrzahl|Großteil)\s+(?:der|des|aller)\s+"
    r"((?:[a-zäöüß\-]+\s+){0,2}[A-ZÄÖÜ][\w\-/:]*)"
)
_COUNT_OF = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*\s+((?:[a-zäöüß\-]+\s+)?[A-ZÄÖÜ][\w\-/:]*)")
# the term a sentence names or defines: Indikator „Nachhaltigkeit der Finanzierung“, „Clusterregion“
# definiert als …, … werden als Clusterakteur bezeichnet
_NAMED_TERM = re.compile(
    r"(?:Indikator(?:en)?|Kennzahl(?:en)?|Kriteri(?:um|en)|Merkmal|Begriff)\s+„([^“”]{3,80})[“”]"
    r"|„([^“”]{3,60})[“”][^.]{0,40}\b(?:definiert|bezeichnet|verstanden|gemessen)"
    r"|\bals\s+„?([A-ZÄÖÜ][\w\-]{3,40})“?\s+(?:bezeichnet|definiert|verstanden)"
)
_RESPONDENTS = re.compile(r"^(?:Befragte|Teilnehm|Studienteilnehm|Clustermanager|Umfrageteilnehm)")
_UNIT_NOUNS = frozenset(
    "Prozent Prozentpunkte Jahre Jahren Jahr Monate Monaten Wochen Tage Tagen Stunden Euro Mio Mrd Millionen "
    "Milliarden Mal Seiten Befragte Befragten Teilnehmer Teilnehmende Teilnehmenden Nennungen Angaben".split()
)
# capitalised at the start of a sentence, but no noun: prepositions, adverbs, participles
_NOT_A_NOUN_START = frozenset(
    "Gemäß Laut Entsprechend Basierend Bezüglich Hinsichtlich Aufgrund Trotz Während Seit Neben Zwischen Heute "
    "Hier Dabei Damit Daher Zudem Somit Jedoch Insbesondere Methodisch Sowohl Weder Vor Nur Erst Bereits Noch "
    "Immer Allein Vielmehr Darüber Demnach Dennoch Außerdem Ebenso Gleichzeitig Zunächst Schließlich".split()
)
_ADVERB_SUFFIX = re.compile(r"(?:isch|end|lich|weise|ig|ell|iv|bar)$")


def _noun_start(word: str) -> bool:
    return (
        word not in _NOT_SUBJECT
        and word not in _NOT_A_NOUN_START
        and word.lower() not in stop_words("de")
        and not _ADVERB_SUFFIX.search(word)
    )


def indicator_name(text: str) -> str:
    """A short name for what is measured: the measure noun and its complement ("Anteil der
    Unternehmen"), else what a share or count is of ("Anteil der gebenchmarkten
    Clusterinitiativen", "Anzahl Clusterinitiativen"), else the first noun phrase."""
    named = _NAMED_TERM.search(text)
    if named:
        return " ".join(next(g for g in named.groups() if g).split())
    match = _NAME_NOUN.search(text)
    if match:
        return " ".join(match.group(0).split()).strip(" ,-–")
    clean = _without_pointers(text)
    share = _SHARE_OF.search(clean)
    if share:
        name = "Anteil der " + " ".join(share.group(1).split())
        if _RESPONDENTS.match(share.group(1).split()[-1]):  # a share of respondents: say what they said
            topic = next(
                (p for p in _NOUN_PHRASE.finditer(clean, share.end()) if _noun_start(p.group(0).split()[0])), None
            )
            if topic:
                name += " – " + " ".join(topic.group(0).split())
        return name
    unknown_groups = _KNOWN_GROUP.sub(" ", clean)  # "die 105 Clusterinitiativen" is no count
    for count in _COUNT_OF.finditer(unknown_groups):
        phrase = " ".join(count.group(1).split())
        if phrase.split()[-1].rstrip(".,") not in _UNIT_NOUNS and not _YEAR.match(count.group(0).split()[0]):
            return "Anzahl " + phrase
    spelled = _SPELLED_COUNT.search(unknown_groups)
    if spelled and spelled.group(0).split()[-1] not in _UNIT_NOUNS:
        return "Anzahl " + spelled.group(0).split()[-1]
    for candidate in _NOUN_PHRASE.finditer(text):
        if _noun_start(candidate.group(0).split()[0]):
            return " ".join(candidate.group(0).split())
    return " ".join(text.split()[:6])


def indicator_value(text: str) -> str:
    values = [v.strip() for v in _WORD_VALUE.findall(text)]
    values += [v.group(0).strip() for v in _VALUE.finditer(text) if not _YEAR.match(v.group(0).strip())]
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return "; ".join(seen[:4])


def indicator_category(text: str) -> str:
    lower = text.lower()
    for category, words in CATEGORIES.items():
        if any(re.search(rf"(?<![a-zäöüß]){word}", lower) for word in words):
            return category
    return OTHER


# a chart or table row the reader found: the label before its first value names the measure
# ("Fachkräftebindung 77 %", "Frühzeitiges Erkennen Corona-bedingter Problemfelder 86 % …")
_LABELLED_VALUE = re.compile(r"^([A-ZÄÖÜ][^\d%]{2,80}?)\s+\d[\d.,]*\s*%")


def indicator_fields(hit: IndicatorHit, name: str | None = None) -> dict[str, str]:
    """The row a user sees; ``name`` when the measure is named elsewhere (an elliptic share)."""
    text = " ".join(hit.unit.text.split())
    if hit.shape == "list":
        name = re.sub(r"^\d+[.)]\s*", "", text).rstrip(".;,")
        return {
            "name": name,
            "definition": "",
            "value": "",
            "category": indicator_category(name),
            "found_by": hit.found_by,
        }
    definition = text if hit.shape in ("definition", "question") else ""
    labelled = _LABELLED_VALUE.match(text) if hit.shape == "learned" else None
    return {
        "name": name or (labelled.group(1) if labelled else indicator_name(text)),
        "definition": definition,
        "value": "" if hit.shape == "question" else indicator_value(text),
        "category": indicator_category(text),
        "found_by": hit.found_by,
    }


# a share that opens a sentence without saying of whom ("16 Prozent nehmen keine Veränderung wahr",
# "Lediglich 10 Prozent verzeichnen …") takes its population, and so its measure, from the sentence
# before: a further value of that measure
_ELLIPTIC_SHARE = re.compile(
    r"^(?:(?:Lediglich|Nur|Weitere|Knapp|Rund|Etwa|Fast|Nahezu|Immerhin|Gut|Über|Mehr als|Weniger als)\s+)?"
    r"\d+(?:[,.]\d+)?\s*(?:%|Prozent)\s+(?!(?:der|des|aller|von|unserer|dieser|ihrer)\b)"
)


def first_sample_fact_only(hits: list[tuple[int, IndicatorHit]]) -> list[tuple[int, IndicatorHit]]:
    """The study's sample counts once, where the document first states it; later sentences about
    who took part (who answered which question, who used a free-text option) are method, not
    measures of clusters."""
    kept: list[tuple[int, IndicatorHit]] = []
    seen = False
    for position, hit in hits:
        if hit.shape == "value" and _STUDY_SAMPLE.search(hit.unit.text):
            if seen:
                continue
            seen = True
        kept.append((position, hit))
    return kept


def measure_names(hits: list[tuple[int, IndicatorHit]]) -> list[tuple[IndicatorHit, str | None]]:
    """Each hit with the name of the measure it continues when it is an elliptic share ("13 Prozent
    gehen davon aus, …"), else None (it names its own). Every value is an item of its own, so the
    quote a user checks holds the value the row shows. ``hits`` are (unit position, hit) in
    reading order."""
    named: list[tuple[IndicatorHit, str | None]] = []
    for _, hit in hits:
        name = None
        if named and hit.shape == "value" and _ELLIPTIC_SHARE.match(hit.unit.text):
            before, before_name = named[-1]
            # chart labels may stand between an elliptic share and the sentence it continues
            if before.shape == "value" and hit.unit.page - before.unit.page <= 1:
                name = before_name or indicator_name(" ".join(before.unit.text.split()))
        named.append((hit, name))
    return named
