"""The text comparisons the claim checker decides with: numbers (counts, percentages, years),
negation, quantifiers, named actors, and the clause of the evidence that a claim talks about.

Everything here is plain rules over German (and some English) text, so a verdict can always be
explained by pointing at the words that decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.lexical import analyse, compound_parts, stop_words
from ingest.lexicon import word_log_probs

NumberKind = str  # "percent" | "year" | "count"


@dataclass(frozen=True)
class Number:
    value: float
    kind: NumberKind
    raw: str
    approximate: bool = False  # "zwei Drittel", "knapp 65 Prozent": a share given roughly


_NUMBER_WORDS = {
    "null": 0,
    "ein": 1,
    "eine": 1,
    "einem": 1,
    "einen": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "zwanzig": 20,
    "dreißig": 30,
    "hundert": 100,
    "tausend": 1000,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
}
# a number word from two on that no noun follows (one with a noun is read by _SPELLED); "ein" is
# mostly the article
_SPELLED_ALONE = re.compile(
    r"\b(?P<word>zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig)\b(?!\s+[A-ZÄÖÜ])(?![-\w])"
)
_FRACTIONS = {"hälfte": 50.0, "drittel": 33.3, "viertel": 25.0, "fünftel": 20.0, "half": 50.0, "third": 33.3}
_NUMERAL = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?P<suffix>er|ern|ers)?"
    r"(?P<unit>\s?(?:%|Prozent|percent|per cent|Mio\.?|Millionen|million|Mrd\.?|Milliarden|billion))?",
    re.IGNORECASE,
)
_SPELLED = re.compile(
    r"\b(?P<word>"
    + "|".join(_NUMBER_WORDS)
    + r")\b\s+(?!(?:Hälfte|Drittel|Viertel|Fünftel)\b)(?P<noun>[A-ZÄÖÜ][a-zäöüß]+)"
)
_FRACTION = re.compile(
    r"\b(?:(?P<count>ein|einem|eines|zwei|drei|two|three|one)\s+)?(?P<frac>Hälfte|Drittel|Viertel|Fünftel|half|third)",
    re.IGNORECASE,
)
# a fraction after these words is a bound ("mehr als die Hälfte"), not the share itself
_ARTICLE = r"(?:die|das|der|ein|einem|eine)?"
_BOUND = re.compile(
    rf"\b(?:(?:mehr|weniger|more|less|fewer)\s+als|über|unter|mindestens|höchstens|bis zu)\s+{_ARTICLE}\s*$", re.I
)
_HEDGE = re.compile(
    r"\b(?:knapp|rund|etwa|ca\.|circa|ungefähr|fast|nahezu|annähernd|gut|about|around|almost|nearly|roughly)"
    rf"\s+{_ARTICLE}\s*$",
    re.I,
)
APPROXIMATE_SHARE = 3.0  # percentage points a rough share ("knapp zwei Drittel") may differ from an exact one
_POINTER = re.compile(r"\b(?:Abbildung|Abb\.|Tabelle|Tab\.|Kapitel|Kap\.|S\.|Seite|Fußnote)\s*\d+", re.IGNORECASE)
_MULTIPLIER = {"mio": 1e6, "millionen": 1e6, "million": 1e6, "mrd": 1e9, "milliarden": 1e9, "billion": 1e9}


def _parse(num: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", num):
        return float(num.replace(".", "").replace(",", "."))  # German thousands: 13.000
    return float(num.replace(",", "."))  # 2,5 (German) and 8.5 (English) decimals


def numbers(text: str) -> list[Number]:
    """Counts, percentages and years a text states (not pointers like "Abbildung 14")."""
    clean = _POINTER.sub(" ", text)
    found: list[Number] = []
    for match in _NUMERAL.finditer(clean):
        value = _parse(match.group("num"))
        unit = (match.group("unit") or "").strip().lower().rstrip(".")
        if unit in ("%", "prozent", "percent", "per cent"):
            found.append(Number(value, "percent", match.group(0)))
        elif unit in _MULTIPLIER:
            found.append(Number(value * _MULTIPLIER[unit], "count", match.group(0)))
        elif value.is_integer() and 1900 <= value <= 2099:
            found.append(Number(value, "year", match.group(0)))  # also "in den 1980ern"
        else:
            found.append(Number(value, "count", match.group(0)))
    for match in _SPELLED.finditer(clean):
        found.append(Number(float(_NUMBER_WORDS[match.group("word").lower()]), "count", match.group(0)))
    for match in _SPELLED_ALONE.finditer(clean):  # "lediglich sechs zustande", "immerhin zwölf geführt"
        found.append(Number(float(_NUMBER_WORDS[match.group("word").lower()]), "count", match.group(0)))
    for match in _FRACTION.finditer(clean):  # "knapp zwei Drittel" is a share, as "65 Prozent" is
        if not _BOUND.search(clean[: match.start()]):  # "mehr als die Hälfte" bounds a share, names none
            found.append(Number(_fraction_value(match), "percent", match.group(0), approximate=True))
    return [Number(n.value, n.kind, n.raw, True) if n.kind == "percent" and _hedged(clean, n.raw) else n for n in found]


def _fraction_value(match: re.Match[str]) -> float:
    count = match.group("count")
    factor = _NUMBER_WORDS.get(count.lower(), 1) if count else 1
    return _FRACTIONS[match.group("frac").lower()] * factor


def _hedged(text: str, raw: str) -> bool:
    at = text.find(raw)
    return at > 0 and bool(_HEDGE.search(text[:at]))


def shares(text: str) -> list[float]:
    """Shares a text states, as percentages ("drei Viertel" = 75, "44,6 Prozent" = 44.6), bounds
    included ("mehr als die Hälfte" = 50)."""
    result = [n.value for n in numbers(text) if n.kind == "percent" and not n.raw.lstrip()[:1].isalpha()]
    result.extend(_fraction_value(match) for match in _FRACTION.finditer(text))
    return result


def same_number(a: Number, b: Number) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "year":
        return a.value == b.value
    if a.kind == "percent" and (a.approximate or b.approximate):
        return abs(a.value - b.value) <= APPROXIMATE_SHARE
    return abs(a.value - b.value) <= max(0.01, 0.005 * abs(a.value))


def number_conflict(claim: str, evidence: str, settled: str = "") -> tuple[Number, Number] | None:
    """A number of the claim the evidence does not state, while the evidence states another number
    of the same kind that the claim does not: "4,5 Stellen" against "2,5 Stellen". A number that
    ``settled`` (the sentence that decides) states is confirmed and not compared again."""
    claimed, stated, confirmed = numbers(claim), numbers(evidence), numbers(settled)
    for c in claimed:
        if any(same_number(c, e) for e in stated + confirmed) or (c.kind == "count" and c.value < 2):
            continue
        # "ein Benchmarking" is an article more often than the number one: it alters no number
        others = [
            e
            for e in stated
            if e.kind == c.kind
            and not (e.kind == "count" and e.value < 2)
            and not any(same_number(e, x) for x in claimed)
        ]
        if others:  # name the stated number that most likely is the altered one: the closest
            return c, min(others, key=lambda e: abs(e.value - c.value))
    return None


# --- negation --------------------------------------------------------------------------------
_NEGATION = re.compile(
    r"\b(?:nicht|kein|keine|keinen|keinem|keiner|keines|nie|niemals|weder|nirgends|verneint|"
    r"not|no|never|neither|none|cannot|can't|don't|doesn't|isn't|aren't)\b",
    re.IGNORECASE,
)
# "nicht nur … sondern auch", "nicht selten" affirm; they are not negations of the statement
_NOT_NEGATION = re.compile(r"\bnicht (?:nur|selten|zuletzt|unerheblich|unwesentlich|wenige)\b", re.IGNORECASE)


_PURPOSE = re.compile(r",?\s*\bum\b[^,.;]*\bzu\s+\w+", re.IGNORECASE)


def negated(text: str) -> bool:
    """Whether the main statement is negated ("um nicht … abhängig zu sein" is a purpose, not a
    negation of the statement)."""
    clean = _NOT_NEGATION.sub(" ", _PURPOSE.sub(" ", text))
    return len(_NEGATION.findall(clean)) % 2 == 1


# --- quantifiers -----------------------------------------------------------------------------
_QUANTIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("near_all", re.compile(r"\b(?:fast|nahezu|beinahe|almost|nearly)\s+(?:alle|all|sämtliche)", re.I)),
    ("none", re.compile(r"\b(?:keine[rsnm]?|niemand|none|no one)\b", re.I)),
    ("few", re.compile(r"\b(?:nur\s+)?(?:wenige[n]?|kaum|few|hardly)\b", re.I)),
    ("half", re.compile(r"\b(?:Hälfte|half)\b", re.I)),
    ("most", re.compile(r"\b(?:die meisten|meisten|Mehrheit|Mehrzahl|überwiegend\w*|Großteil|most|majority)\b", re.I)),
    ("all", re.compile(r"\b(?:alle[nrs]?|sämtliche[n]?|jede[rsnm]?|all|every)\b", re.I)),
    (
        "some",
        re.compile(r"\b(?:einige[n]?|manche[n]?|(?:nur\s+)?(?:ein|einem|einen)\s+Teil|teilweise|some|several)\b", re.I),
    ),
)
_QUANTIFIER_CONFLICTS = {
    frozenset({"all", "few"}),
    frozenset({"all", "none"}),
    frozenset({"all", "half"}),
    frozenset({"all", "some"}),
    frozenset({"near_all", "few"}),
    frozenset({"near_all", "none"}),
    frozenset({"near_all", "half"}),
    frozenset({"most", "few"}),
    frozenset({"most", "none"}),
    frozenset({"half", "few"}),
    frozenset({"half", "none"}),
    frozenset({"most", "half"}),
    frozenset({"all", "most"}),  # "sämtliche Initiativen" against "ein Großteil der Initiativen"
}


def quantifier(text: str) -> str | None:
    for name, pattern in _QUANTIFIERS:
        if pattern.search(text):
            return name
    return None


def quantifier_conflict(claim: str, evidence: str) -> tuple[str, str] | None:
    """ "Nur wenige" against "alle", "die meisten" against 20 %."""
    claimed = quantifier(claim)
    if claimed is None:
        return None
    stated = quantifier(evidence)
    if stated is not None and frozenset({claimed, stated}) in _QUANTIFIER_CONFLICTS:
        return claimed, stated
    percents = shares(evidence)
    claims_share = any(n.kind == "percent" for n in numbers(claim)) or bool(shares(claim))
    if not claims_share and len(percents) == 1:  # with several shares we cannot tell which one
        if claimed in ("most", "near_all", "all") and max(percents) < 50:
            return claimed, f"{max(percents):g} %"
        if claimed in ("few", "none") and min(percents) > 50:
            return claimed, f"{min(percents):g} %"
    return None


# --- comparisons -----------------------------------------------------------------------------
# pairs of opposite words a comparison sets against each other ("kleinere … häufiger als größere")
_OPPOSITES = (
    (re.compile(r"\bklein\w*", re.I), re.compile(r"\b(?:groß|größ)\w*", re.I)),
    (re.compile(r"\b(?:jung|jüng)\w*", re.I), re.compile(r"\b(?:alt|ält)(?:e|er|en|ere|eren|erer)?\b", re.I)),
)
_THAN = re.compile(r"\b(?:als|than)\b", re.I)


def _comparison_order(text: str, first: re.Pattern[str], second: re.Pattern[str]) -> bool | None:
    """True when ``first`` comes before "als" and ``second`` after it, False the other way
    round, None when the text does not compare the two."""
    than = _THAN.search(text)
    if than is None:
        return None
    before, after = text[: than.start()], text[than.end() :]
    if first.search(before) and second.search(after) and not second.search(before):
        return True
    if second.search(before) and first.search(after) and not first.search(before):
        return False
    return None


def comparison_conflict(claim: str, evidence: str) -> bool:
    """The comparison turned round: "kleinere Clustermanagements … häufiger als größere" against
    "von größeren … häufiger … als von kleineren"."""
    for first, second in _OPPOSITES:
        claimed, stated = _comparison_order(claim, first, second), _comparison_order(evidence, first, second)
        if claimed is not None and stated is not None and claimed != stated:
            return True
    return False


# --- actors ----------------------------------------------------------------------------------
PLACES = frozenset(
    "deutschland finnland großbritannien österreich schweiz schweden türkei frankreich italien spanien "
    "niederlande dänemark polen china usa japan indien europa amerika asien england "
    "baden-württemberg bayern berlin brandenburg bremen hamburg hessen mecklenburg-vorpommern niedersachsen "
    "nordrhein-westfalen rheinland-pfalz saarland sachsen sachsen-anhalt schleswig-holstein thüringen "
    "germany finland britain austria switzerland sweden france italy europe".split()
)
_DEMONYMS = {
    "deutsche": "deutschland",
    "deutschen": "deutschland",
    "deutscher": "deutschland",
    "german": "deutschland",
    "finnische": "finnland",
    "finnischen": "finnland",
    "britische": "großbritannien",
    "britischen": "großbritannien",
    "chinesische": "china",
    "chinesischen": "china",
    "chinese": "china",
    "europäische": "europa",
    "europäischen": "europa",
}
_MINISTRY = re.compile(
    r"\b(?:Bundes)?[Mm]inisteri(?:um|ums) (?:für|of) [A-ZÄÖÜ][\w\-]+"
    r"(?:,? (?:und|and) [A-ZÄÖÜ][\w\-]+)?(?: [A-ZÄÖÜ][\w\-]+)?"
)
_TOKEN = re.compile(r"[A-Za-zÄÖÜäöüß][\w@\-]*")
RARE_WORD = -15.5


@lru_cache(maxsize=50_000)
def _is_name(word: str) -> bool:
    """A capitalised word that is no German word or compound of words: a proper name."""
    if "@" in word or re.search(r"[a-z][A-Z]", word):
        return True  # "Hamburg@work", "BioM"
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1:
        return any(_is_name(p) for p in parts if p[:1].isupper())
    lower = word.lower()
    if lower in stop_words() or len(lower) < 3:
        return False
    return not _german_word(lower)


def _two_known_words(lower: str) -> bool:
    """ "vollzeitäquivalent" = "vollzeit" + "äquivalent": a compound of two German words (rarer
    ones than compound splitting for search accepts), so a common noun and not a name."""
    table = word_log_probs()
    for cut in range(4, len(lower) - 3):
        head, tail = lower[:cut], lower[cut:]
        if table.get(tail, -99.0) <= RARE_WORD:
            continue
        for link in ("", "s", "es", "n", "en"):
            if head.endswith(link) and table.get(head[: len(head) - len(link)], -99.0) > RARE_WORD:
                return True
    return False


_ORG_SUFFIX = re.compile(
    r"^(?:AG|GmbH|e\.?V\.?|KG|SE|Inc\.?|Ltd\.?)$|-(?:Gesellschaft|Institut|Stiftung|Verband|Agentur|Akademie|Universität)$"
)


def actors(text: str) -> dict[str, frozenset[str]]:
    """Places, ministries and other named organisations a text mentions, by class. A run of two or
    more capitalised words inside a sentence ("Life Science Nord", "Prognos AG") is taken as one
    name: German capitalises nouns, but does not string them together without articles."""
    places: set[str] = set()
    names: set[str] = set()
    ministries = {
        " ".join(m.group(0).split()).lower().replace("ministeriums", "ministerium") for m in _MINISTRY.finditer(text)
    }
    tokens = _TOKEN.findall(_MINISTRY.sub(" ", text))
    run: list[str] = []

    phrases: set[str] = set()

    def close_run() -> None:
        if len(run) >= 2 and not any(t.lower() in stop_words() for t in run):
            phrase = " ".join(run).lower()
            strong = any(_ORG_SUFFIX.search(t) or t.lower() in names for t in run)
            (names if strong else phrases).add(phrase)
        run.clear()

    for index, token in enumerate(tokens):
        lower = token.lower()
        if lower in PLACES:
            places.add(lower)
        elif "-" in lower and any(p in PLACES for p in lower.split("-")):
            places.update(p for p in lower.split("-") if p in PLACES)  # "Gesamt-Ostwürttemberg"
        elif lower in _DEMONYMS:
            places.add(_DEMONYMS[lower])
        elif index > 0 and token[:1].isupper() and (_ORG_SUFFIX.search(token) or _is_name(token)):
            names.add(lower)
        if index > 0 and token[:1].isupper() and lower not in PLACES:
            run.append(token)
        else:
            close_run()
    close_run()
    return {
        "place": frozenset(places),
        "ministry": frozenset(ministries),
        "name": frozenset(names),  # single rare words, "@"-names, names with AG/GmbH/-Gesellschaft
        "phrase": frozenset(phrases),  # runs of capitalised common words: maybe a name
    }


def _initials(name: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s\-]+", name) if part)


def _mentioned(name: str, text: str, names: frozenset[str]) -> bool:
    """The name, its words, or its acronym ("ECEI" for "European Cluster Excellence Initiative"),
    or each of its distinctive words, spelled out or abbreviated ("Automotive-Initiative
    Ostwürttemberg" in "CI Automotive OW": "initiative" is a common word, "OW" = Ost+Württemberg)."""
    lower = text.lower()
    if name in lower:
        return True
    words = [w for w in re.split(r"[\s\-]+", name) if len(w) > 2]
    if words and all(any(form in lower for form in _place_forms(w)) for w in words):
        return True
    head = name.split("-")[0]
    if any(_initials(other) == head or _initials(name) == other.split("-")[0] for other in names):
        return True
    distinctive = [w for w in words if word_log_probs().get(w, -99.0) <= RARE_WORD]  # rare or no German word
    acronyms = {t.lower() for t in re.findall(r"\b[A-ZÄÖÜ]{2,5}\b", text)}
    return bool(distinctive) and all(
        re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lower) or _compound_initials(w) & acronyms for w in distinctive
    )


