"""Actors a text names, for the claim checker: places, ministries and other organisations, and
when the evidence names another one than the claim (or gives a place another number)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.claim_numbers import Number, numbers, same_number
from ingest.lexical import compound_parts, stop_words
from ingest.lexicon import word_log_probs

# --- actors ----------------------------------------------------------------------------------
PLACES = frozenset(
    "deutschland finnland großbritannien österreich schweiz schweden türkei frankreich italien spanien "
    "niederlande dänemark polen china usa japan indien europa amerika asien england "
    "baden-württemberg bayern berlin brandenburg bremen hamburg hessen mecklenburg-vorpommern niedersachsen "
    "nordrhein-westfalen rheinland-pfalz saarland sachsen sachsen-anhalt schleswig-holstein thüringen "
    "germany finland britain austria switzerland sweden france italy europe".split()
)
CONTINENTS = frozenset({"europa", "amerika", "asien", "europe"})
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
            if lower.split("-")[-1] not in PLACES:
                names.add(lower)  # "Steinbeis-Europa-Zentrum": an organisation named after a place
            else:
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
    if re.search(rf"(?<!\w){re.escape(name)}", lower):  # "ag" is not in "Auftrag"
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
        missing = claimed[kind] - stated[kind] - CONTINENTS  # "europäische Organisationen" hold Großbritannien
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


def place_number_conflict(claim: str, evidence: str) -> tuple[str, Number, Number] | None:
    """A place the claim gives a number that the evidence gives another one: "in Deutschland …
    2,5 Stellen" against "…über 2,5 Stellen, Deutschland ist mit 1,5 Stellen unterdurchschnittlich"
    (the claim's number is stated, but for someone else). Numbers belong to the places of their
    comma-separated part of the sentence."""
    claimed, stated = _place_numbers(claim), _place_numbers(evidence)
    for place, ours in claimed.items():
        theirs = stated.get(place, [])
        for number in ours:
            same_kind = [n for n in theirs if n.kind == number.kind]
            if same_kind and not any(same_number(c, n) for c in ours for n in same_kind):
                return place, number, same_kind[0]
    return None


def _place_numbers(text: str) -> dict[str, list[Number]]:
    found: dict[str, list[Number]] = {}
    for part in re.split(r"[,;:]\s+", text):
        said = [n for n in numbers(part) if n.kind != "year" and not n.raw[:1].isalpha()]  # not "ein"
        for place in actors(part)["place"] - CONTINENTS if said else ():
            found.setdefault(place, []).extend(said)
    return found
