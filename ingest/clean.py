"""German-correct cleaning of the reader's lines into page texts.

Order matters: characters are normalised first, then running headers/footers and footnote
blocks are taken out per page, then end-of-line hyphenation is undone across lines and pages
(the continuation fragment moves up to the line that started the word), then words that the
PDF split with a stray space are re-joined where the evidence is clear, and finally lines are
joined into paragraphs. Every decision about a word uses evidence: the document's own
vocabulary first, the packaged German lexicon second.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ingest.lexicon import known_word, stop_words
from ingest.types import CleanDocument, Page, RawDocument

_CHAR_MAP = {
    "\u2009": " ",  # thin space (in numbers)
    "\u202f": " ",  # narrow no-break space
    "\u00a0": " ",
    "\u2007": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u200b": "",  # zero-width space
    "\ufeff": "",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb00": "ff",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufffd": "→",  # in this domain's PDFs the replacement character stood for arrows
    "\u2010": "-",
    "\u2011": "-",
}
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:-\s*)?(?:seite|page|s\.)?\s*\d{1,4}(?:\s*(?:von|of|/)\s*\d{1,4})?(?:\s*-)?\s*$", re.I
)
# a number and its unit: a line "6 % anderen …" or "2 Jahre ein …" is a sentence wrapped after a
# number, neither a footnote ("18 Vgl. …") nor a heading ("5 Clusterlandschaft")
_UNIT_AHEAD = (
    r"(?!%|‰|€|(?:Prozent|Jahre?n?|Monate?n?|Wochen?|Tage?n?|Stunden?|Mio|Mrd|Millionen|Milliarden|Euro|EUR|Mal)\b)"
)
_FOOTNOTE_LINE = re.compile(rf"^(\d{{1,3}})\s+{_UNIT_AHEAD}(\S.*)$")
_GLUED_MARKER = re.compile(r"(?<=[^\W\d_]{2}|[^\d\s][.,;:)“”\"%’]|\s%)(\d{1,3})(?=[\s.,;:)]|$)")
_LAST_TOKEN = re.compile(r"\S+$")
_CODE = re.compile(r"(?<!\S)([A-ZÄÖÜ]{1,4})(\d{1,2})(?=[\s:.)]|$)")
MIN_CODE_SERIES = 3
_GLUED_NUMBER = re.compile(r"(?<![\d.,])(\d{2,})(?=[\s.,;:)]|$)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LAST_WORD = re.compile(r"(\S*?)([^\W\d_][\w&]*)-$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)(.*)$", re.S)
_SUSPENDED_FOLLOWERS = {"und", "oder", "bzw", "sowie", "als", "wie", "u", "bis", "and", "or"}
# "1.4.2. Cluster …", "5 Clusterlandschaft …"; not "2010 wurde …", "M. und Schätzl …", "14 beweist."
_HEADING = re.compile(rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})*\.?|[IVX]+\.|[A-Z]\.)\s+{_UNIT_AHEAD}[A-ZÄÖÜ].{{1,90}}$")
_BULLET = re.compile(r"^\s*(?:[•·▪■●◦_]|\d{1,2}[.)])\s+")


# a bullet from a symbol font comes out as letters: "w  die Leistungen …" (Wingdings, with the
# glyph's wide advance as two spaces), "o Kraftfahrzeuggewerbe" (the Word "o" bullet), "ff Bindung
# der Akteure …" (an arrow glyph mapped to the "ff" ligature)
_LETTER_BULLET = re.compile(r"^(\s*)(?:[a-z] {2,}(?=\S)|(?:o|ff) (?=[A-ZÄÖÜ]))")


def normalise_chars(line: str) -> str:
    line = _LETTER_BULLET.sub(r"\1• ", unicodedata.normalize("NFC", line))
    for char, replacement in _CHAR_MAP.items():
        if char in line:
            line = line.replace(char, replacement)
    line = line.replace("\u00ad", "-") if line.rstrip().endswith("\u00ad") else line.replace("\u00ad", "")
    return _PRIVATE_USE.sub("•", line)


def _header_signature(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_running_lines(pages: list[list[str]], window: int = 3) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_header_signature(line) for line in lines[:window] + lines[-window:] if line.strip()}
        counts.update(edge)
    threshold = max(2, (len(pages) + 1) // 2)
    running = {sig for sig, count in counts.items() if count >= threshold and len(pages) >= 2}
    result = []
    for lines in pages:
        kept = []
        for index, line in enumerate(lines):
            at_edge = index < window or index >= len(lines) - window
            if at_edge and (_header_signature(line) in running or _PAGE_NUMBER_LINE.match(line)):
                continue
            kept.append(line)
        result.append(kept)
    return result


@dataclass
class _PageParts:
    body: list[str]
    notes: list[list[str]] = field(default_factory=list)  # footnote blocks, each a list of lines


def _glued_evidence(lines: list[str]) -> tuple[set[int], list[str]]:
    glued = {int(m.group(1)) for line in lines for m in _GLUED_MARKER.finditer(line)}
    numbers = [m.group(1) for line in lines for m in _GLUED_NUMBER.finditer(line)]
    return glued, numbers


def _confirm_footnotes(pages: list[list[str]]) -> list[dict[int, int]]:
    """Per page: line index -> footnote number, for lines that really start a footnote.

    A line "18 Text" counts only with evidence: marker 18 glued to a word ("Clustern18") or to
    a number ("rund 7518") on the same or the previous page (notes may sit a page late), or the
    line follows a footnote separator, or it continues a run of confirmed notes (17, 18, 19).
    """
    result: list[dict[int, int]] = []
    previous: tuple[set[int], list[str]] = (set(), [])
    for lines in pages:
        candidates = {i: int(m.group(1)) for i, line in enumerate(lines) if (m := _FOOTNOTE_LINE.match(line))}
        evidence = _glued_evidence([line for i, line in enumerate(lines) if i not in candidates])
        confirmed: dict[int, int] = {}
        for index, number in candidates.items():
            for glued, numbers in (evidence, previous):
                if number in glued or any(n.endswith(str(number)) and len(n) > len(str(number)) for n in numbers):
                    confirmed[index] = number
            if index > 0 and _is_separator(lines[index - 1]):
                confirmed[index] = number
        changed = bool(confirmed)
        while changed:  # extend runs of consecutive footnote numbers
            changed = False
            found = set(confirmed.values())
            for index, number in candidates.items():
                if index not in confirmed and (number - 1 in found or number + 1 in found):
                    confirmed[index] = number
                    changed = True
        result.append(confirmed)
        previous = evidence
    return result


def split_footnotes(pages: list[list[str]]) -> list[_PageParts]:
    """Move footnote blocks out of each page body and strip their markers from the body text."""
    confirmed_pages = _confirm_footnotes(pages)
    parts: list[_PageParts] = []
    for lines, confirmed in zip(pages, confirmed_pages):
        body: list[str] = []
        notes: list[list[str]] = []
        in_note = False
        for index, line in enumerate(lines):
            if index in confirmed:
                notes.append([line])
                in_note = True
            elif in_note and _continues_note(notes[-1][-1], line):
                notes[-1].append(line)
            else:
                in_note = False
                if not _is_separator(line):
                    body.append(line)
        parts.append(_PageParts(body=body, notes=notes))
    # marks already glued to a word nearby are accounted for: a number ending in the same
    # digits is a number ("Mitte 2006" with note 6 on the page), not "rund 7518" = 75 + note 18
    word_marked = [{int(m.group(1)) for line in part.body for m in _GLUED_MARKER.finditer(line)} for part in parts]
    codes = code_series([line for part in parts for line in part.body])
    for number, part in enumerate(parts):
        # a marker may stand one page before its note
        marks = set(confirmed_pages[number].values())
        if number + 1 < len(parts):
            marks |= set(confirmed_pages[number + 1].values())
        nearby = set().union(*word_marked[max(0, number - 1) : number + 2])
        if marks:
            part.body = [_strip_markers(line, marks, marks - nearby, codes) for line in part.body]
    return parts


def _continues_note(previous: str, line: str) -> bool:
    """A note goes on only after a full-width line; body text resumes after a short one."""
    if not line.strip() or line[:1].isspace() or _is_separator(line):
        return False
    if line.startswith(("http://", "https://", "www.")):
        return True  # a source's address ("…, vgl." / URL): body text never starts with one
    tail = previous.rstrip()
    return len(tail) >= 60 and not tail.endswith((".", ")", "!", "?"))


def _is_separator(line: str) -> bool:
    return len(line) >= 10 and not line.strip(" _-—")


def code_series(lines: list[str]) -> frozenset[str]:
    """Capital letters numbered in series in a document ("OM1" … "OM9", "SM1" … "SM4"): codes of
    measures or fields, whose digits are no footnote marks. An acronym with one note ("NICE2") is
    no series."""
    numbers: dict[str, set[str]] = {}
    for line in lines:
        for match in _CODE.finditer(line):
            numbers.setdefault(match.group(1), set()).add(match.group(2))
    return frozenset(letters for letters, seen in numbers.items() if len(seen) >= MIN_CODE_SERIES)


def _strip_markers(
    line: str, marks: set[int], number_marks: set[int] | None = None, codes: frozenset[str] = frozenset()
) -> str:
    number_marks = marks if number_marks is None else number_marks

    def word_marker(match: re.Match[str]) -> str:
        word = _LAST_TOKEN.search(line, 0, match.start())
        if word and word.group(0) in codes:
            return match.group(0)  # "OM1" among "OM2" … "OM9": a numbered measure, not a word with a note
        return "" if int(match.group(1)) in marks else match.group(0)

    line = _GLUED_MARKER.sub(word_marker, line)
    leading = re.match(r"^(\d{1,3}) (?=[a-zäöüß])", line)
    if leading and int(leading.group(1)) in marks:
        line = line[leading.end() :]  # a marker wrapped to the start of the next line

    def number_marker(match: re.Match[str]) -> str:
        digits = match.group(1)
        if match.start() and not line[match.start() - 1].isspace():
            return digits  # "sollte144", "S.75": a glued word marker or no number of its own
        for mark in sorted(number_marks, key=lambda m: -len(str(m))):
            suffix = str(mark)
            # only two-digit marks on a number of two digits or more are clear evidence:
            # "rund 7518" = 75 + note 18, but "2013" is no "201" + note 3
            if mark >= 10 and digits.endswith(suffix) and len(digits) >= len(suffix) + 2:
                return digits[: -len(suffix)]
        return digits

    return _GLUED_NUMBER.sub(number_marker, line)


class Vocabulary:
    """Word counts of one document: the first witness for every word decision."""

    def __init__(self, lines: list[str]) -> None:
        self.counts: Counter[str] = Counter(w.lower() for line in lines for w in _WORD.findall(line))

    def count(self, word: str) -> int:
        return self.counts.get(word.lower(), 0)

    def is_word(self, word: str) -> bool:
        return self.count(word) > 0 or known_word(word)


def join_hyphenated(left_line: str, right_line: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """If ``left_line`` ends in a hyphenated word fragment, return both lines with the word
    joined onto the left line; else ``None``."""
    stripped = left_line.rstrip()
    if not stripped.endswith("-") or stripped.endswith(" -") or stripped.endswith("--"):
        return None
    left_match = _LAST_WORD.search(stripped)
    right = right_line.lstrip()
    right_match = _FIRST_WORD.match(right)
    if not left_match or not right_match:
        return None
    head = stripped[:-1]
    fragment = left_match.group(2)
    first, rest = right_match.group(1), right_match.group(2)
    if first.lower() in _SUSPENDED_FOLLOWERS and not known_word(fragment.split("-")[-1] + first, _COMMON_WORD):
        return None  # "Ein- und Ausfuhr": the hyphen belongs to the word, the line break is a space
    left_core = fragment.split("-")[-1]
    keep_hyphen: bool
    if first[0].isupper() or left_core[-1:].isdigit() or (len(left_core) >= 2 and left_core.isupper()):
        keep_hyphen = True  # "EU-Staaten", "F&E-Projekte", "Wissenschafts-Wirtschafts-..."
    else:
        joined = left_core + first
        hyphened = left_core + "-" + first
        if vocab.count(hyphened) != vocab.count(joined):
            keep_hyphen = vocab.count(hyphened) > vocab.count(joined)
        elif known_word(joined):
            keep_hyphen = False
        else:
            # "thematisch-marktbezogener": two real words and no joined form anywhere
            keep_hyphen = len(left_core) >= 6 and known_word(left_core, _COMMON_WORD) and _wordlike(first)
    word_tail = ("-" if keep_hyphen else "") + first
    glued = re.match(r"\S+", rest)  # "Ba-\nden-Württemberg:", "Gemeinsa-\nme[n]": the word goes on
    if glued:
        word_tail += glued.group(0)
        rest = rest[glued.end() :]
    rest = rest.lstrip()
    punct = re.match(r"^[^\s\w„(]+(?=\s|$)", rest)
    if punct:  # "Kun-\nden ." keeps its full stop with the word
        word_tail += punct.group(0)
        rest = rest[punct.end() :].lstrip()
    return head + word_tail, rest


def _wordlike(word: str) -> bool:
    """A known word, or a compound of two known words ("marktbezogener" = markt + bezogener)."""
    if known_word(word):
        return True
    lower = word.lower()
    return any(
        known_word(lower[:cut], _RARE_WORD) and known_word(lower[cut:], _RARE_WORD) for cut in range(4, len(lower) - 3)
    )


def _dehyphenate_flow(flow: list[list[str]], vocab: Vocabulary) -> None:
    """Undo line-end hyphenation in place. ``flow`` is a list of line lists (pages or a note)."""
    # blank lines (a page's text often ends with one) must not break a word across pages
    positions = [(p, i) for p, lines in enumerate(flow) for i, line in enumerate(lines) if line.strip()]
    if not positions:
        return
    p1, i1 = positions[0]
    for p2, i2 in positions[1:]:
        joined = join_hyphenated(flow[p1][i1], flow[p2][i2], vocab)
        if joined:
            flow[p1][i1], flow[p2][i2] = joined
            if not flow[p2][i2].strip():
                continue  # "Öf-\nfentlichkeits-\narbeit": the left line may end in a hyphen again
        p1, i1 = p2, i2


_RARE_WORD = -16.0
_COMMON_WORD = -12.5  # log probability; rarer "words" are mostly PDF fragments ("ng", "nbieten")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[^\W\d_]) +([,.;:])(?=\s|$)")
_SPLIT_WORD = re.compile(r"[^\W\d_]+")


def rejoin_split_words(line: str, vocab: Vocabulary) -> str:
    """Re-join words the PDF split with a stray space ("Häufu ng", "a nbieten") when the joined
    word is attested (in the document or the lexicon) and one half is no common word."""
    words = list(_SPLIT_WORD.finditer(line))
    if len(words) < 2:
        return _SPACE_BEFORE_PUNCT.sub(r"\1", line)
    pieces: list[str] = []
    cursor = 0
    index = 0
    while index < len(words) - 1:
        left, right = words[index], words[index + 1]
        gap = line[left.end() : right.start()]
        if gap == " " and right.group(0)[0].islower() and _should_join(left.group(0), right.group(0), vocab):
            pieces.append(line[cursor : left.end()])
            cursor = right.start()
            index += 2
            continue
        index += 1
    pieces.append(line[cursor:])
    return _SPACE_BEFORE_PUNCT.sub(r"\1", "".join(pieces))


def _should_join(left: str, right: str, vocab: Vocabulary) -> bool:
    joined = left + right
    if vocab.count(joined) == 0 and not known_word(joined):
        return False
    if vocab.count(left) > 2 and vocab.count(right) > 2:
        return False  # both halves are words of this document ("zu dem" stays)
    return not (known_word(left, _COMMON_WORD) and known_word(right, _COMMON_WORD))


def _is_heading(line: str) -> bool:
    text = line.strip()
    return bool(_HEADING.match(text)) and not text.endswith((",", ";")) and len(text) < 100


def _join_lines(lines: list[str]) -> tuple[str, list[int]]:
    """Join lines into paragraphs: a short line, a heading or a bullet ends a paragraph."""
    cleaned = [re.sub(r"[ \t]+", " ", line).strip() for line in lines]
    cleaned = [line for line in cleaned if line]
    if not cleaned:
        return "", []
    lengths = sorted(len(line) for line in cleaned)
    typical = lengths[int(len(lengths) * 0.75)] if lengths else 0
    text = ""
    offsets: list[int] = []
    for index, line in enumerate(cleaned):
        if index:
            previous = cleaned[index - 1]
            ends_paragraph = (len(previous) < 0.6 * typical and previous[-1:] in '.:!?“"') or _is_heading(previous)
            starts_block = bool(_BULLET.match(line)) or _is_heading(line)
            text += "\n" if ends_paragraph or starts_block or _title_line(previous, line, typical) else " "
        offsets.append(len(text))
        text += line
    return text, offsets


_OPEN_END = re.compile(
    r"(?:[,;\-–/(&+]|\b(?:und|oder|der|die|das|des|dem|den|ein|eine|einer|für|mit|von|zu|zur|zum|in|im|an|auf|"
    r"bei|als|wie|bzw|sowie|and|or|of|the|for|to)\.?)$",
    re.I,
)


# prepositions and adverbs that open sentences but are no stop words; capitalised, they cannot
# continue a sentence from the line before
_SENTENCE_OPENERS = frozenset(
    "Hinsichtlich Bezüglich Aufgrund Trotz Laut Gemäß Insgesamt Zudem Schließlich Insbesondere "
    "Grundsätzlich Vielmehr Demnach Somit Folglich Gleichzeitig Zusätzlich Ferner".split()
)


def _title_line(previous: str, line: str, typical: int) -> bool:
    """A line that stands alone: very short, or a short unnumbered heading or caption ("Organisation
    und Management der Clusterinitiative") before a line that starts a new sentence. Body lines
    run to the full width; only a paragraph's last line is short, and it ends with a full stop."""
    if len(previous) < 0.35 * typical:
        return True
    first_word = line.split(" ", 1)[0]
    return (
        len(previous) < 0.7 * typical
        and previous[-1:] not in '.:!?“"”)'
        and not _OPEN_END.search(previous)
        and previous[:1].isupper()
        # a capitalised function word ("Die", "Im", "Wir") starts a sentence; a capitalised noun
        # may just continue one ("… der baden-württembergischen / Clusterpolitik korrespondieren")
        and first_word[:1].isupper()
        and (first_word.lower() in stop_words("de") | stop_words("en") or first_word in _SENTENCE_OPENERS)
    )


def find_headings(text: str, base: int) -> list[tuple[int, str]]:
    result = []
    offset = 0
    for line in text.split("\n"):
        if _is_heading(line) and not _BULLET.match(line):
            result.append((base + offset, line.strip()))
        offset += len(line) + 1
    return result


def clean_document(raw: RawDocument) -> CleanDocument:
    pages = [[normalise_chars(line) for line in lines] for lines in raw.pages]
    pages = strip_running_lines(pages)
    parts = split_footnotes(pages)
    vocab = Vocabulary([line for part in parts for line in part.body + [x for n in part.notes for x in n]])
    _dehyphenate_flow([part.body for part in parts], vocab)
    for part in parts:
        for note in part.notes:
            _dehyphenate_flow([note], vocab)

    page_objects: list[Page] = []
    texts: list[str] = []
    headings: list[tuple[int, str]] = []
    page_starts: list[int] = []
    cursor = 0
    for number, part in enumerate(parts, start=1):
        body = [rejoin_split_words(line, vocab) for line in part.body]
        notes = [[rejoin_split_words(line, vocab) for line in note] for note in part.notes]
        text, offsets = _join_lines(body)
        # headings come from the body only: a footnote "2 Vgl. Buhl ..." looks like "2 Einleitung"
        headings.extend(find_headings(text, cursor))
        for note in notes:
            note_text, note_offsets = _join_lines([" ".join(x.strip() for x in note)])
            base = len(text) + (1 if text else 0)
            text = f"{text}\n{note_text}" if text else note_text
            offsets.extend(base + o for o in note_offsets)
        page_starts.append(cursor)
        page_objects.append(Page(doc_id=raw.doc_id, page_no=number, text=text, line_offsets=tuple(offsets)))
        texts.append(text)
        cursor += len(text) + 1
    return CleanDocument(
        doc_id=raw.doc_id,
        title=raw.title,
        source_file=raw.source_file,
        sha256=raw.sha256,
        pages=tuple(page_objects),
        text="\n".join(texts),
        page_starts=tuple(page_starts),
        headings=tuple(headings),
    )