def _place_forms(word: str) -> set[str]:
    """A place and its adjective, either way round: "tuttlingen" / "tuttlinger", "hamburg" /
    "hamburger" ("die Region Tuttlingen" is "das Tuttlinger Cluster")."""
    forms = {word, word + "er"}
    if word.endswith("en"):
        forms.add(word[:-2] + "er")
    if word.endswith("er") and len(word) > 5:
        forms.update({word[:-2], word[:-2] + "en"})
    return forms


def _german_word(word: str) -> bool:
    """A common German word, or a compound of German words (lower-case input)."""
    return word_log_probs().get(word, -99.0) > RARE_WORD or bool(compound_parts(word)) or _two_known_words(word)


def _compound_initials(word: str) -> set[str]:
    """ "ow" for "ostwürttemberg": the initials of the ways it splits into two known words."""
    table = word_log_probs()
    return {
        word[0] + word[cut]
        for cut in range(3, len(word) - 2)
        if table.get(word[:cut], -99.0) > RARE_WORD and table.get(word[cut:], -99.0) > RARE_WORD
    }


def actor_conflict(claim: str, evidence: str) -> tuple[str, str] | None:
    """An actor of the claim the evidence does not mention, while it names another one of the same
    class: "Finnland" against "Großbritannien", "Fraunhofer-Gesellschaft" against "Prognos AG"."""
    claimed, stated = actors(claim), actors(evidence)
    for kind in ("ministry", "place"):
        missing = claimed[kind] - stated[kind]
        other = stated[kind] - claimed[kind]
        if missing and other:
            return sorted(missing)[0], sorted(other)[0]
    everything = stated["name"] | stated["phrase"]
    absent = {n for n in claimed["name"] | claimed["phrase"] if not _mentioned(n, evidence, everything)}
    wanted = claimed["name"] | claimed["phrase"]
    others = {n for n in stated["name"] if not _mentioned(n, claim, wanted)}
    if absent and others:
        return sorted(absent)[0], sorted(others)[0]
    return None


# --- alignment -------------------------------------------------------------------------------
_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:]|,(?=\s+(?:in|im|bei|während|wobei|whereas|in der|in den)\b))\s*", re.I)


def content_terms(text: str) -> set[str]:
    return set(analyse(text))


def coverage(claim: str, text: str, weights: dict[str, float] | None = None) -> float:
    """Share of the claim's terms (idf-weighted when given) that occur in ``text``."""
    terms = content_terms(claim)
    if not terms:
        return 0.0
    present = content_terms(text)
    if weights is None:
        return len(terms & present) / len(terms)
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0
    return sum(weights.get(t, 1.0) for t in terms & present) / total


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if len(c.split()) >= 3]


def aligned_clause(claim: str, evidence: str) -> tuple[str, float]:
    """The clause of the evidence that shares most of the claim's terms, and how much it shares."""
    best = (evidence, -1.0)
    for clause in clauses(evidence) or [evidence]:
        share = coverage(claim, clause)
        if share > best[1] + 1e-9 or (abs(share - best[1]) <= 1e-9 and len(clause) < len(best[0])):
            best = (clause, share)
    return best
