"""Recommendations, success factors, lessons and good reasons, found by rules.

A unit becomes a recommendation when it asks something of someone (modal "sollte/muss",
"empfiehlt sich", "es ist wichtig …, zu …", a gerundive "ist … zu gestalten"), or when it is an
item of a list under a recommendations heading or label and reads as an instruction
("Neue Akteure integrieren"). Success factors, lessons and good reasons need their own cue and,
unless the cue is unambiguous ("Erfolgsfaktor", "Defizit", "gute Gründe"), a section that is
about them (Fazit, Implikationen, Handlungsbedarfe …). The addressee comes from the nearest label
or heading ("Für Clusterförderung", "Handlungsempfehlungen für politische Akteure"), else from the
first actor the sentence names.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from assistant.extract.merge import language
from assistant.extract.patterns import SECTION_WORDS, CueHits
from assistant.extract.units import Unit

ADDRESSEES: dict[str, tuple[str, ...]] = {
    # checked in this order: the more specific words first
    "Handwerksorganisationen/Kammern": (
        "handwerkskammer",
        "kammer",
        "innung",
        "fachverb",
        "handwerksorganisation",
        "interessenvertret",
        "kreishandwerkerschaft",
        "ihk",
        "verbände",
        "chamber",
    ),
    "Politik/Förderer": (
        "politik",
        "politisch",
        "förder",
        "ministerium",
        "landesregierung",
        "finanzierung",
        "budgetierung",
        "regierung",
        "policy",
        "funding",
        "government",
    ),
    "Clustermanagement": (
        "clustermanag",
        "cluster manag",
        "cluster-manag",
        "managementeinrichtung",
        "geschäftsstelle",
        "clustermanagement-organisation",
        "manager:innen",
        "cluster management",
    ),
    "Clusterinitiativen": ("clusterinitiativ", "cluster-initiativ", "cluster initiative", "cluster "),
    "Betriebe": (
        "betrieb",
        "unternehm",
        "kmu",
        "mittelstand",
        "firmen",
        "akteure",
        "mitglieder",
        "companies",
        "enterprises",
        "smes",
    ),
}
GENERAL = "allgemein"

_INFINITIVE_END = re.compile(r"(?<![:*\w])[a-zäöüß][a-zäöüß\-]*(?:en|ern|eln)\b[\s.!)\]]*$")
_FINITE = re.compile(
    r"\b(?:ist|sind|war|waren|wird|werden|wurde|wurden|hat|haben|hatte|kann|können|gibt|zeigt|zeigen|"
    r"bietet|bieten|liegt|liegen|führt|steht|stehen|"
    # modal verbs, past forms included: the lookup lemmatizer leaves "mussten" as it is
    r"muss|musste|mussten|soll|sollte|sollten|darf|durfte|durften|konnte|konnten|will|wollte|wollten)\b"
)
# an instruction starts with what is to be done, not with a pronoun, article or question word
_NOT_INSTRUCTION_START = frozenset(
    "Sie Er Es Wir Ich Man Wie Was Wer Wo Warum Wann Diese Dieser Dieses Dies Das Der Die Den Dem Des Ein Eine "
    "Und Aber Oder Dann So Auch Abb. Tab. Abbildung Tabelle Quelle Hinweis".split()
)
_SUBORDINATE = re.compile(r"^(?:um|die|der|das|den|dem|welche[rsn]?|wenn|dass|weil|da|damit|sofern|ob)\b")
_QUOTE_SPEECH = re.compile(r"^[„\"»«‚]|[“\"‘]$")
# a literature reference or a bibliographic field ("(Hrsg.)", "Vol. 4 No. 2", "…, in: Bundesministerium …")
_REFERENCE = re.compile(
    r"\(\d{4}[a-z]?\)|\bvgl\.|\bS\. \d|\bwww\.|https?://|\bAnm\.:|\bHrsg\.|\bVol\. \d|\bNo\. \d|, in: |"
    r"\bErscheinungsjahr\b|\bZeitschrift/Buch\b"
)
_METHOD = re.compile(
    r"\b(?:befragt\w*|Befragte\w*|Teilnehmer:innen|Teilnehmer\*innen|Teilnehmende\w*|\w+teilnehmer\w*|Items?|Schieberegler|Skala|Fragebog\w*|gefragt|"
    r"Stichprobe|Interview\w*|Umfrage|Online-Befragung|Lektüre|lesen|Leser\w*)\b"
)
_WE_REPORT = re.compile(
    r"\b(?:haben|hatten|konnten|gehen|wollten|fassen|stellen|zeigen|beschreiben|betrachten|untersuchen|fragen) wir\b|"
    r"\bwir (?:haben|hatten|konnten|gehen|wollten)\b",
    re.I,
)
REPORTED_LIST = re.compile(
    r"\b(?:wurde|wurden|beinhaltete|beschrieben|benannt|umgesetzt|haben wir|wir haben|ergab|ergaben|"
    r"Ziel(?:e|en|setzung|stellung)?)\b",  # "Zielgruppe" names whom the list is for
    re.I,
)
_OPEN_QUESTION = re.compile(
    r"\bdie Frage,? (?:wie|ob|welche|inwieweit)\b|\b(?:wie|ob) [^,.]*\b(?:sollte|sollten|muss|müssen)\b"
)
_SUBCLAUSE_MODAL = re.compile(
    r"(?:^|[,;]\s*)(?:Während|während|wenn|Wenn|weil|Weil|da|Da|ob|als)\b[^,;.]*\b(?:muss|müssen)\b|"
    r"\bnicht (?:\S+ )?muss\b|^Nicht\b[^,;.]*\bmuss\b"
)
# a verb form right before the reflexive pronoun is conjugated ("verändern sich", "lässt sich");
# prepositions that end the same way ("zwischen sich", "gegen sich") are not verbs
_CONJUGATED_BEFORE_SICH = re.compile(r"(?!(?:zwischen|gegen|neben)$)[a-zäöüß]+(?:en|ern|eln|t)")
# words that end like an infinitive but are particles or adverbs: "rücken … zusammen" is conjugated
_NOT_INFINITIVE = frozenset("zusammen entgegen gegen neben eben oben unten hinten innen außen morgen wegen".split())
_ZU_INFINITIVE = re.compile(r"(?:\bzu [a-zäöü]+|[a-zäöü]+zu[a-zäöü]+en)[\s.!)]*$")
# the noun "Empfehlung" gives a recommendation when its content follows: after a colon
# ("eine zentrale Empfehlung: SM4: Verankerung …") or as a zu-infinitive ("Unsere Empfehlung
# zielt darauf ab, … zu integrieren"); "weitere Empfehlungen geben zu können" states an aim
_RECOMMENDATION_GIVEN = re.compile(
    r"(?:empfehlung|recommendation)\w*\b(?:[^.:]{0,80}:\s*\S|[^.]*?\b(?:zu |[a-zäöü]{2,}zu)"
    r"(?!(?:können|werden|sein|haben)\b)[a-zäöü]+(?:en|ern|eln)\b)",
    re.I,
)
_PERCENT = re.compile(r"\d\s*%|\bProzent\b")
# what clusters do for those who take part, said in the present with a cluster actor at the start of
# the sentence: "Cluster-Initiativen ermöglichen …", "Die Mitarbeit in Clustern erleichtert …", "Mit
# Clustern sichern wir …". A good reason without a cue word, which a cluster manager must be able
# to hand on; the actor at the start keeps out sentences that only mention a cluster in passing
_CLUSTER_ACTOR = re.compile(
    r"\b(?:Cluster|Clustern|Clusters|Cluster-Initiativen?|Clusterinitiativen?|Clustermanagements?|Clustermanager\w*|"
    r"Netzwerke?n?|Netzwerks|Innovationsnetzwerke?n?|Verbünde)(?![\w-])"
)
_BENEFIT = re.compile(
    r"\b(?:ermöglich(?:t|en)|erleichter(?:t|n)|stärk(?:t|en)|steiger(?:t|n)|sicher(?:t|n)|schaff(?:t|en)|biete[tn]|"
    r"verbesser(?:t|n)|erhöh(?:t|en)|aktivier(?:t|en)|befähig(?:t|en)|profitier(?:t|en)|Synergie\w*|bewältig\w*)\b"
)
# a past, an intention or a duty tells what happened or is planned, not what clusters bring
_NOT_A_BENEFIT = re.compile(
    r"\b(?:wollen|will|sollen|soll|konnte|konnten|wurde|wurden|war|waren|hatte|hatten|standen|berichteten)\b"
)
ACTOR_HEAD_WORDS = 7
BENEFIT_SCORE = 0.8
_STRONG = {
    "success_factor": re.compile(
        r"erfolgsfaktor|voraussetzung|erfolgsentscheidend|schlüsselfaktor|success factor|"
        r"erfolg\w*\b.{0,80}\b(?:erfordert|erfordern|braucht|bedarf|setzt)\b|"
        r"möglich,? (?:\w+ ){0,4}weil|gut geeignet|entscheidend\w* (?:zu[rm]?|für) (?:\w+ ){0,2}erfolg|"
        r"\berst (?:wenn|dann)\b|\bnur (?:so|dann)\b|\bkommt es (?:\w+ ){0,2}darauf an\b|"
        r"\b(?:entscheidend|ausschlaggebend) (?:ist|sind)\b(?![.,;])|"
        r"\bh[äa]ng(?:t|en) (?:\w+ ){0,4}(?:davon|von)\b.{0,120}\bab\b|"
        r"\berforder(?:t|n)\b(?!(?:\s+\w+){0,3}\s+keine?n?\b)",  # "erfordert einen regionalen Konsens", not "… keine …"
        re.I,
    ),
    "lesson": re.compile(
        r"defizit|lerneffekt|learning|lessons|erfahrung(?:en)? zeig|praxis zeigt|praxiserfahrung|nicht gerecht|"
        r"nicht (?:\w+ ){0,3}(?:ausreichend\w*|adäquat)\b|unzureichend|"  # a shortfall named as such
        r"\bzu wenig\b|\bkaum bekannt\b|"
        # a weakness or unused potential named as such: "Schwächen werden bei … offenbar", "Verstärkungspotenzial
        # zeigt der Indikator …" (not the comparative "schwächer ausgeprägt")
        r"\bschwächen?\b|(?:verstärkungs|verbesserungs|steigerungs|optimierungs)potenzial",
        re.I,
    ),
    "good_reason": re.compile(r"gute[n]? gründe|guter grund|good reasons?|als vorteil|säulen? im", re.I),
}
# a finding the authors label as such: "Beobachtung 3: Clusterinitiativen gleichen … aus", "Erkenntnis 2: …"
_FINDING_LABEL = re.compile(
    r"^(?:Beobachtung|Erkenntnis|Befund|Kernaussage|Kernergebnis|Lessons? [Ll]earned)\s*\d*\s*:\s*\w"
)
_ADVICE_LEAD_WORDS = ("empfehl", "handlungsbedarf", "mitnehmen", "maßnahme")
# a measure named by its action: "Durchführung einer Bestandsaufnahme", "Sichtung des Katalogs"
_ACTION_NOUN = re.compile(r"^[A-ZÄÖÜ][a-zäöüß\-]*(?:ung|nahme)\s+(?:der|des|einer|eines|von|vom|zur|zum)\b")
# "muss" also states necessities and "könnte … werden" also speculates: advice, but less sure
_WEAK_NORMS = frozenset({"must", "could"})
MIN_WORDS = 4
MIN_COLUMN_LINES = 3
NARROW_COLUMN_CHARS = 40
MAX_CHARS = 700
THRESHOLD = 0.75


@dataclass(frozen=True)
class RecommendationHit:
    unit: Unit
    type: str  # recommendation | success_factor | lesson | good_reason
    addressee: str
    score: float
    found_by: str = "rules"  # rules | reader: an evaluator weighs what the learned reader adds with more care


def in_section(unit: Unit, kind: str) -> bool:
    context = unit.context.lower()
    return any(word in context for word in SECTION_WORDS[kind])


def addressee_of(unit: Unit) -> str:
    """The label or heading names the addressee best; else the first actor of the sentence."""
    for source in (unit.lead, unit.heading):
        found = _first_actor(source.lower())
        if found:
            return found
    return _first_actor(unit.text.lower()) or GENERAL


def _first_actor(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for addressee, stems in ADDRESSEES.items():
        for stem in stems:
            position = text.find(stem)
            if position >= 0 and (best is None or position < best[0]):
                best = (position, addressee)
    return best[1] if best else None


def _clauses(hits: CueHits) -> list[list[tuple[str, str]]]:
    """The (text, lemma) tokens outside parentheses, cut into clauses at , ; and :."""
    clauses: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for text, lemma in hits.tokens:
        if text == "(":
            depth += 1
        elif text == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and text in (",", ";", ":"):
            clauses.append([])
        elif depth == 0:
            clauses[-1].append((text, lemma))
    return [c for c in clauses if c]


def _has_verb_form(words: list[tuple[str, str]]) -> bool:
    """A conjugated verb before the last word ("hängt … zusammen", "mussten … organisieren"): the
    lookup lemmatizer maps it to an infinitive that differs from the word itself."""
    for index, ((text, lemma), (following, _)) in enumerate(itertools.pairwise(words)):
        if _FINITE.fullmatch(text):
            return True  # "Zuständigkeiten sind gleichgeblieben": an auxiliary before the participle
        if following == "sich" and _CONJUGATED_BEFORE_SICH.fullmatch(text):
            return True  # "Querschnittsthemen lassen sich … entwickeln": an instruction puts "sich" first
        if following[:1].isupper():
            continue  # "an die veränderten Bedingungen": a participle before its noun is an adjective
        if index == len(words) - 2 or text.endswith("end"):
            continue  # "konzentriert gestalten", "entsprechend": adverbs, not conjugated verbs
        if text[:1].islower() and text != lemma and lemma.endswith(("en", "ern", "eln")) and lemma[:1].islower():
            return True
    return False


def _instruction(unit: Unit, hits: CueHits) -> bool:
    """A list item or cell that reads as an instruction: its first clause ends in a bare infinitive
    and has no conjugated verb ("Neue Akteure integrieren", "Kooperation organisieren, um … zu
    bewältigen", "Resilienz-Fähigkeit … sichern, hinsichtlich Infrastruktur, …")."""
    if language(unit.text) != "de":
        return False  # the bare-infinitive form is German; "… are quality and result driven" is not one
    clauses = [[(t, lemma) for t, lemma in c if t.isalpha() or "-" in t or ":" in t] for c in _clauses(hits)]
    clauses = [c for c in clauses if c]
    if not clauses:
        return False
    first = clauses[0]
    continued = unit.start == 0 and (unit.bullet or unit.enumerated)  # an item going on after a page break
    if first[0][0] in _NOT_INSTRUCTION_START or not 2 <= len(first) <= 30:
        return False
    if not (first[0][0][:1].isupper() or continued):
        return False
    last, last_lemma = first[-1]
    before = first[-2][0] if len(first) > 1 else ""
    if not re.fullmatch(r"[a-zäöüß][a-zäöüß\-]*(?:en|ern|eln)", last) or before == "zu" or "zu" in last[2:-3]:
        return False  # "… darzustellen", "zu geben": a goal being described, not an instruction
    if last_lemma != last or last in _NOT_INFINITIVE:
        return False  # an infinitive is its own lemma; "aufgerufen", "permanenten" are not
    if _has_verb_form(first):
        return False
    for clause in clauses[1:]:
        if not _SUBORDINATE.match(clause[0][0]) and _has_verb_form([*clause, ("", "")]):
            return False
    return True


def _narrow_column(text: str) -> bool:
    """Several short lines: a cell of a narrow table column, which labels the text beside it."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= MIN_COLUMN_LINES and sum(len(line) for line in lines) / len(lines) < NARROW_COLUMN_CHARS


def _coded_measure(unit: Unit) -> bool:
    """A numbered item that says what to do, not a field named in a narrow column ("H1 Verbesserung
    der\nKenntnisse über\n…") or a cut-off label ("H3 Verbesserte")."""
    content = unit.text[len(unit.code) :]
    return len(re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", content)) >= MIN_WORDS and not _narrow_column(content)


def _list_lead(lead: str) -> bool:
    """A lead that announces advice: an addressee label, a recommendations word, or an
    instruction itself ("Möglichkeiten der Digitalisierung nachhaltig erschließen:")."""
    lower = lead.lower()
    if REPORTED_LIST.search(lead):
        return False
    if re.match(r"^(?:für|for) ", lower) or any(w in lower for w in _ADVICE_LEAD_WORDS):
        return True
    return bool(_INFINITIVE_END.search(lead.rstrip(": ")))  # the lead is an instruction itself


def lead_reading(lead: str, hits: CueHits) -> str | None:
    """What a lead-in promises for its list: "Die Erfahrung zeigt, dass … vor allem dann …, wenn"
    announces conditions of success; "… sollten folgende Schritte …:" announces advice."""
    if not lead or reporting_lead(lead) or _METHOD.search(lead):
        return None
    if set(hits.recommend) - _WEAK_NORMS:
        return "recommendation"
    if hits.success and (_STRONG["success_factor"].search(lead) or re.search(r"\bwenn\W*$", lead)):
        return "success_factor"
    if hits.lesson and _STRONG["lesson"].search(lead):
        return "lesson"
    return None


def _reading(unit: Unit, hits: CueHits, section: bool, inherited: str | None) -> tuple[str, float] | None:
    """The strongest reading of a unit and how sure the rules are."""
    text = unit.text
    listed = unit.bullet or unit.enumerated
    normative = set(hits.recommend)
    if "recommendation_noun" in normative and not _RECOMMENDATION_GIVEN.search(text):
        normative.discard("recommendation_noun")  # "In Übersicht 6 sind die Handlungsempfehlungen …" only names them
    if hits.reporting_modal or hits.past_modal or _SUBCLAUSE_MODAL.search(text):
        normative -= {"must"}
    if _OPEN_QUESTION.search(text):
        normative -= {"must", "should"}  # "die Frage, wie … sein sollten" asks, it does not advise
    if normative - _WEAK_NORMS:
        return "recommendation", 1.0
    if normative:
        return "recommendation", 0.85
    if unit.code and _coded_measure(unit):
        return "recommendation", 0.9  # "OM5 Einführung einer Rubrik …": an item of a numbered set of measures
    descriptive_list = bool(REPORTED_LIST.search(unit.lead))
    instruction = _instruction(unit, hits)
    if listed and (section or unit.lead) and not descriptive_list and instruction:
        return "recommendation", 0.9
    words = [(t, lemma) for t, lemma in hits.tokens if t.isalpha()]
    if listed and section and _list_lead(unit.lead) and not _has_verb_form([*words, ("", "")]) and len(words) <= 15:
        return "recommendation", 0.8  # a point of a list of implications or challenges
    if listed and inherited:
        return inherited, 0.8
    if (
        listed
        and _list_lead(unit.lead)
        and _ACTION_NOUN.match(text)
        and not _has_verb_form([*_clauses(hits)[0], ("", "")])
    ):
        return "recommendation", 0.85  # "Sichtung der Internetseiten …" under "… weitere mögliche Maßnahmen:"
    if not listed and len(text.split()) <= 12 and instruction:
        return "recommendation", 0.8  # a table cell or margin note that gives an instruction
    if is_label(text, hits):
        return None
    best: tuple[str, float] | None = None
    for name, cues in (("success_factor", hits.success), ("lesson", hits.lesson), ("good_reason", hits.reason)):
        if not cues:
            continue
        score = 0.8 if _STRONG[name].search(text) else 0.45
        score += 0.15 * (len(cues) - 1) + (0.35 if section else 0.0)
        if best is None or score > best[1]:
            best = (name, score)
    if (best is None or best[1] < BENEFIT_SCORE) and _benefit(text):
        return "good_reason", BENEFIT_SCORE  # a cue word, where there is one, names the kind better
    if (best is None or best[1] < THRESHOLD) and _FINDING_LABEL.match(text):
        return "lesson", 0.8
    return best


def _benefit(text: str) -> bool:
    """A present-tense statement of what a cluster brings, its actor opening the sentence."""
    head = " ".join(text.split()[:ACTOR_HEAD_WORDS])
    return (
        text[:1].isupper()
        and bool(_CLUSTER_ACTOR.search(head))
        and bool(_BENEFIT.search(text))
        and not _NOT_A_BENEFIT.search(text)
    )


def eligible(unit: Unit) -> bool:
    """Whether a unit can state a recommendation at all: not too short or long, no question, no
    literature reference, no heading or margin note."""
    text = unit.text
    listed = unit.bullet or unit.enumerated
    if len(text.split()) < MIN_WORDS and not listed:
        return False
    asks = text.rstrip().endswith("?") and not _ACTION_NOUN.match(text)  # "Bestandsaufnahme …: Welche Gewerke?"
    if len(text) > MAX_CHARS or asks or _REFERENCE.search(text):
        return False
    return listed or bool(re.search(r"[.!,:]$", text)) or (len(text.split()) >= 8 and "\n" not in text)


def is_label(text: str, hits: CueHits) -> bool:
    """ "weitere Vorteile", "3) Hemmnisse KMU": a label names a topic, it states nothing."""
    words = [(t, lemma) for t, lemma in hits.tokens if t.isalpha()]
    return not _has_verb_form([*words, ("", "")]) and (len(words) <= 6 or not text.rstrip().endswith("."))


def reporting_lead(lead: str) -> bool:
    """A lead-in that announces a report, not advice: "Zunächst wurde Folgendes umgesetzt:", "Ziel
    dieser Studie ist es:", "Wir wollten … unter die Lupe nehmen:"."""
    return bool(REPORTED_LIST.search(lead) or _WE_REPORT.search(lead))


def marked_down(text: str) -> bool:
    """What the rules mark down in any reading: how the study was done, a quoted voice, a
    measured share (an indicator)."""
    return bool(
        _METHOD.search(text) or _WE_REPORT.search(text) or _QUOTE_SPEECH.search(text.strip()) or _PERCENT.search(text)
    )


def cue_type(hits: CueHits) -> str:
    """The kind a unit's strongest cue family suggests; a finding without any cue is a lesson."""
    if hits.recommend:
        return "recommendation"
    if hits.success:
        return "success_factor"
    if hits.reason:
        return "good_reason"
    return "lesson"


def classify(unit: Unit, hits: CueHits, inherited: str | None = None) -> RecommendationHit | None:
    """The recommendation reading of one unit, or None."""
    text = unit.text
    if not eligible(unit):
        return None
    reading = _reading(unit, hits, in_section(unit, "recommendation"), inherited)
    if reading is None:
        return None
    kind, score = reading
    if _METHOD.search(text) or _WE_REPORT.search(text):
        score -= 0.5  # how the study was done is not advice
    if _PERCENT.search(text) and kind != "recommendation":
        score -= 0.3  # a measured share is an indicator
    if _QUOTE_SPEECH.search(text.strip()):
        score -= 0.4  # quoted interview voices are evidence, not the authors' advice
    if score < THRESHOLD:
        return None
    return RecommendationHit(unit=unit, type=kind, addressee=addressee_of(unit), score=score)


def recommendation_fields(hit: RecommendationHit) -> dict[str, str]:
    return {
        "recommendation": " ".join(hit.unit.text.split()),
        "addressee": hit.addressee,
        "type": hit.type,
        "found_by": hit.found_by,
    }
