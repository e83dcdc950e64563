"""Numbers a text states, for the claim checker: counts, shares (percentages and fractions, given
roughly or as bounds) and years, and when a claim's number conflicts with the evidence's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.lexical import stem

NumberKind = str  # "percent" | "year" | "count"


@dataclass(frozen=True)
class Number:
    value: float
    kind: NumberKind
    raw: str
    approximate: bool = False  # "zwei Drittel", "knapp 65 Prozent": a share given roughly
    bound: str = ""  # "min" for "mehr als die Hälfte", "max" for "weniger als 10 Prozent"
    noun: str = ""  # what a count counts: "Handwerksbetriebe" in "2.000 Handwerksbetriebe"


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
    r"\b(?:(?P<count>ein|einem|eines|zwei|drei|two|three|one)\s+)?(?P<frac>Hälfte|Drittel|Viertel|Fünftel|half|third)\b",
    re.IGNORECASE,
)
# "vier von fünf Befragten" is a share (80 %), "jede zweite Initiative" too (50 %); neither is a count
_OUT_OF = re.compile(
    r"\b(?P<part>ein|eine|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun)\s+von\s+"
    r"(?P<whole>zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)\b",
    re.IGNORECASE,
)
_EVERY_NTH = re.compile(r"\b(?:jede[rsnm]?|every)\s+(?P<nth>zweite|dritte|vierte|fünfte|zehnte|second|third)\w*", re.I)
_NTH = {"zweite": 2, "dritte": 3, "vierte": 4, "fünfte": 5, "zehnte": 10, "second": 2, "third": 3}
_ARTICLE = r"(?:die|das|der|ein|einem|eine)?"
# a share after these words is a bound ("mehr als die Hälfte"); "über" and "unter" only before a
# fraction ("über die Hälfte"): before a numeral they are as often "verfügen über", "unter den"
_LOWER_BOUND = re.compile(rf"\b(?:mehr\s+als|more\s+than|mindestens|mind\.|at\s+least)\s+{_ARTICLE}\s*$", re.I)
_UPPER_BOUND = re.compile(
    rf"\b(?:weniger\s+als|less\s+than|fewer\s+than|höchstens|maximal|bis\s+zu|up\s+to)\s+{_ARTICLE}\s*$", re.I
)
_FRACTION_LOWER = re.compile(rf"\büber\s+{_ARTICLE}\s*$", re.I)
_FRACTION_UPPER = re.compile(rf"\bunter\s+{_ARTICLE}\s*$", re.I)
_HEDGE = re.compile(
    r"\b(?:knapp|rund|etwa|ca\.|circa|ungefähr|fast|nahezu|annähernd|gut|about|around|almost|nearly|roughly)"
    rf"\s+{_ARTICLE}\s*$",
    re.I,
)
APPROXIMATE_SHARE = 3.0  # percentage points a rough share ("knapp zwei Drittel") may differ from an exact one
_POINTER = re.compile(r"\b(?:Abbildung|Abb\.|Tabelle|Tab\.|Kapitel|Kap\.|S\.|Seite|Fußnote)\s*\d+", re.IGNORECASE)
# a date states its year ("am 13.05.2012"); its day and month are no counts
_DATE = re.compile(r"(?<![\w.,])\d{1,2}\.\s?\d{1,2}\.\s?(?P<year>(?:19|20)\d\d)\b")
# the noun after a count, past up to two adjectives: "drei untersuchten Clusterinitiativen"
_COUNTED = re.compile(r"\s+(?:[a-zäöüß][\w-]*\s+){0,2}(?P<noun>[A-ZÄÖÜ][\w-]+)")
_MULTIPLIER = {"mio": 1e6, "millionen": 1e6, "million": 1e6, "mrd": 1e9, "milliarden": 1e9, "billion": 1e9}


def _parse(num: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", num):
        return float(num.replace(".", "").replace(",", "."))  # German thousands: 13.000
    return float(num.replace(",", "."))  # 2,5 (German) and 8.5 (English) decimals


def numbers(text: str) -> list[Number]:
    """Counts, percentages and years a text states (not pointers like "Abbildung 14")."""
    clean = _DATE.sub(lambda m: m.group("year"), _POINTER.sub(" ", text))
    found: list[Number] = []
    for match in _OUT_OF.finditer(clean):
        part, whole = (_NUMBER_WORDS.get(match.group(g).lower(), 1) for g in ("part", "whole"))  # "einer": 1
        if part < whole:
            found.append(_share(clean, match, round(100 * part / whole, 1), approximate=True))
    for match in _EVERY_NTH.finditer(clean):
        found.append(_share(clean, match, round(100 / _NTH[match.group("nth").lower()], 1), approximate=True))
    clean = _EVERY_NTH.sub(lambda m: " " * len(m.group(0)), _OUT_OF.sub(lambda m: " " * len(m.group(0)), clean))
    for match in _NUMERAL.finditer(clean):
        value = _parse(match.group("num"))
        unit = (match.group("unit") or "").strip().lower().rstrip(".")
        if unit in ("%", "prozent", "percent", "per cent"):
            found.append(_share(clean, match, value, approximate=False))
        elif unit in _MULTIPLIER:
            found.append(Number(value * _MULTIPLIER[unit], "count", match.group(0)))
        elif re.fullmatch(r"(?:19|20)\d\d", match.group("num")):  # "2.000 Betriebe" is no year
            found.append(Number(value, "year", match.group(0)))  # also "in den 1980ern"
        else:
            found.append(Number(value, "count", match.group(0), noun=_counted(clean, match.end())))
    for match in _SPELLED.finditer(clean):
        value = float(_NUMBER_WORDS[match.group("word").lower()])
        found.append(Number(value, "count", match.group(0), noun=match.group("noun")))
    for match in _SPELLED_ALONE.finditer(clean):  # "lediglich sechs zustande", "immerhin zwölf geführt"
        value = float(_NUMBER_WORDS[match.group("word").lower()])
        found.append(Number(value, "count", match.group(0), noun=_counted(clean, match.end())))
    for match in _FRACTION.finditer(clean):  # "knapp zwei Drittel" is a share, as "65 Prozent" is
        found.append(_share(clean, match, _fraction_value(match), approximate=True))
    return found


def _counted(text: str, end: int) -> str:
    counted = _COUNTED.match(text, end)
    return counted.group("noun") if counted else ""


def same_thing(a: Number, b: Number) -> bool:
    """Whether two counts may count the same thing: "27 Initiativen" and "17 Clusterinitiativen"
    may, "2.000 Handwerksbetriebe" and "drei Clusterinitiativen" do not. Unknown nouns may."""
    if not a.noun or not b.noun:
        return True
    x, y = stem(a.noun.lower()), stem(b.noun.lower())
    return x.endswith(y) or y.endswith(x) or x[-5:] == y[-5:]


def _share(text: str, match: re.Match[str], value: float, approximate: bool) -> Number:
    """A share, with what the words before it say: given roughly ("knapp"), or a bound ("mehr als";
    "über", "unter" only before a fraction)."""
    before = text[: match.start()]
    fraction = match.group(0)[:1].isalpha()
    if _LOWER_BOUND.search(before) or (fraction and _FRACTION_LOWER.search(before)):
        bound = "min"
    elif _UPPER_BOUND.search(before) or (fraction and _FRACTION_UPPER.search(before)):
        bound = "max"
    else:
        bound = ""
    return Number(value, "percent", match.group(0), approximate or bool(_HEDGE.search(before)), bound)


def _fraction_value(match: re.Match[str]) -> float:
    count = match.group("count")
    factor = _NUMBER_WORDS.get(count.lower(), 1) if count else 1
    return _FRACTIONS[match.group("frac").lower()] * factor


def shares(text: str) -> list[float]:
    """Shares a text states, as percentages ("drei Viertel" = 75, "44,6 Prozent" = 44.6), bounds
    included ("mehr als die Hälfte" = 50)."""
    return [n.value for n in numbers(text) if n.kind == "percent"]


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
        broken = [e for e in stated if e.kind == c.kind and _breaks(c, e)]
        if broken:  # "etwa ein Drittel" against "mehr als die Hälfte"
            return c, broken[0]
        if c.bound:
            continue  # "mehr als die Hälfte" is kept by every larger share
        # a bound the claim keeps says nothing against it; "ein Benchmarking" is an article more
        # often than the number one: it alters no number
        others = [
            e
            for e in stated
            if e.kind == c.kind
            and not e.bound
            and not (e.kind == "count" and e.value < 2)
            and not (e.kind == "count" and not same_thing(c, e))
            and not any(same_number(e, x) for x in claimed)
        ]
        if others:  # name the stated number that most likely is the altered one: the closest
            return c, min(others, key=lambda e: abs(e.value - c.value))
    return None


def _breaks(claimed: Number, stated: Number) -> bool:
    """A value outside a stated bound, or a bound a stated value falls outside of."""
    if claimed.bound and stated.bound:
        return False
    if stated.bound:
        value, bound, limit = claimed.value, stated.bound, stated.value
    elif claimed.bound:
        value, bound, limit = stated.value, claimed.bound, claimed.value
    else:
        return False
    return value < limit if bound == "min" else value > limit
