"""German-correct cleaning, checked on real corpus passages and on small synthetic lines.

Golden pages live in tests/data/golden/; regenerate them with LOTSE_UPDATE_GOLDEN=1 after
checking by eye that the new output reads correctly.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest

from ingest.clean import (
    Vocabulary,
    clean_document,
    join_hyphenated,
    normalise_chars,
    rejoin_split_words,
    split_footnotes,
    strip_running_lines,
)
from ingest.types import RawDocument
from tests.data.pdfgen import german_sentences
from tests.helpers import CLEVER, CORONA, CORPUS_PAGES, HANDWERK, RUNNING_HEADERS, STATUS_QUO, TRENDATLAS

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "data" / "golden"
GOLDEN_PAGES = [(HANDWERK, 5), (TRENDATLAS, 19), (CORONA, 55), (STATUS_QUO, 2)]
SUSPENDED_FOLLOWERS = ("und", "oder", "bzw", "sowie", "als", "wie", "bis")


def page_text(corpus_docs: dict, doc: str, page_no: int) -> str:
    return corpus_docs[doc][1].pages[page_no - 1].text


def raw_text(corpus_docs: dict, doc: str, page_no: int | None = None) -> str:
    raw = corpus_docs[doc][0]
    pages = raw.pages if page_no is None else [raw.pages[page_no - 1]]
    return "\n".join(line for page in pages for line in page)


# --- golden pages -------------------------------------------------------------------------------
@pytest.mark.parametrize(("doc", "page_no"), GOLDEN_PAGES, ids=[f"{d[:20]}-p{n}" for d, n in GOLDEN_PAGES])
def test_golden_page(doc: str, page_no: int, corpus_docs: dict) -> None:
    golden = GOLDEN_DIR / f"clean_{Path(doc).stem}_p{page_no}.txt"
    text = page_text(corpus_docs, doc, page_no)
    if os.environ.get("LOTSE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text + "\n", encoding="utf-8")
    assert golden.exists(), f"{golden.name} fehlt: mit LOTSE_UPDATE_GOLDEN=1 erzeugen"
    assert text + "\n" == golden.read_text(encoding="utf-8")


# --- the whole corpus -----------------------------------------------------------------------------
@pytest.mark.parametrize("doc", sorted(CORPUS_PAGES))
def test_page_structure_is_kept(doc: str, corpus_docs: dict) -> None:
    raw, clean = corpus_docs[doc]
    assert [p.page_no for p in clean.pages] == list(range(1, CORPUS_PAGES[doc] + 1))
    assert len(clean.pages) == len(raw.pages)
    assert clean.text == "\n".join(p.text for p in clean.pages)
    for page, start in zip(clean.pages, clean.page_starts):
        assert clean.text[start : start + len(page.text)] == page.text
        assert clean.page_at(start) == page.page_no
        # the line map points at the starts of the kept lines
        assert all(o == 0 or page.text[o - 1] in " \n" for o in page.line_offsets)
        assert list(page.line_offsets) == sorted(page.line_offsets)


@pytest.mark.parametrize("doc", sorted(CORPUS_PAGES))
def test_no_running_header_and_no_page_number_line_left(doc: str, corpus_docs: dict) -> None:
    _, clean = corpus_docs[doc]
    header = RUNNING_HEADERS[doc]
    for page in clean.pages:
        lines = [line.strip() for line in page.text.split("\n")]
        assert not any(line.startswith(header) for line in lines), (doc, page.page_no)
        assert not any(re.fullmatch(r"(Seite|S\.)\s*\d+", line) for line in lines), (doc, page.page_no)
        assert f"Seite {page.page_no}\n" not in page.text + "\n"
    # the title may still be quoted in the body ("… Untersuchung „Cluster und Handwerk in …“")
    for match in re.finditer(re.escape(header), clean.text):
        assert clean.text[match.start() - 1] == "„", clean.text[match.start() - 60 : match.end()]


@pytest.mark.parametrize("doc", sorted(CORPUS_PAGES))
def test_odd_characters_are_normalised(doc: str, corpus_docs: dict) -> None:
    _, clean = corpus_docs[doc]
    for char in ("\u2009", "\u202f", "\u00a0", "\u00ad", "\u200b", "\ufb01", "\ufb02", "\ufffd"):
        assert char not in clean.text, (doc, hex(ord(char)))
    assert "  " not in clean.text


def test_thin_spaces_in_numbers_become_plain_spaces(corpus_docs: dict) -> None:
    assert "86\u2009%" in raw_text(corpus_docs, CORONA, 55)
    text = page_text(corpus_docs, CORONA, 55)
    assert "Frühzeitiges Erkennen Corona-bedingter Problemfelder 86 %" in text
    assert "Entleihung von Personal 63 %" in text


def test_no_soft_hyphen_break_is_left_where_the_joined_word_is_attested(corpus_docs: dict) -> None:
    """A leftover "Leistungs- fähigkeit" whose joined form occurs in the corpus is a missed join."""
    vocabulary = {w.lower() for _, clean in corpus_docs.values() for w in re.findall(r"[^\W\d_]+", clean.text)}
    leftovers = []
    for doc, (_, clean) in corpus_docs.items():
        for match in re.finditer(r"([^\W\d_]{2,})-\s+([a-zäöüß][^\W\d_]*)", clean.text):
            left, right = match.groups()
            if right not in SUSPENDED_FOLLOWERS and (left + right).lower() in vocabulary:
                leftovers.append((doc, match.group(0)))
    assert leftovers == []


def test_soft_hyphens_are_joined(corpus_docs: dict) -> None:
    assert "regionalen Leistungs-\nfähigkeit" in raw_text(corpus_docs, TRENDATLAS, 1)
    text = page_text(corpus_docs, TRENDATLAS, 1)
    assert "Spiegelbild der regionalen Leistungsfähigkeit. Im europäischen Vergleich" in text
    assert "Leistungs-" not in corpus_docs[TRENDATLAS][1].text
    assert "Die Wettbewerbsfähigkeit einer Region bzw. Nation" in text
    # the handwerk study: "Handwerks-\nbetrieben", "Regional-\npolitische"
    first = page_text(corpus_docs, HANDWERK, 1)
    assert "Regionalpolitische Akteure versprechen sich" in first
    assert "damit einhergehendes wirtschaftliches Wachstum" in first


def test_hyphenated_word_across_a_page_break_is_joined_on_its_first_page(corpus_docs: dict) -> None:
    raw = corpus_docs[TRENDATLAS][0]
    assert raw.pages[18][-2].rstrip().endswith("deutlich ge-") and raw.pages[19][2].startswith("sunken.")
    assert page_text(corpus_docs, TRENDATLAS, 19).endswith("von 18 % auf 7 % deutlich gesunken.")
    assert page_text(corpus_docs, TRENDATLAS, 20).startswith("Die Praxiserfahrungen der vergangenen Jahre")


def test_real_hyphens_after_acronyms_are_kept(corpus_docs: dict) -> None:
    """Every raw line ending in an acronym hyphen ("EU-", "F&E-", "KMU-") keeps it: "EU-Ebene"."""
    found = 0
    for doc, (raw, clean) in corpus_docs.items():
        lines = [line for page in raw.pages for line in page if line.strip()]
        for line, following in itertools.pairwise(lines):
            match = re.search(r"(?<![^\s(])([A-ZÄÖÜ&]{2,})-\s*$", line)
            if not match:
                continue
            word = re.match(r"[^\s,.;:)]+", following.lstrip())
            assert word, (doc, line, following)
            assert f"{match.group(1)}-{word.group(0)}" in clean.text, (doc, line, following)
            found += 1
    assert found >= 5
    assert "auf Bundes-, Landes- und EU-Ebene" in corpus_docs[CLEVER][1].text
    assert "gemeinsam mit F&E-Einrichtungen" in corpus_docs[HANDWERK][1].text


def test_suspended_hyphens_are_kept(corpus_docs: dict) -> None:
    assert "Wirtschafts- und Tätigkeitsbereiche" in page_text(corpus_docs, HANDWERK, 5)
    # at a line end: "Gummi-\nund Kunststoffindustrie", "Wissens-\nund Erfahrungsaustausch"
    assert "sowie Gummi-\nund Kunststoffindustrie" in raw_text(corpus_docs, HANDWERK, 14).replace(" \n", "\n")
    assert "Gummi- und Kunststoffindustrie" in page_text(corpus_docs, HANDWERK, 14)
    assert "Wissens- und Erfahrungsaustausch" in page_text(corpus_docs, CLEVER, 10)
    checked = 0
    for doc, (raw, clean) in corpus_docs.items():
        lines = [line.rstrip() for page in raw.pages for line in page if line.strip()]
        for line, following in itertools.pairwise(lines):
            left = re.search(r"(?<!\S)([^\W\d_]{3,})-$", line)
            right = re.match(r"(und|oder|sowie) ", following)
            if left and right:
                assert f"{left.group(1)}- {right.group(1)} " in clean.text, (doc, line, following)
                checked += 1
    assert checked >= 10


def test_words_joined_by_a_hyphenated_continuation_stay_one_word(corpus_docs: dict) -> None:
    # "Ba-\nden-Württemberg:" and "Gemeinsa-\nme[n]" continue the word after the fragment
    first = page_text(corpus_docs, HANDWERK, 1)
    assert "Dies gilt besonders für das Land Baden-Württemberg: Clusterpolitik" in first
    assert "„Gemeinsame[n] Positionspapier" in first
    for _, clean in corpus_docs.values():
        assert "Baden -Württemberg" not in clean.text


def test_footnote_digits_on_words_and_numbers(corpus_docs: dict) -> None:
    page5 = page_text(corpus_docs, HANDWERK, 5)
    assert "148 Handwerkszweige17," in raw_text(corpus_docs, HANDWERK, 5)
    assert "Das Handwerk gliedert sich in insgesamt 148 Handwerkszweige, die zu verschiedenen" in page5
    assert "Handwerkszweige17" not in page5
    assert "mit 5,16 Mio. Beschäftigten. Mit einem Anteil von 14 % aller Beschäftigten" in page5
    assert "wirtschaftlichen Stellenwert. Die Unternehmensstruktur" in page5
    assert "dem Wirtschaftszweig verarbeitendes Gewerbe" in page5
    # the notes stay on their page, after the body text
    assert page5.index("13 Der vorliegende Ergebnisbericht") > page5.index("Häufung")
    assert "\n16 Gemäß Daten der Handwerkszählung für das Jahr 2008 (vgl. Müller, K. (2012), S. 7)." in page5
    # a URL line continues its note instead of landing in the body
    assert "vgl. http://www.zdh.de/daten-und-fakten/das-handwerk/wirtschaftlicher-stellenwert" in page5
    assert "beschäftigt. Das Handwerk gliedert sich" in page5


def test_footnote_glued_to_a_number_is_split_off(corpus_docs: dict) -> None:
    assert "rund 7518 lag" in raw_text(corpus_docs, TRENDATLAS, 19)
    assert "der seinerzeit bei rund 75 lag. Beim Vergleich der beiden" in page_text(corpus_docs, TRENDATLAS, 19)
    assert "7518" not in corpus_docs[TRENDATLAS][1].text
    # note 18 is printed a page late; its text is kept at the end of that page
    page20 = page_text(corpus_docs, TRENDATLAS, 20)
    assert page20.endswith(
        "\n18 vgl. siehe: Hantsch, S., Kergel, H., Lämmer-Gamp, Th., Meier zu Köcker, Nerger, M. (2013)"
    )


def test_numbers_that_merely_end_like_a_footnote_are_kept(corpus_docs: dict) -> None:
    first = page_text(corpus_docs, HANDWERK, 1)  # notes 1-7 on this page; years end in 6, 7, 8, 2
    assert "Mitte 2006 wurde ein eigenständiges Referat" in first
    assert "„Cluster-Dialog“ (2007)" in first and "das seit 2007 jährlich" in first
    assert "(2008, überarbeitete Versionen: 2010 und 2012)" in first
    # across the corpus, a number in the cleaned text that the raw page lacks is a footnote split
    changed = set()
    for doc, (raw, clean) in corpus_docs.items():
        for index, page in enumerate(clean.pages):
            nearby = " ".join(line for p in raw.pages[index : index + 2] for line in p)
            known = set(re.findall(r"\d+", nearby))
            changed |= {(doc, page.page_no, n) for n in re.findall(r"\d+", page.text) if n not in known}
    assert changed == {(TRENDATLAS, 19, "75"), (TRENDATLAS, 26, "2018")}
    assert "BSR Innovation Express Call 2018 umgesetzt" in corpus_docs[TRENDATLAS][1].text


def test_words_split_by_a_stray_space_are_rejoined(corpus_docs: dict) -> None:
    raw5 = raw_text(corpus_docs, HANDWERK, 5)
    assert "räumliche Häufu ng" in raw5 and "spezialisi erten" in raw5
    page5 = page_text(corpus_docs, HANDWERK, 5)
    assert "langfristige, historisch gewachsene räumliche Häufung" in page5
    assert "spezialisierten Zulieferern und Dienstleistern sowie Unternehmen verwandter und nachgeordneter" in page5
    assert "Häufu ng" not in page5
    assert "1.4.2. Cluster, Clusterpolitik und Clusterinitiativen\n" in page5


def test_gender_forms_stay_whole(corpus_docs: dict) -> None:
    text = corpus_docs[CORONA][1].text
    assert "Clustermanager:innen" in text
    assert "Studienteilnehmer:innen" in text
    assert " :innen" not in text


def test_headings_come_from_the_body_not_from_footnotes(corpus_docs: dict) -> None:
    _, clean = corpus_docs[HANDWERK]
    headings = [h for _, h in clean.headings]
    assert "1.4.2. Cluster, Clusterpolitik und Clusterinitiativen" in headings
    assert "1.1. Ausgangslage und Rahmenbedingungen der Studie" in headings
    assert not any(h.startswith(("2 Vgl.", "3 Vgl.", "7 Ministerium")) for h in headings)
    assert not any(re.match(r"\d{3,}\s", h) for h in headings)  # "2010 wurde …" is no heading
    assert all(clean.text[start:].startswith(h) for start, h in clean.headings)


# --- small synthetic cases ------------------------------------------------------------------------
@pytest.fixture
def vocab() -> Vocabulary:
    return Vocabulary(["Die Leistungsfähigkeit der Region", "Unternehmen und Kunden"])


def test_join_hyphenated_soft_hyphen(vocab: Vocabulary) -> None:
    assert join_hyphenated("ein Spiegelbild der regionalen Leistungs-", "fähigkeit. Im europäischen", vocab) == (
        "ein Spiegelbild der regionalen Leistungsfähigkeit.",
        "Im europäischen",
    )
    assert join_hyphenated("die neuen Kun-", "den . Danach", vocab) == ("die neuen Kunden.", "Danach")


def test_join_hyphenated_keeps_real_hyphens(vocab: Vocabulary) -> None:
    assert join_hyphenated("auf Landes- und EU-", "Ebene gefördert", vocab) == ("auf Landes- und EU-Ebene", "gefördert")
    assert join_hyphenated("gemeinsam mit F&E-", "Projekten der Region", vocab) == (
        "gemeinsam mit F&E-Projekten",
        "der Region",
    )
    assert join_hyphenated("das Land Ba-", "den-Württemberg: Cluster", vocab) == (
        "das Land Baden-Württemberg:",
        "Cluster",
    )


def test_join_hyphenated_leaves_suspended_hyphens_and_dashes(vocab: Vocabulary) -> None:
    assert join_hyphenated("in der Kammer-", "und Verbandsarbeit", vocab) is None
    assert join_hyphenated("die Ein-", "und Ausfuhr", vocab) is None
    assert join_hyphenated("Innovations-", "oder Strukturpolitik", vocab) is None
    assert join_hyphenated("ein Gedanke -", "danach mehr", vocab) is None
    assert join_hyphenated("kein Trennstrich", "am Ende", vocab) is None


def test_join_hyphenated_follows_the_documents_own_spelling() -> None:
    hyphened = Vocabulary(["Handwerks-organisationen", "die Handwerks-organisationen", "Handwerks-organisationen"])
    joined = Vocabulary(["Handwerksorganisationen", "die Handwerksorganisationen"])
    left, right = "Kontakt zu den Handwerks-", "organisationen im Land"
    assert join_hyphenated(left, right, hyphened) == ("Kontakt zu den Handwerks-organisationen", "im Land")
    assert join_hyphenated(left, right, joined) == ("Kontakt zu den Handwerksorganisationen", "im Land")


def test_rejoin_split_words() -> None:
    vocab = Vocabulary(["zu dem Ergebnis kam zu dem Schluss zu dem Punkt"])
    assert rejoin_split_words("historisch gewachsene räumliche Häufu ng", vocab) == (
        "historisch gewachsene räumliche Häufung"
    )
    assert (
        rejoin_split_words("Branchen, spezialisi erten Zulieferern", vocab) == "Branchen, spezialisierten Zulieferern"
    )
    assert rejoin_split_words("sie kamen zu dem Ergebnis", vocab) == "sie kamen zu dem Ergebnis"
    assert rejoin_split_words("Ein Cluster ist , wie gesagt", vocab) == "Ein Cluster ist, wie gesagt"


def test_normalise_chars() -> None:
    assert normalise_chars("86\u2009%") == "86 %"
    assert normalise_chars("Ge\u00adschäfts\u00adführung") == "Geschäftsführung"
    assert normalise_chars("Leistungs\u00ad") == "Leistungs-"  # a soft hyphen at the line end is a break
    assert normalise_chars("Pro\ufb01l") == "Profil"
    assert normalise_chars("A\u2011B") == "A-B"


def body_page(seed: int) -> list[str]:
    """Eight distinct lines of German text; every page has its own."""
    return german_sentences(seed, 8)


def test_strip_running_lines() -> None:
    pages = [["Mein Bericht zur Clusterpolitik", f"Seite {n}", *body_page(n)] for n in range(1, 5)]
    pages[2].append("- 3 -")
    pages[3].append("4 / 4")
    assert strip_running_lines(pages) == [body_page(n) for n in range(1, 5)]


def test_strip_running_lines_keeps_body_lines_and_single_pages() -> None:
    # the same sentence in the middle of every page is body text, not a running line
    pages = [[*body_page(n)[:4], "Der Satz in der Mitte jeder Seite.", *body_page(n)[4:]] for n in range(4)]
    assert strip_running_lines(pages) == pages
    # one page: nothing can repeat, but a page number line still goes
    assert strip_running_lines([["Ein Titel", "Seite 1", *body_page(9)]]) == [["Ein Titel", *body_page(9)]]


def test_split_footnotes_moves_notes_and_strips_markers() -> None:
    pages = [
        [
            "Das Interesse an Clustern1 ist groß, im Jahr 2006 gab es viele.",
            "Die Zahl lag bei rund 7518 Betrieben im Land.",
            "12 Initiativen wurden prämiert.",
            "OM1 Initiativgespräch organisieren; OM2 Betriebe besuchen; OM3 Formate entwickeln.",
            "Befragt wurden Cluster Manager im Projekt NICE1 aus sieben Ländern.",
            "1 Vgl. Porter (1998), S. 197.",
            "18 Quelle: Landesamt für Statistik.",
        ]
    ]
    (part,) = split_footnotes(pages)
    assert part.body == [
        "Das Interesse an Clustern ist groß, im Jahr 2006 gab es viele.",
        "Die Zahl lag bei rund 75 Betrieben im Land.",
        "12 Initiativen wurden prämiert.",  # no marker 12 anywhere: a sentence, not a note
        "OM1 Initiativgespräch organisieren; OM2 Betriebe besuchen; OM3 Formate entwickeln.",  # measures
        "Befragt wurden Cluster Manager im Projekt NICE aus sieben Ländern.",  # an acronym with a note
    ]
    assert part.notes == [["1 Vgl. Porter (1998), S. 197."], ["18 Quelle: Landesamt für Statistik."]]


def test_split_footnotes_finds_a_note_printed_one_page_late() -> None:
    pages = [
        ["Ein Satz über Clusterakteure17 und mehr.", "Noch ein Satz."],
        ["Weiterer Text der zweiten Seite.", "17 Anm.: Eine späte Fußnote."],
    ]
    first, second = split_footnotes(pages)
    assert first.body == ["Ein Satz über Clusterakteure und mehr.", "Noch ein Satz."]
    assert second.notes == [["17 Anm.: Eine späte Fußnote."]]


def test_clean_document_on_a_small_raw_document() -> None:
    words = {1: ("Leistungs-", "fähigkeit"), 2: ("Kun-", "den"), 3: ("Verbands-", "arbeit")}
    joined = {1: "Leistungsfähigkeit", 2: "Kunden", 3: "Verbandsarbeit"}
    places = {1: "Ulm", 2: "Freiburg", 3: "Konstanz"}
    pages = tuple(
        (
            "Kammerbericht 2024",
            f"Seite {n}",
            *body_page(n)[:3],
            f"Die Kammer in {places[n]} stärkt die {words[n][0]}",
            f"{words[n][1]} der Betriebe vor Ort{n} und berät",
            f"bei der Ein- und Ausfuhr über {places[n]}.",
            f"{n} Vgl. Jahresbericht der Kammer {places[n]}.",
        )
        for n in (1, 2, 3)
    )
    raw = RawDocument("k.pdf", "Kammerbericht", "/tmp/k.pdf", "0" * 64, pages)
    clean = clean_document(raw)
    assert [p.text for p in clean.pages] == [
        " ".join(body_page(n)[:3])
        + f" Die Kammer in {places[n]} stärkt die {joined[n]} der Betriebe vor Ort und berät bei der"
        + f" Ein- und Ausfuhr über {places[n]}.\n{n} Vgl. Jahresbericht der Kammer {places[n]}."
        for n in (1, 2, 3)
    ]
    assert clean.text == "\n".join(p.text for p in clean.pages)


def test_a_number_with_its_unit_wrapped_to_a_new_line_stays_in_the_sentence(corpus_docs: dict) -> None:
    # "… zu ca. / 6 % anderen …", "… alle / 2 Jahre ein …": neither a footnote nor a heading
    assert "knapp 18 % aus kostenpflichtigen Serviceleistungen und zu ca. 6 % anderen Finanzierungsquellen" in (
        page_text(corpus_docs, TRENDATLAS, 13)
    )
    assert "Ministerium für Finanzen und Wirtschaft alle 2 Jahre ein breit angelegtes" in (
        page_text(corpus_docs, CLEVER, 36)
    )
    assert "der in den letzten 30 Jahren geleistet wurde" in page_text(corpus_docs, CORONA, 4)
    headings = [h for _, h in corpus_docs[CORONA][1].headings]
    assert not any(h.startswith(("50 Prozent", "30 Jahre")) for h in headings)


def test_bullets_from_symbol_fonts_become_bullets(corpus_docs: dict) -> None:
    # Wingdings bullets come out of the PDF as "w  …", Word's "o" bullet as "o …"
    assert "\n w  die Leistungen" in raw_text(corpus_docs, CORONA, 8)
    page8 = page_text(corpus_docs, CORONA, 8)
    assert "• die Leistungen von Clustermanagements in der Krise darzustellen," in page8
    assert "w die Leistungen" not in page8
    assert "\n• Kraftfahrzeuggewerbe" in page_text(corpus_docs, HANDWERK, 94)
    assert "\n• Bindung der Akteure an die Clusterinitiative/das Netzwerk" in page_text(corpus_docs, TRENDATLAS, 4)
    assert "a key component of its innovation" in page_text(corpus_docs, CLEVER, 12)  # an article stays


def test_an_unnumbered_heading_stands_on_its_own_line(corpus_docs: dict) -> None:
    # a short line without a full stop, followed by a sentence that starts with a function word
    assert "Organisation und Management der Clusterinitiative\nDie Clusterinitiative Clean Tech besitzt" in (
        page_text(corpus_docs, HANDWERK, 42)
    )
    # ... or with a preposition or adverb that only opens sentences when capitalised
    assert "Beteiligung von Handwerksbetrieben und Hemmnisse\nHinsichtlich der Hemmnisse" in (
        page_text(corpus_docs, HANDWERK, 48)
    )
    assert "Gründung der Clusterinitiative Medical Mountains AG\nTrotz des weltweiten Erfolgs" in (
        page_text(corpus_docs, HANDWERK, 35)
    )
    # a short line followed by a capitalised noun may just continue its sentence
    assert "18 Zielfelder der baden-württembergischen Clusterpolitik korrespondieren" in page_text(
        corpus_docs, CLEVER, 15
    )
