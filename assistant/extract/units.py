"""From stored sentences to extraction units, with the structure a reader sees.

A unit is a verbatim stretch of one page: a sentence, the pieces of a bullet list that the PDF
flattened into one line ("w Agiles Clustermanagement gestalten w Inhaltliche Themen …"), or two
line pieces of one sentence that the cleaner left on separate lines. Every unit knows the heading
it stands under and the lead-in that introduces its list ("Für Clustermanagements", "Weiterführende
Handlungsbedarfe:"), because recommendations and indicators are recognised by where they stand as
much as by what they say.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from assistant.extract.patterns import SECTION_WORDS
from ingest.clean import code_series
from ingest.lexical import stop_words
from ingest.types import Page, Sentence

MAX_JOINED_CHARS = 600
# Dingbat bullets come out of PDFs as stray letters ("w" from Wingdings, "ff" from ZapfDingbats).
# A lone token counts as a marker in a document when many lines start with it (see bullet_markers).
# "\x7f" is what some PDF producers leave for a bullet glyph their font cannot encode
_SYMBOL_BULLETS = ("•", "▪", "■", "◦", "\uf0b7", "\uf0a7", "\x7f", "●", "○", "➢", "✓", "→", "_")
_LONE_TOKEN = re.compile(r"^([a-z]{1,2}) (?=\S)")
_NOT_MARKERS = frozenset("abcdeiz")  # enumerations "a. b. c." and words like "z" in "z. B."
_NUMBERED_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3}\.?)\s+(?P<title>[A-ZÄÖÜ„\"«].*)$")
_FOOTNOTE_START = re.compile(r"^\d{1,3}\s+(?:vgl|Vgl|Anm|siehe|Siehe|Quelle|Interview|Z\.\s?[bB]|Gemäß|Für eine)\b")
_ENUMERATION = re.compile(r"^(?:\d{1,2}[.)]|[a-h][.)])\s+(?=\S)")
_END_PUNCT = re.compile(r"[.!?:;…“\")]\s*$")
_LEADIN = re.compile(r"^[^.!?]{3,250}:$")
# "Implikationen 10": a chapter title with its number printed after it
_CHAPTER = re.compile(r"^(?P<title>[A-ZÄÖÜ][\w\-]*(?: [\w\-]+){0,4}) \d{1,2}$")
_NOT_CHAPTER = re.compile(r"^(?:Abb|Abbildung|Tab|Tabelle|Kapitel|Seite|Übersicht|Anhang|Block|Frage)\b")
# "Für Clustermanagements w …": a short label in front of the first bullet introduces the list;
# one at the end of an item ("… ergänzen Für Cluster-Förderung") introduces the next list
_TAIL_LABEL = re.compile(
    r"\s(?:(?:Für|For) [A-ZÄÖÜ][\w\-]+(?: [\w\-]+)?|(?:[A-ZÄÖÜ][\w\-]*\s){0,2}"
    r"(?:Indikatoren|Kennzahlen|Kriterien|Handlungsempfehlungen|Empfehlungen|Erfolgsfaktoren))$"
)
_LEADING_LABEL = re.compile(
    r"^(?:Für|For) (?:(?:die|den|das) )?[A-ZÄÖÜ][\w\-]*(?:management|managements|förderung|politik|akteure|"
    r"unternehmen|betriebe|kammern|initiativen|organisationen)\s+(?=[A-ZÄÖÜ])"
)
_LABEL = re.compile(r"^(?:Für|For|An|Empfehlungen für|Handlungsempfehlungen für)\s+[\wÄÖÜäöüß/\- ]{3,60}$")


@dataclass(frozen=True)
class Unit:
    """A verbatim stretch ``text == page.text[start:end]`` of page ``page`` of ``doc``."""

    doc: str
    page: int
    start: int
    end: int
    text: str
    rows: tuple[int, ...]  # rows of the sentence table it came from (for vectors)
    heading: str = ""  # the numbered or keyword heading it stands under
    lead: str = ""  # the lead-in or label that introduces its list, if any
    bullet: bool = False  # an item of a (flattened) list
    enumerated: bool = False  # "1. …", "a) …", "OM2 …"
    code: str = ""  # the code of a numbered measure or field the unit starts with ("OM2", "SM4")
    whole: bool = True  # the unit is its sentences entire (so their vector is its own)

    @property
    def context(self) -> str:
        return f"{self.heading} | {self.lead}"


def bullet_markers(sentences: list[Sentence]) -> frozenset[str]:
    """The lone letter tokens that act as list bullets in this document."""
    starts: Counter[str] = Counter()
    for s in sentences:
        match = _LONE_TOKEN.match(s.text)
        if match and match.group(1) not in _NOT_MARKERS and match.group(1) not in stop_words():
            starts[match.group(1)] += 1
    return frozenset(token for token, count in starts.items() if count >= 3)


def code_items(sentences: list[Sentence]) -> re.Pattern[str] | None:
    """Where an item of a numbered scheme starts ("OM2 Besuche …", "SM1 (mittelfristig): …"), for
    the codes this document numbers in series; a code in running text ("analog zu SM1 sollte",
    "H1 bis H3") is a reference, not an item."""
    codes = code_series([s.text for s in sentences])
    if not codes:
        return None
    letters = "|".join(sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<!\S)(?:{letters})\d{{1,2}}(?=\s+[A-ZÄÖÜ„\"]|\s*\([^()]{{1,60}}\)\s*:|\s*:)")


def _split_points(text: str, markers: frozenset[str], coded: re.Pattern[str] | None = None) -> list[int]:
    """Offsets in ``text`` where a bullet marker or the code of a numbered item starts."""
    points: list[int] = [m.start() for m in coded.finditer(text)] if coded else []
    for symbol in _SYMBOL_BULLETS:
        if symbol in ("_", "→"):  # only at the start: both also occur inside running text
            if text.startswith(symbol + " "):
                points.append(0)
            continue
        points.extend(m.start() for m in re.finditer(re.escape(symbol) + r"\s", text))
    for token in markers:
        for m in re.finditer(rf"(?:(?<=\s)|^){re.escape(token)} (?=[\w„\"«(])", text):
            after = text[m.end() : m.end() + 1]
            if token == "ff" and after in ".)":  # noqa: S105 - a bullet glyph, not a password
                continue  # "S. 213 ff." is a reference, not a bullet
            points.append(m.start())
    return sorted(set(points))


def _strip_marker(text: str, markers: frozenset[str]) -> tuple[int, bool]:
    """How many leading characters are a bullet marker (and its space)."""
    for symbol in _SYMBOL_BULLETS:
        if text.startswith(symbol):
            return len(symbol) + (len(text) - len(text[len(symbol) :].lstrip())) - len(symbol), True
    match = _LONE_TOKEN.match(text)
    if match and match.group(1) in markers:
        return match.end(), True
    return 0, False


def heading_of(text: str) -> str | None:
    """The heading title when ``text`` is a (numbered) heading line, else None."""
    if len(text) > 140 or _FOOTNOTE_START.match(text):
        return None
    chapter = _CHAPTER.match(text)
    if chapter and not _NOT_CHAPTER.match(text):
        return chapter.group("title")  # "Implikationen 10": the chapter number printed after the title
    match = _NUMBERED_HEADING.match(text)
    if match and not re.search(r"%|\d{3,}", match.group("title")):
        title = match.group("title").strip()
        if not title.endswith(".") or match.group("num").count(".") >= 1:
            return title
    return None


@dataclass
class _Piece:
    page: int
    start: int
    end: int
    rows: list[int]


def _joinable(first: str, second: str, markers: frozenset[str]) -> bool:
    """Two line pieces of one sentence: the first does not end, the second goes on."""
    if not second or first.endswith(":"):
        return False
    lone = _LONE_TOKEN.match(second)
    if lone and lone.group(1) in markers:
        return False  # the next list item
    if second[0].islower():
        return True  # a sentence does not start in lower case (after "i.S.v." or "bzw.")
    if _END_PUNCT.search(first):
        return False
    if _ENUMERATION.match(second):
        return False  # the next numbered item
    if second[0].isdigit():
        return True
    last = first.split()[-1] if first.split() else ""
    return bool(last) and (last[0].islower() or last[-1] in ",-–") and not _LONE_TOKEN.match(second)


def page_starts(pages: dict[int, Page]) -> dict[int, int]:
    """Where each page starts in the document text (the pages joined with newlines)."""
    starts: dict[int, int] = {}
    cursor = 0
    for number in sorted(pages):
        starts[number] = cursor
        cursor += len(pages[number].text) + 1
    return starts


def _is_heading_line(text: str) -> bool:
    # "1. Leistungserbringung …" may be a list item that goes on in the next line: let it join
    return heading_of(text) is not None and not re.match(r"^\d{1,2}\.\s", text)


def _pieces(sentences: list[tuple[int, Sentence]], pages: dict[int, Page], markers: frozenset[str]) -> list[_Piece]:
    """Sentences of one document, with line pieces of one sentence joined (same page only)."""
    starts = page_starts(pages)
    pieces: list[_Piece] = []
    for row, s in sentences:
        page = pages.get(s.page_no)
        if page is None:
            continue
        begin = s.char_start - starts[s.page_no]
        if page.text[begin : begin + len(s.text)] != s.text:
            continue  # never quote what the page does not say verbatim
        if pieces and not _is_heading_line(s.text):
            prev = pieces[-1]
            if (
                not _is_heading_line(page.text[prev.start : prev.end])
                and prev.page == s.page_no
                and 0 <= begin - prev.end <= 2
                and begin + len(s.text) - prev.start <= MAX_JOINED_CHARS
                and _joinable(page.text[prev.start : prev.end], s.text, markers)
            ):
                prev.end = begin + len(s.text)
                prev.rows.append(row)
                continue
        pieces.append(_Piece(s.page_no, begin, begin + len(s.text), [row]))
    return pieces


def _in_enumeration(texts: list[str], index: int) -> bool:
    """ "1. Leistungserbringung …" followed by "2. …": list items, not a chapter "1. Einleitung"."""
    match = re.match(r"^(\d{1,2})\.\s", texts[index])
    if not match:
        return False
    number = int(match.group(1))
    window = texts[max(0, index - 4) : index] + texts[index + 1 : index + 5]
    return any(t.startswith((f"{number + 1}.", f"{number - 1}.")) for t in window)


def _keyword_heading(text: str) -> bool:
    """A short unpunctuated line naming a section of interest ("Fazit", "Kategorie Indikatoren")."""
    words = text.split()
    if not 1 <= len(words) <= 6 or _END_PUNCT.search(text) or not text[0].isupper() or "\n" in text:
        return False  # margin notes span several short lines; headings do not
    lower = text.lower()
    return any(word in lower for kind in ("recommendation", "indicator") for word in SECTION_WORDS[kind])


def build_units(doc: str, sentences: list[tuple[int, Sentence]], pages: dict[int, Page]) -> list[Unit]:
    """All units of one document in reading order. ``sentences`` are (table row, sentence)."""
    markers = bullet_markers([s for _, s in sentences])
    coded = code_items([s for _, s in sentences])
    units: list[Unit] = []
    heading = ""
    lead = ""
    pieces = _pieces(sentences, pages, markers)
    texts = [pages[p.page].text[p.start : p.end] for p in pieces]
    for index, piece in enumerate(pieces):
        text = texts[index]
        title = None if _in_enumeration(texts, index) else heading_of(text)
        if title is not None or _keyword_heading(text):
            heading, lead = title or text, ""
            continue
        points = _split_points(text, markers, coded)
        if not points:
            offset, bullet = _strip_marker(text, markers)
            enumerated = bool(_ENUMERATION.match(text))
            if len(text) < 70 and _LABEL.match(text):
                lead = text  # "Für Clusterförderung": names who the next list is for
                continue
            if _LEADIN.match(text):
                # "Möglichkeiten der Digitalisierung nachhaltig erschließen:" says something itself
                units.append(_unit(doc, piece, offset, len(text), text, heading, lead, bullet, enumerated))
                lead = text
                continue
            if not bullet and not enumerated and lead and (not lead.endswith(":") or len(text) > 200):
                lead = ""  # running text again: the list is over
            label = _LEADING_LABEL.match(text)
            if label:
                lead, offset = label.group(0).strip(), label.end()  # "Für Clustermanagements Resilienz … sichern"
            units.append(_unit(doc, piece, offset, len(text), text, heading, lead, bullet, enumerated))
            continue
        bounds = [*points, len(text)]
        if points[0] > 0:
            head = text[: points[0]].strip()
            if _LABEL.match(head) or len(head) < 40:
                lead = head
            else:
                units.append(_unit(doc, piece, 0, points[0], text, heading, lead, False, False))
                lead = head  # "Die Erfahrung zeigt, dass …, wenn" + bullets: the head frames the items
        for begin, end in itertools.pairwise(bounds):
            offset, _ = _strip_marker(text[begin:end], markers)
            tail = _TAIL_LABEL.search(text[begin:end].rstrip())
            segment_end = begin + tail.start() if tail else end  # a trailing label belongs to the next list
            code = coded.match(text, begin) if coded else None
            if code:  # a numbered item keeps its code: "OM2 Besuche … durchführen" is how the table names it
                item = _unit(doc, piece, begin, segment_end, text, heading, lead, False, True)
                units.append(replace(item, code=code.group(0)))
            else:
                units.append(_unit(doc, piece, begin + offset, segment_end, text, heading, lead, True, False))
            if tail:
                lead = tail.group(0).strip()
    return _continued_items(_open_leads([u for u in units if u.text]))


def _continued_items(units: list[Unit]) -> list[Unit]:
    """A list item cut by a page break goes on in lower case at the top of the next page."""
    result: list[Unit] = []
    for unit in units:
        prev = result[-1] if result else None
        if (
            prev is not None
            and (prev.bullet or prev.enumerated)
            and not _END_PUNCT.search(prev.text)
            and not unit.bullet
            and unit.page == prev.page + 1
            and unit.text[:1].islower()
        ):
            unit = replace(unit, bullet=prev.bullet, enumerated=prev.enumerated, lead=prev.lead)
        result.append(unit)
    return result


def _open_leads(units: list[Unit]) -> list[Unit]:
    """ "Zu nennen ist in diesem Zusammenhang beispielsweise" + bullets: an unfinished line right
    before a list introduces it, like a lead-in with a colon."""
    result: list[Unit] = []
    index = 0
    while index < len(units):
        unit = units[index]
        following = index + 1 < len(units) and units[index + 1].bullet
        if following and not unit.bullet and len(unit.text) < 150 and not _END_PUNCT.search(unit.text):
            index += 1
            while index < len(units) and units[index].bullet and units[index].lead == units[index - 1].lead:
                result.append(replace(units[index], lead=unit.text))
                index += 1
            continue
        result.append(unit)
        index += 1
    return result


def _unit(
    doc: str, piece: _Piece, begin: int, end: int, text: str, heading: str, lead: str, bullet: bool, enumerated: bool
) -> Unit:
    segment = text[begin:end]
    stripped_left = len(segment) - len(segment.lstrip())
    segment = segment.strip().rstrip(",;")
    start = piece.start + begin + stripped_left
    whole = len(segment) >= 0.9 * len(text.strip())
    return Unit(
        doc=doc,
        page=piece.page,
        start=start,
        end=start + len(segment),
        text=segment,
        rows=tuple(piece.rows),
        heading=heading,
        lead=lead,
        bullet=bullet,
        enumerated=enumerated,
        whole=whole,
    )


def unit_vector(vectors: np.ndarray, unit: Unit) -> np.ndarray:
    """The meaning of a unit: the (normalised) mean of its sentences' vectors."""
    vector = vectors[list(unit.rows)].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
