"""Rule-based extraction: units keep verbatim offsets, cue rules read German correctly, repeats
and translations fold, ids are content-derived — on a generated report and on the real corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.extract import document_units, extract_document
from assistant.extract.indicators import (
    IndicatorHit,
    first_sample_fact_only,
    indicator_fields,
    indicator_name,
    measure_names,
)
from assistant.extract.indicators import classify as classify_indicator
from assistant.extract.merge import item_id, language, merge_repeats
from assistant.extract.patterns import cue_matcher
from assistant.extract.recommendations import addressee_of, classify, eligible
from assistant.extract.units import Unit, build_units
from assistant.library import Library
from ingest.settings import Settings
from ingest.types import Page, Sentence
from tests.data.pdfgen import write_text_pdf
from tests.helpers import CORONA, STATUS_QUO, TRENDATLAS, make_settings

SMALL_DOC = "empfehlungen.pdf"
SMALL_PAGES = [
    [
        "4.2. Handlungsempfehlungen für Clustermanager",
        "Clustermanagements sollten Handwerksbetriebe über die Kammern und Innungen ansprechen.",
        "Es ist wichtig, frühzeitig personelle Nachfolgeregelungen zu implementieren.",
        "Die Rücklaufquote lag bei 40 Prozent; insgesamt antworteten 120 Betriebe auf die Befragung.",
        "Im Durchschnitt verfügen die Clusterinitiativen über vier Vollzeitstellen im Management.",
    ],
    [
        "Für Clusterförderung",
        "• Institutionelle Förderung krisenfest ausrichten",
        "• Neue Akteure in die Clusterarbeit integrieren",
        "Kategorie Indikatoren",
        "• Anzahl der Clusterakteure",
        "• Anteil der privatwirtschaftlichen Finanzierung am Gesamtbudget",
    ],
]


def build_small_index(folder: Path, pages: list[list[str]] = SMALL_PAGES) -> Settings:
    """A generated two-page report with recommendations and indicators, ingested with the fake
    embedder (extraction never embeds, so the fake is enough)."""
    from ingest.pipeline import ingest_paths

    pdf = write_text_pdf(folder / "corpus" / SMALL_DOC, pages, title="Empfehlungen für Cluster")
    settings = make_settings(folder / "data")
    report = ingest_paths([pdf.parent], settings)
    assert report.ok, report.outcomes
    return settings


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_small_index(tmp_path_factory.mktemp("small-extract"))


def _library(settings: Settings) -> Library:
    return Library(settings)  # a private instance: tests must not share a cached library


# --- units ---------------------------------------------------------------------------------------
def _sentences(doc: str, page_texts: list[str]) -> tuple[list[tuple[int, Sentence]], dict[int, Page]]:
    """One sentence per line, with document offsets as the ingest step stores them."""
    pages = {n: Page(doc, n, text) for n, text in enumerate(page_texts, start=1)}
    rows: list[tuple[int, Sentence]] = []
    cursor = 0
    for number, text in enumerate(page_texts, start=1):
        offset = 0
        for line in text.split("\n"):
            rows.append(
                (len(rows), Sentence(doc, len(rows), number, cursor + offset, cursor + offset + len(line), line))
            )
            offset += len(line) + 1
        cursor += len(text) + 1
    return rows, pages


def _page_units(page: str) -> list[Unit]:
    """The units of a one-page document, each checked to be a verbatim stretch of its page."""
    rows, pages = _sentences("t.pdf", [page])
    units = build_units("t.pdf", rows, pages)
    for unit in units:
        assert pages[unit.page].text[unit.start : unit.end] == unit.text
    return units


def test_flattened_bullets_become_verbatim_units_with_their_label() -> None:
    page = (
        "Einleitung zur Tabelle.\n"
        "Für Clustermanagements w Agiles Clustermanagement gestalten w Inhaltliche Themen an neue Situation anpassen\n"
        "w Digitale Tools erschließen Für Cluster-Förderung\n"
        "w An Umsetzung neuer Management-Anforderungen anpassen\n"
        "w Neue Akteure integrieren"
    )
    units = _page_units(page)
    texts = [u.text for u in units if u.bullet]
    assert texts == [
        "Agiles Clustermanagement gestalten",
        "Inhaltliche Themen an neue Situation anpassen",
        "Digitale Tools erschließen",
        "An Umsetzung neuer Management-Anforderungen anpassen",
        "Neue Akteure integrieren",
    ]
    leads = {u.text: u.lead for u in units if u.bullet}
    assert leads["Agiles Clustermanagement gestalten"] == "Für Clustermanagements"
    assert leads["Neue Akteure integrieren"] == "Für Cluster-Förderung"


def test_numbered_list_items_are_not_taken_for_headings() -> None:
    page = (
        "Es gab Handlungsbedarfe in drei Bereichen:\n1. Leistungserbringung im Markt sicherstellen\n"
        "2. Prozesse an die veränderten Bedingungen anpassen\n3. Unternehmen strategisch neu ausrichten"
    )
    units = _page_units(page)
    enumerated = [u for u in units if u.enumerated]
    assert len(enumerated) == 3
    assert all(u.lead == "Es gab Handlungsbedarfe in drei Bereichen:" for u in enumerated)


def test_measures_named_by_their_action_under_a_lead_that_announces_measures() -> None:
    lead = (
        "Über diese konkret formulierten Maßnahmen sehen wir weitere mögliche operative Maßnahmen, die im "
        "Zweifelsfall für das Clustermanagement von Interesse sein könnten, um die Zielgruppe zu erreichen:"
    )
    page = (
        f"{lead}\n• Durchführung einer Bestandsaufnahme unter den Cluster-Mitgliedern: Welche Gewerke sind es?\n"
        "• Zielgruppe Handwerk im Internetauftritt des Clusters berücksichtigen.\n"
        "Die Anwendung der Auswahlkriterien ergab folgende Auswahl:\n• Clusterinitiative Clean Tech (Stuttgart)"
    )
    units = _page_units(page)
    items = [u for u in units if u.bullet]
    assert [u.lead for u in items[:2]] == [lead, lead]  # a long lead-in still introduces its list
    hits = cue_matcher().hits([u.text for u in items])
    readings = [classify(u, h) for u, h in zip(items, hits)]
    assert [r.type if r else None for r in readings] == ["recommendation", "recommendation", None]
    assert classify_indicator(items[2], hits[2], is_recommendation=False) is None  # a reported selection


def test_a_table_of_numbered_measures_becomes_one_unit_per_measure() -> None:
    page = (
        "Inhalt der empfohlenen Maßnahme H1 Verbesserung der\nKenntnisse über\nHandwerksorganisationen und\n"
        "Strukturen der Betriebe\n"
        "OM1 Initiativgespräch mit Multiplikatoren des Handwerks organisieren; Ziel: Infopaket OM2 Besuche bei "
        "mind. fünf Handwerksbetrieben durchführen SM1 Teilnahme an einem Gremium des Handwerks\n"
        "SM2 Aufnahme eines Vertreters des Handwerks in den Beirat\n"
        "H2 Verbesserte\nAnsprache der\nZielgruppe Handwerk\n"
        "OM3 Einführung einer Rubrik im Cluster-Newsletter SM3 Aufbereitung der zentralen Botschaften\n"
        "H3 Öffentlichkeitsarbeit\n"
        "Analog zu SM1 sollte ebenfalls ein Vertreter des Handwerks in den Beirat aufgenommen werden."
    )
    units = _page_units(page)
    coded = {u.code: u for u in units if u.code}
    assert list(coded) == ["H1", "OM1", "OM2", "SM1", "SM2", "H2", "OM3", "SM3", "H3"]  # "zu SM1 sollte" refers
    assert coded["OM2"].text == "OM2 Besuche bei mind. fünf Handwerksbetrieben durchführen"
    readings = {code: classify(unit, cue_matcher().hits([unit.text])[0]) for code, unit in coded.items()}
    measures = {code for code, hit in readings.items() if hit and hit.type == "recommendation"}
    assert measures == {"OM1", "OM2", "OM3", "SM1", "SM2", "SM3"}  # fields in a narrow column only name a topic


# --- cue rules -----------------------------------------------------------------------------------
def _unit(text: str, *, lead: str = "", heading: str = "", bullet: bool = False) -> Unit:
    return Unit("t.pdf", 1, 0, len(text), text, (0,), heading=heading, lead=lead, bullet=bullet)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das impliziert, dass zahlreiche Clusterinitiativen ihren Anteil an KMU erhöhen sollten.", "recommendation"),
        ("Darum ist es wichtig, frühzeitig Nachfolgeregelungen zu implementieren.", "recommendation"),
        (
            "Entsprechend sind das Clusterverständnis und die Clusteridentität jeweils neu zu bestimmen.",
            "recommendation",
        ),
        (
            "Ein wesentlicher Erfolgsfaktor war die konstante politische Unterstützung auf Landesebene.",
            "success_factor",
        ),
        ("Die Rücklaufquote lag bei 40 Prozent.", None),
        ("Hinsichtlich der Kategorie „Struktur“ ist zu konstatieren, dass die Werte gut sind.", None),
        ("Auch hier sollten die Teilnehmer:innen die Items den Optionen „ja“ oder „nein“ zuordnen.", None),
        ("Während manche Unternehmen in Kurzarbeit gehen müssen, wird anderswo gesucht.", None),
        # reports and expectations in the clothes of an obligation
        (
            "Darüber hinaus muss die Erhöhung der Kooperationsintensität der Clusterakteure vor dem Hintergrund "
            "des Akteurswachstums positiv bewertet werden.",
            None,
        ),
        ("Sofern VR-Lösungen massentauglich werden, ist hier möglicherweise mit Verschiebungen zu rechnen.", None),
        ("Der Begriff Cluster muss hier immer als innovativer Wirtschaftscluster verstanden werden.", None),
        # the noun names recommendations; only its content makes a sentence one
        ("In der Übersicht 6 sind die ausgewählten Handlungsempfehlungen für Clustermanager zusammengestellt.", None),
        ("Zudem ist es Ziel der Studie, weitere Handlungsempfehlungen geben zu können.", None),
        (
            "Unsere Empfehlung zielt darauf ab, für Unternehmer das Thema Cluster stärker in Angebote zu integrieren.",
            "recommendation",
        ),
        ("Es ergibt sich eine Empfehlung: Verankerung des Handwerks in der Clusterstrategie.", "recommendation"),
        ("Wir empfehlen den Kammern, Cluster in ihre Regionalstrategien aufzunehmen.", "recommendation"),
        ("Eine Rückkehr zu lokaler Versorgungssicherheit wurde angemahnt.", "recommendation"),
        ("Die Verbände plädieren für eine stärkere Vernetzung der Betriebe.", "recommendation"),
        # soft advice: a subjunctive passive, "macht es Sinn", "ideal wäre", "ist angehalten", "bietet sich an"
        ("Der Zulieferkatalog könnte daraufhin gesichtet werden, welche Betriebe in Frage kommen.", "recommendation"),
        (
            "Da es sich um ein Portfolio handelt, macht es Sinn, Methoden der Dienstleistungsentwicklung zu nutzen.",
            "recommendation",
        ),
        ("Ideal wäre es, wenn ein Unternehmensvertreter aus dem Handwerk gefunden würde.", "recommendation"),
        ("Jede Clusterinitiative ist angehalten, die Clusterstrategie regelmäßig zu prüfen.", "recommendation"),
        ("Eine verstärkte Beteiligung der Betriebe bietet sich in kleinen Schritten an.", "recommendation"),
        # necessary conditions
        ("Erst wenn Vertrauen gewachsen ist, lassen sich gemeinsame Projekte erzielen.", "success_factor"),
        (
            "Bei den Formaten kommt es darauf an, dass die Belange der Zielgruppe berücksichtigt werden.",
            "success_factor",
        ),
        ("Die Clusterinitiativen sind den Betrieben gar nicht oder zu wenig bekannt.", "lesson"),
        ("Cluster Management erfordert einen regionalen Konsens, der Verbindlichkeiten schafft.", "success_factor"),
        ("Grundsätzlich erfordert das Cluster Management keine eigene Clusterpolitik.", None),
        (
            "Der Erfolg einer Clusterinitiative hängt maßgeblich von einem aktiven Clustermanagement ab.",
            "success_factor",
        ),
        (
            "Ganz entscheidend ist auch die räumliche Nähe, denn sie ermöglicht einen persönlichen Austausch.",
            "success_factor",
        ),
        (
            "Diese Vorteile kommen nur dann zum Tragen, wenn Vertrauen zwischen den Teilnehmern besteht.",
            "success_factor",
        ),
        ("Fortschritte gab es in Bereichen, welche für die Wirksamkeit von Clustern ausschlaggebend sind.", None),
        (
            "Um Innovationen zu schaffen, ist eine intensive Zusammenarbeit zwischen Hochschulen und Unternehmen "
            "unabdingbar.",
            "recommendation",
        ),
        ("Um sich zu vernetzen, ist es zwingend notwendig zu wissen, welche Cluster es gibt.", "recommendation"),
        ("Die Clustermanagerin ist ihnen aus ihrer früheren Tätigkeit nicht bekannt.", None),
        # a shortfall named as such is a lesson wherever it stands
        ("Potenzielle Erfolge werden nicht in ausreichendem Maße dokumentiert oder nachverfolgt.", "lesson"),
        ("Als Gründe werden eine unzureichende Ressourcenausstattung und schwache Netzwerke angeführt.", "lesson"),
        # so is a weakness or an unused potential, but not a weaker rating
        ("Leichte Schwächen sind bei der Nachhaltigkeit der Finanzierung der Netzwerke sichtbar.", "lesson"),
        ("Verstärkungspotenzial wird beim Indikator „Integration in das Innovationssystem“ ersichtlich.", "lesson"),
        ("Im Vergleich sind die drei zuletzt genannten Aspekte etwas schwächer ausgeprägt.", None),
        # a finding the authors label as such
        ("Beobachtung 4: Der Fokus der Clusterarbeit bleibt über die Jahre unverändert", "lesson"),
    ],
)
def test_recommendation_cues(text: str, expected: str | None) -> None:
    hit = classify(_unit(text), cue_matcher().hits([text])[0])
    assert (hit.type if hit else None) == expected


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "Der Indikator „Nachhaltigkeit der Finanzierung“ muss im Zusammenhang betrachtet werden.",
            "Nachhaltigkeit der Finanzierung",
        ),
        ("Gemäß der ECEI ist „Clusterregion“ definiert als ein räumliches Gebiet.", "Clusterregion"),
        ("Alle an einem Cluster Beteiligten werden als Clusterakteur bezeichnet.", "Clusterakteur"),
        ("Die Rücklaufquote lag bei 40 Prozent.", "Rücklaufquote"),
        (
            "Entsprechend der Angaben verfügen 96 % der gebenchmarkten Clusterinitiativen über eine Strategie.",
            "Anteil der gebenchmarkten Clusterinitiativen",
        ),
        (
            "Nahezu drei Viertel der Befragten geben an, dass sich die Zusammenarbeit verstärkt hat.",
            "Anteil der Befragten – Zusammenarbeit",
        ),
        ("Europaweit existieren heute mehr als 400 Clusterinitiativen.", "Anzahl Clusterinitiativen"),
        (
            "Im Durchschnitt verfügen die 105 Clusterinitiativen über vier Vollzeitäquivalente.",
            "Anzahl Vollzeitäquivalente",
        ),
        ("Heute bezeichnet sich das Medizintechnik-Cluster als Weltzentrum.", "Medizintechnik-Cluster"),
        # a footnote's number counts nothing
        (
            "27 Diese Erkenntnis beruht auf mehr als 40 empirischen Clusteruntersuchungen.",
            "Anzahl empirischen Clusteruntersuchungen",
        ),
    ],
)
def test_indicator_names_say_what_is_measured(sentence: str, name: str) -> None:
    # never a sentence's first word such as "Heute", "Alle", "Entsprechend"
    assert indicator_name(sentence) == name


def test_dates_are_no_indicator_values() -> None:
    text = "Befragt wurden Kurt Scherfer (Landesinnung Tuttlingen) am 08.03.2012 Clusterinitiative Medical Mountains."
    assert classify_indicator(_unit(text), cue_matcher().hits([text])[0], is_recommendation=False) is None


def test_table_rows_are_no_indicator_values() -> None:
    row = "Ostalbkreis und Landkreis Heidenheim - ca. 200 Unternehmen, Großteil KMU - Maschinenbau - Metallbau"
    sentence = "Insgesamt umfasst das Mitgliederpotenzial ca. 300 Betriebe in der Region, darunter viele Zulieferer."
    hits = cue_matcher().hits([row, sentence])
    assert classify_indicator(_unit(row), hits[0], is_recommendation=False) is None
    value = classify_indicator(_unit(sentence), hits[1], is_recommendation=False)
    assert value is not None and value.shape == "value"


def _indicator_shape(text: str) -> str | None:
    hit = classify_indicator(_unit(text), cue_matcher().hits([text])[0], is_recommendation=False)
    return hit.shape if hit else None


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("44,6 Prozent der Befragten arbeiten in Clustern mit weniger als 100 Mitgliedern.", "value"),
        # a sentence begun on the page before cannot say what it measures
        ("ist 3 % (in Abb. 7 rot dargestellt).", None),
        # chart labels run together, with or without a caption among them
        ("Neue Unternehmenskultur, Remote-Führung 83 % Umstellung des Betriebs (Kurzarbeit, Homeoffice) 82 %", None),
        ("50–100 Clusterakteure >100 Clusterakteure Abbildung 4: Größe der Clusterinitiativen nach Kategorien.", None),
        # a sentence about a chart, even when it points to its figure number
        (
            "Die nächste Grafik (p Abb. 28) zeigt Leistungen, die Clustermanagements (> 5 Mitarbeiter) erbringen.",
            None,
        ),
        # an adjective between the number and what it counts
        ("In Baden-Württemberg gibt es 18 definierte Zukunftsfelder und über 30 landesweite Netzwerke.", "value"),
        ("Die Begutachtung erfolgt auf Basis von 34 ausgewählten Indikatoren.", "definition"),
        # an article is no adjective, and a section of a law counts nothing
        ("Bezeichnung nach Anlage B Abschnitt 1 der Handwerksordnung: Drechsler und Holzspielzeugmacher.", None),
        # a sentence about the report's own chapter
        (
            "Das Kapitel „Clusterinitiativen in Deutschland: Status quo“ verdeutlicht die Entwicklungen aufgrund "
            "von 105 analysierten Initiativen.",
            None,
        ),
        ("10. Wie lange arbeiten Sie schon im Clustermanagement?", "question"),
        ("Inwieweit waren Sie von den Veränderungen persönlich betroffen?", "question"),
        ("Was hat sich durch die Krise in Ihrem Cluster verändert?", None),  # open, not a measure
        # a questionnaire item in the imperative asks for a quantity as a question does
        ("3. Schätzen Sie ein, welcher prozentuale Anteil der Unternehmen betroffen wurde. a. Nach Zahl", "question"),
    ],
)
def test_indicator_shapes(text: str, shape: str | None) -> None:
    assert _indicator_shape(text) == shape


def _value_hits(texts: list[str]) -> list[tuple[int, IndicatorHit]]:
    """Value sentences in reading order, sentence i on row i of the vector table."""
    units = [Unit("t.pdf", 1, 0, len(text), text, (row,)) for row, text in enumerate(texts)]
    return [(position, IndicatorHit(unit, "value", 0.8)) for position, unit in enumerate(units)]


def test_a_share_without_its_population_is_an_item_of_its_own_named_after_the_measure_before() -> None:
    texts = [
        "Nahezu drei Viertel der Befragten geben an, dass sich die Zusammenarbeit verstärkt hat.",
        "13 Prozent gehen davon aus, dass das Kooperationsniveau gleichgeblieben ist.",
        "40 Prozent der Unternehmen investieren in Weiterbildung.",
    ]
    named = measure_names(_value_hits(texts))
    assert [hit.unit.text for hit, _ in named] == texts  # every value stands in its own quote
    measure = indicator_name(texts[0])
    assert [name for _, name in named] == [None, measure, None]
    fields = indicator_fields(named[1][0], named[1][1])
    assert fields["name"] == measure and fields["value"] == "13 Prozent"
    # chart labels between the two (four units that are no values) do not part them
    first, elliptic, other = _value_hits(texts)
    apart = [first, (first[0] + 5, elliptic[1]), (first[0] + 6, other[1])]
    assert [name for _, name in measure_names(apart)] == [None, measure, None]


def test_each_value_sentence_that_names_its_population_is_an_item_whose_quote_holds_its_value() -> None:
    texts = [
        "65 Prozent der Teilnehmer:innen gehören einem Cluster mit Label an.",
        "30,2 Prozent der Teilnehmer:innen gehören einem go-cluster an.",
    ]
    named = measure_names(_value_hits(texts))
    assert [name for _, name in named] == [None, None]
    assert all(indicator_fields(hit)["value"] in hit.unit.text for hit, _ in named)


def test_a_learned_chart_row_is_named_by_its_label() -> None:
    text = "Frühzeitiges Erkennen Corona-bedingter Problemfelder 86 % Bereitstellen von digitalen Tools 84 %"
    hit = IndicatorHit(Unit("t.pdf", 1, 0, len(text), text, (0,)), "learned", 0.9, found_by="reader")
    fields = indicator_fields(hit)
    assert fields["name"] == "Frühzeitiges Erkennen Corona-bedingter Problemfelder"
    assert fields["value"].startswith("86 %") and fields["found_by"] == "reader"


def test_the_study_sample_counts_once() -> None:
    texts = [
        "160 Personen haben die Online-Umfrage gestartet; 100 vollständig abgeschlossen.",
        "Alle Fragen wurden von mindestens 90 und maximal 143 Personen beantwortet.",
        "44,6 Prozent der Befragten arbeiten in Clustern mit weniger als 100 Mitgliedern.",
        "19 Teilnehmer:innen haben sich hierzu mit eigenen Worten geäußert.",
    ]
    kept = [hit.unit.text for _, hit in first_sample_fact_only(_value_hits(texts))]
    assert kept == [texts[0], texts[2]]


def test_instruction_items_count_only_under_a_lead_that_asks_for_something() -> None:
    text = "Neue Akteure integrieren"
    hits = cue_matcher().hits([text])[0]
    advised = classify(_unit(text, lead="Für Clusterförderung", heading="Implikationen", bullet=True), hits)
    reported = classify(_unit(text, lead="Zunächst wurde Folgendes umgesetzt:", bullet=True), hits)
    assert advised is not None and advised.type == "recommendation"
    assert reported is None


@pytest.mark.parametrize(
    "label", ["weitere Vorteile für Betriebe", "Fehlende Kooperationsbereitschaft", "3) Hemmnisse KMU"]
)
def test_a_label_with_a_cue_word_states_nothing(label: str) -> None:
    hits = cue_matcher().hits([label])[0]
    assert classify(_unit(label, heading="Fazit", bullet=True), hits) is None  # a table cell or list item
    statement = "Dieses Defizit teilen die Handwerksbetriebe mit vielen Vertretern der Handwerksorganisationen."
    hit = classify(_unit(statement, heading="Fazit"), cue_matcher().hits([statement])[0])
    assert hit is not None and hit.type == "lesson"


def test_english_text_is_not_read_as_a_german_instruction() -> None:
    text = "All activities of cluster strategy are quality and result driven."
    assert classify(_unit(text), cue_matcher().hits([text])[0]) is None


@pytest.mark.parametrize(
    "text",
    [
        "Gleichzeitig mussten sie ihre Clustermanagement-Arbeit neu organisieren.",  # a past modal
        "Alle Netzwerkmitglieder wurden aufgerufen, Beiträge einzubringen.",  # a participle ends the clause
        "Darüber hinaus konnten Kooperationen zwischen Akteuren initiiert werden.",
        "Zuständigkeiten sind gleichgeblieben",  # an auxiliary right before the last word
        "Grenzen) und der permanenten, konstruktiven Gestaltung des Erfolgs.",  # an adjective before a comma
        "In der Krise rücken Akteure zusammen; neue Partnerschaften entstehen.",  # a particle, not an infinitive
        "Querschnittsthemen lassen sich durch Kooperation entwickeln.",  # a verb before "sich" is conjugated
    ],
)
def test_reports_that_end_in_an_en_word_are_no_instructions(text: str) -> None:
    hits = cue_matcher().hits([text])[0]
    assert classify(_unit(text, heading="Implikationen"), hits) is None
    assert classify(_unit(text, lead="Zwischenbewertung:", heading="Implikationen", bullet=True), hits) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Entwicklung gemeinsamer Projekte bedarf nachhaltiger Kraftanstrengung.", "success_factor"),
        ("Die Digitalisierung ist ein wesentliches Einfallstor, um Potenziale zu erschließen.", "success_factor"),
        ("Die persönliche Präsenz bleibt wichtig, auch nach der Krise.", "success_factor"),
        ("Die Zusammenarbeit hilft, die Phase der für alle relevanten Gefährdung besser zu bewältigen.", "good_reason"),
        ("Ein Grund für die Leistungssteigerungen ist die stabile Förderlandschaft.", "lesson"),
        ("Der Austausch zwischen Clustermanagern und Handwerksvertretern ist gering.", "lesson"),
        ("Kleine Betriebe könnten größeren Unternehmen Lösungen bieten.", "good_reason"),
    ],
)
def test_conclusions_name_requirements_means_benefits_and_reasons(text: str, expected: str) -> None:
    hits = cue_matcher().hits([text])[0]
    hit = classify(_unit(text, heading="Implikationen"), hits)
    assert hit is not None and hit.type == expected
    assert classify(_unit(text, heading="Ergebnisse der Befragung"), hits) is None  # a weak cue needs its section


@pytest.mark.parametrize(
    "text",
    [
        "Cluster-Initiativen ermöglichen den Austausch zwischen Forschung und Betrieben.",
        "Die Mitarbeit in Clustern erleichtert Betrieben den Zugang zu neuen Märkten.",
        "Herausforderungen können in Netzwerken besser und schneller bewältigt werden.",
    ],
)
def test_what_a_cluster_brings_is_a_good_reason_without_a_cue_word(text: str) -> None:
    hit = classify(_unit(text, heading="Ergebnisse"), cue_matcher().hits([text])[0])
    assert hit is not None and hit.type == "good_reason"


@pytest.mark.parametrize(
    "text",
    [
        "Im Jahr 2019 stärkten die Cluster ihre Geschäftsstellen, wie der Bericht beschreibt.",  # no present benefit
        "Die Cluster wurden 2015 gegründet und bieten seither Seminare an.",  # a history
        "Das Netzwerk will mit der Kampagne die Sichtbarkeit des Handwerks steigern, heißt es im Plan.",  # an aim
        "Das Land unterstützt die Unternehmen und stärkt so auch die Cluster.",  # the cluster is not the actor
        "Der Cluster-Atlas bietet einen Überblick über alle Initiativen.",  # a publication, not a cluster
    ],
)
def test_a_cluster_mentioned_in_passing_or_in_the_past_gives_no_good_reason(text: str) -> None:
    assert classify(_unit(text, heading="Ergebnisse"), cue_matcher().hits([text])[0]) is None


@pytest.mark.parametrize(
    "text",
    [
        "Zeitschrift/Buch Beitrag in: Meier, A. (Hrsg.), Innovationsmanagement in Netzwerken.",
        "Titel Kooperationen in Netzwerken stärken die Innovationskraft, in: Ministerium für Wirtschaft.",
        "Die Betriebe profitieren von Kooperationen, Journal of Regional Studies Vol. 4 No. 2.",
    ],
)
def test_a_bibliographic_entry_is_no_statement_of_the_authors(text: str) -> None:
    assert not eligible(_unit(text))


def test_addressee_comes_from_the_label_before_the_sentence() -> None:
    assert addressee_of(_unit("Budgetierung flexibel anpassen", lead="Für Clusterförderung")) == "Politik/Förderer"
    assert addressee_of(_unit("Die Handwerkskammern sollten Betriebe informieren.")) == (
        "Handwerksorganisationen/Kammern"
    )
    assert addressee_of(_unit("Man sollte mehr miteinander reden.")) == "allgemein"


# --- merging and ids -----------------------------------------------------------------------------
def test_english_twin_and_repeat_fold_into_the_first_german_unit() -> None:
    german = _unit("Cluster stärken die Innovationskraft der Unternehmen in der Region.")
    repeat = Unit("t.pdf", 2, 0, 10, german.text, (1,))
    english = Unit("t.pdf", 3, 0, 10, "Clusters strengthen the innovative power of the companies in the region.", (2,))
    other = Unit("t.pdf", 4, 0, 10, "Die Förderquote sank von 43 auf 35 Prozent.", (3,))
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.96, 0.28], [0.0, 1.0]], dtype=np.float32)
    keep = merge_repeats([english, german, repeat, other], vectors, [True] * 4)
    assert [u.page for u in [[english, german, repeat, other][i] for i in keep]] == [1, 4]
    assert language(english.text) == "en" and language(german.text) == "de"


def test_item_ids_depend_on_content_not_on_run() -> None:
    a = item_id("d.pdf", "recommendation", 3, "Neue Akteure  integrieren.")
    assert a == item_id("d.pdf", "recommendation", 3, "Neue Akteure integrieren")
    assert a != item_id("d.pdf", "recommendation", 4, "Neue Akteure integrieren")
    assert a != item_id("d.pdf", "indicator", 3, "Neue Akteure integrieren")


# --- a generated report -------------------------------------------------------------------------
def test_small_report_yields_expected_items_with_verbatim_quotes(small_index: Settings) -> None:
    library = _library(small_index)
    items = extract_document(library, SMALL_DOC)
    recommendations = {i.quote: i for i in items if i.kind == "recommendation"}
    indicators = {i.quote: i for i in items if i.kind == "indicator"}
    assert "Institutionelle Förderung krisenfest ausrichten" in recommendations
    assert recommendations["Institutionelle Förderung krisenfest ausrichten"].fields["addressee"] == "Politik/Förderer"
    assert any(q.startswith("Clustermanagements sollten Handwerksbetriebe") for q in recommendations)
    assert "Anzahl der Clusterakteure" in indicators
    rate = next(i for q, i in indicators.items() if q.startswith("Die Rücklaufquote"))
    assert "40 Prozent" in rate.fields["value"]
    for item in items:
        page = library.page(SMALL_DOC, item.page)
        assert page is not None and item.quote in page.text
        assert item.title == "Empfehlungen für Cluster"


def test_ids_survive_a_fresh_ingest_of_the_same_file(small_index: Settings, tmp_path: Path) -> None:
    first = {i.id for i in extract_document(_library(small_index), SMALL_DOC)}
    again = build_small_index(tmp_path)
    second = {i.id for i in extract_document(_library(again), SMALL_DOC)}
    assert first and first == second


# --- the real corpus (fake embedder: extraction reads stored text only) ---------------------------
@pytest.mark.slow
def test_corpus_items_quote_their_pages_and_are_stable(fake_index: Settings) -> None:
    library = _library(fake_index)
    for doc in (STATUS_QUO, TRENDATLAS, CORONA):
        items = extract_document(library, doc)
        assert items, doc
        assert len({i.id for i in items}) == len(items), doc
        assert [i.id for i in extract_document(library, doc)] == [i.id for i in items]
        for item in items:
            page = library.page(doc, item.page)
            assert page is not None and item.quote in page.text, (doc, item.page, item.quote)
    atlas = {i.quote for i in extract_document(library, TRENDATLAS) if i.kind == "indicator"}
    assert "Finanzielles Controlling" in atlas  # an item of the flattened indicator table
    status = [i for i in extract_document(library, STATUS_QUO) if i.kind == "recommendation"]
    assert any("Balanced Scorecard" in i.quote for i in status)


@pytest.mark.slow
def test_corpus_units_are_verbatim(fake_index: Settings) -> None:
    library = _library(fake_index)
    for doc in library.documents:
        for unit in document_units(library, doc):
            page = library.page(doc, unit.page)
            assert page is not None and page.text[unit.start : unit.end] == unit.text


# --- the optional LLM backend ---------------------------------------------------------------------
class _FakeStructured:
    """Stands in for ChatOpenAI(...).with_structured_output(LlmItems)."""

    def __init__(self, result: object) -> None:
        self.result = result

    def invoke(self, prompt: str) -> object:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def test_llm_items_must_quote_their_page_verbatim(
    small_index: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from assistant import checklist
    from assistant.extract import llm_extract

    llm = small_index.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "test"})
    answer = llm_extract.LlmItems(
        items=[
            llm_extract.LlmItem(kind="recommendation", page=1, quote="Es ist wichtig,  frühzeitig personelle"),
            llm_extract.LlmItem(kind="recommendation", page=1, quote="Cluster sollten Quantencomputer kaufen."),
            llm_extract.LlmItem(kind="indicator", page=2, quote="Die Rücklaufquote lag bei 40 Prozent."),
            llm_extract.LlmItem(kind="indicator", page=1, quote="Die Rücklaufquote lag bei 40 Prozent", name="Quote"),
        ]
    )
    monkeypatch.setattr(llm_extract, "structured_model", lambda settings, schema: _FakeStructured(answer))
    items = checklist.extract_items(llm, doc=SMALL_DOC)
    assert [(i.kind, i.page, i.quote) for i in items] == [
        ("recommendation", 1, "Es ist wichtig, frühzeitig personelle"),  # the page's own spacing
        ("indicator", 1, "Die Rücklaufquote lag bei 40 Prozent"),
    ]
    assert items[0].fields["recommendation"] == "Es ist wichtig, frühzeitig personelle"
    assert items[0].fields["found_by"] == "llm"

    monkeypatch.setattr(
        llm_extract, "structured_model", lambda settings, schema: _FakeStructured(ConnectionError("down"))
    )
    fresh = small_index.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "anderes"})
    fallback = checklist.extract_items(fresh, doc=SMALL_DOC)
    assert [i.id for i in fallback] == [i.id for i in extract_document(_library(small_index), SMALL_DOC)]


def test_the_llm_is_asked_for_every_kind_and_type_over_page_marked_units(small_index: Settings) -> None:
    from assistant.extract import llm_extract

    library = _library(small_index)
    prompts = llm_extract.extraction_prompts(library, SMALL_DOC)
    assert prompts and all(len(p) <= llm_extract.BATCH_CHARS + len(llm_extract._EXTRACT_PROMPT) for p in prompts)
    assert 'Indikator (kind "indicator")' in prompts[0] and 'Empfehlung (kind "recommendation")' in prompts[0]
    for kind in ("recommendation", "success_factor", "lesson", "good_reason"):  # each type is defined
        assert f"- {kind}: " in prompts[0]
    units = document_units(library, SMALL_DOC)
    listed = "\n".join(prompts)
    assert all(f"[S. {u.page}] {' '.join(u.text.split())}" in listed for u in units)
    only_first = "\n".join(llm_extract.extraction_prompts(library, SMALL_DOC, range(1, 2)))
    assert "[S. 1]" in only_first and "[S. 2]" not in only_first


class _FailsOnPage:
    """A model that answers every batch with one item of page 1 and fails on batches of ``page``."""

    def __init__(self, page: int, answer: object) -> None:
        self.page, self.answer = page, answer

    def invoke(self, prompt: str) -> object:
        if f"[S. {self.page}]" in prompt:
            raise TimeoutError("the model took too long")
        return self.answer


def test_a_batch_the_llm_fails_on_keeps_the_rules_items_of_its_units(
    small_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.extract import llm_extract

    library = _library(small_index)
    monkeypatch.setattr(llm_extract, "BATCH_CHARS", 1)  # every unit a batch of its own
    answer = llm_extract.LlmItems(
        items=[llm_extract.LlmItem(kind="recommendation", page=1, quote="Es ist wichtig, frühzeitig personelle")]
    )
    llm = small_index.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "test"})
    monkeypatch.setattr(llm_extract, "structured_model", lambda settings, schema: _FailsOnPage(2, answer))
    rules = extract_document(library, SMALL_DOC)
    items = llm_extract.extract_with_llm(llm, library, SMALL_DOC, fallback=lambda: rules)
    assert items is not None
    assert [(i.page, i.fields["found_by"]) for i in items if i.page == 1] == [(1, "llm")]
    page_two = [i.id for i in rules if i.page == 2]
    assert page_two and [i.id for i in items if i.page == 2] == page_two  # the rules' items of the failed units

    monkeypatch.setattr(llm_extract, "structured_model", lambda settings, schema: _FailsOnPage(1, answer))
    monkeypatch.setattr(llm_extract, "BATCH_CHARS", 100_000)  # one batch: it fails, so the rules take over whole
    assert llm_extract.extract_with_llm(llm, library, SMALL_DOC, fallback=lambda: rules) is None
