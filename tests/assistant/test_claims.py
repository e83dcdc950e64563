"""Claim checking (claims, claim_verdict, claim_rules, claim_numbers, claim_actors): the
comparison rules on their own, and verdicts on claims made from real sentences of the corpus (a
number changed → contradicted, kept → supported, off-topic → not found), with evidence quoted
verbatim from the cited page."""

from __future__ import annotations

import pytest

from assistant import claim_rules as rules
from assistant.claim_verdict import Finding, Window, by_parts, conjuncts, decide, specific_numbers, unknown_terms
from assistant.claims import _coverage, check_claim, expand, judge_claim, lemma_stems
from assistant.library import open_library
from ingest.settings import Settings
from tests.helpers import HANDWERK, STATUS_QUO, TRENDATLAS


# --- rules ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("über 2,5 Stellen", [(2.5, "count")]),
        ("über 13.000 Akteure", [(13000.0, "count")]),
        ("employs 8.5 people", [(8.5, "count")]),
        ("ca. 2,4 Mio. Euro", [(2_400_000.0, "count")]),
        ("44,6 Prozent der Befragten", [(44.6, "percent")]),
        ("rund 43 % gefördert", [(43.0, "percent")]),
        ("in den 1980ern", [(1980.0, "year")]),
        ("zwischen 2010/2011 und 2016/2017", [(2010.0, "year"), (2011.0, "year"), (2016.0, "year"), (2017.0, "year")]),
        ("siehe Abbildung 14", []),
        ("kamen lediglich sechs zustande", [(6.0, "count")]),  # a number word with no noun after it
        ("knapp zwei Drittel der Befragten", [(66.6, "percent")]),  # a fraction is a share
        ("mehr als die Hälfte der Befragten", [(50.0, "percent")]),  # a lower bound (see test_bounds…)
        ("das Interview am 13.05.2012 geführt", [(2012.0, "year")]),  # a date states its year, no "13.05"
        ("rund 2.000 Handwerksbetriebe", [(2000.0, "count")]),  # a thousands point makes no year
        ("für vier von fünf Befragten", [(80.0, "percent")]),  # a share, not the counts four and five
        ("jedes vierte Unternehmen", [(25.0, "percent")]),
    ],
)
def test_numbers(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(n.value, n.kind) for n in rules.numbers(text)] == expected


def test_number_conflict_needs_another_number_of_the_same_kind() -> None:
    evidence = "Im Durchschnitt verfügen die befragten Organisationen über 2,5 Stellen."
    assert rules.number_conflict("Sie verfügen über 4,5 Stellen.", evidence) is not None
    assert rules.number_conflict("Sie verfügen über 2,5 Stellen.", evidence) is None
    assert rules.number_conflict("Im Jahr 2012 verfügen sie über 2,5 Stellen.", evidence) is None  # no year stated
    assert rules.number_conflict("Sie erschien 2012.", "welche im Jahre 2008 erschien") is not None
    altered = rules.number_conflict("Von 30 Interviews wurden zwölf geführt.", "Von 30 kamen sechs zustande.")
    assert altered is not None and (altered[0].value, altered[1].value) == (12.0, 6.0)


def test_rough_shares_meet_exact_ones_and_articles_are_no_numbers() -> None:
    assert rules.number_conflict("Knapp zwei Drittel der Befragten kooperierten.", "65 Prozent kooperierten.") is None
    assert rules.number_conflict("Die Region hält etwa ein Viertel des Weltmarkts.", "rund 50 % Weltmarktanteil")
    assert rules.number_conflict("Sie hielt 44 Prozent.", "Sie hielt 47 Prozent.") is not None  # exact: no slack
    # "ein Benchmarking" is the article, not the number one
    assert rules.number_conflict("Sie wuchsen von 104 auf 129 Akteure.", "als wiederholt ein Benchmarking lief") is None
    # a number the deciding sentence states is settled; a neighbour's other number does not undo it
    claim, neighbour = "Sie verfügen über 2,5 Stellen.", "Im Schnitt sind es 6 Stellen."
    assert rules.number_conflict(claim, neighbour) is not None
    assert rules.number_conflict(claim, neighbour, settled="über 2,5 Stellen") is None


def test_counts_of_different_things_do_not_conflict() -> None:
    claim = "Rund 2.000 Handwerksbetriebe sind Mitglied."
    assert rules.number_conflict(claim, "Sie besuchten die drei untersuchten Clusterinitiativen.") is None
    assert rules.number_conflict("Rund 200 Handwerksbetriebe sind Mitglied.", "Es gibt 30 Clusterinitiativen.") is None
    assert rules.number_conflict(claim, "Rund 1.500 Betriebe sind Mitglied.") is not None  # the same thing
    assert rules.number_conflict("Sie haben 27 Initiativen.", "Sie haben 17 Clusterinitiativen.") is not None
    assert rules.number_conflict("Es waren 27 Initiativen.", "Es waren 17 komplett privat finanziert.") is not None


def test_a_duration_is_a_specific_number() -> None:
    assert [n.value for n in specific_numbers("Das Label gilt jeweils drei Jahre.")] == [3.0]
    assert specific_numbers("Zwei Partner gründeten das Cluster.") == []  # too common to tell


def test_bounds_hold_or_break() -> None:
    assert rules.number_conflict("Nur etwa ein Drittel half.", "Das leisteten mehr als die Hälfte.") is not None
    assert rules.number_conflict("Mehr als 50 Prozent halfen.", "60 Prozent halfen.") is None  # kept
    assert rules.number_conflict("Mehr als 50 Prozent halfen.", "44 Prozent halfen.") is not None
    assert rules.number_conflict("60 Prozent halfen.", "Mehr als 50 Prozent halfen.") is None
    assert rules.numbers("Sie halfen.") == []  # "half" only as a word of its own
    shares = {(n.value, n.bound) for n in rules.numbers("mehr als die Hälfte, bis zu 10 %, 44 %")}
    assert shares == {(50.0, "min"), (10.0, "max"), (44.0, "")}
    # each share is read where it stands, also when the same words come twice
    assert [n.bound for n in rules.numbers("30 % der Betriebe, aber mehr als 30 % der Initiativen")] == ["", "min"]


def test_a_number_given_to_another_place() -> None:
    evidence = "Im Schnitt verfügen sie über 2,5 Stellen, Deutschland ist mit 1,5 Stellen unterdurchschnittlich."
    assert rules.place_number_conflict("In Deutschland sind es im Schnitt 2,5 Stellen.", evidence) is not None
    assert rules.place_number_conflict("Deutschland hat 1,5 Stellen, der Schnitt 2,5 Stellen.", evidence) is None


def test_actor_details() -> None:
    # "europäische Organisationen" include Großbritannien: a continent is no other actor
    europe = "Deutsche Clustermanagements sind schwächer besetzt als europäische."
    assert rules.actor_conflict(europe, "Deutschland liegt unter dem Schnitt, Großbritannien darüber.") is None
    # an organisation named after a place is a name, not the place
    assert "steinbeis-europa-zentrum" in rules.actors("Es wird vom Steinbeis-Europa-Zentrum abgewickelt.")["name"]
    # "AG" of "Prognos AG" is not found inside "Auftrag"
    claim = "Die Zielfelder wurden von McKinsey im Auftrag des Ministeriums definiert."
    assert rules.actor_conflict(claim, "Experten der Prognos AG haben die Zielfelder definiert.") is not None


def test_all_against_most_and_most_against_a_third() -> None:
    assert rules.quantifier_conflict(
        "Sämtliche ausgewählten Initiativen werden weitergeführt.",
        "Ein Großteil der ausgewählten Initiativen wird weitergeführt.",
    )
    assert rules.quantifier_conflict(
        "In den meisten Clustern sind mehr als fünf Personen tätig.",  # "fünf" is no share
        "So sind in rund einem Drittel der Cluster mehr als fünf Personen tätig.",
    )


def test_a_turned_comparison_conflicts() -> None:
    evidence = "Leistungen, die von größeren Clustermanagements häufiger erbracht werden als von kleineren."
    assert rules.comparison_conflict("Kleinere Clustermanagements leisten das häufiger als größere.", evidence)
    assert not rules.comparison_conflict("Größere Clustermanagements leisten das häufiger als kleinere.", evidence)
    assert not rules.comparison_conflict("Kleinere Clustermanagements leisten das häufig.", evidence)


def test_negation_and_quantifiers() -> None:
    assert rules.negated("Eine direkte Ansprache ist nicht möglich.")
    assert not rules.negated("Sie entwickeln ein Geschäftsmodell, um nicht von Fördermitteln abhängig zu sein.")
    assert not rules.negated("Das betrifft nicht nur Unternehmen, sondern auch Hochschulen.")
    assert (
        rules.quantifier_conflict("Nur wenige der 105 Initiativen wuchsen.", "alle 105 Initiativen wuchsen") is not None
    )
    assert (
        rules.quantifier_conflict("Die meisten Mitglieder beteiligen sich.", "20 % der Mitglieder beteiligen sich")
        is not None
    )
    assert rules.quantifier_conflict("Fast alle Befragten halfen.", "Nahezu alle Befragten halfen.") is None
    # the reason clause's "nicht" does not turn the negated statement round
    assert rules.negated("Sie hält es für nicht machbar, die Betriebe anzusprechen, weil sie diese nicht kennt.")
    assert rules.quantifier_conflict(  # the evidence also says "wenige", but of the exceptions
        "Das gilt nur in einem Teil der Länder.", "Bis auf wenige Ausnahmen gilt das in allen Ländern."
    )
    # a relative clause's "nicht" describes a noun, it does not negate the statement
    assert not rules.negated(
        "Ressourcen, die im Luftfahrtbereich nicht genutzt werden konnten, fanden ihren Einsatz im Cluster."
    )
    assert rules.negated("Ressourcen, die im Luftfahrtbereich frei waren, fanden keinen Einsatz im Cluster.")
    # an indirect question asks, it asserts nothing; "bzw." does not end it
    assert not rules.negated(
        "Sie konnten angeben, ob ihr Cluster ein Label hat, bzw. teilgenommen oder bislang keines erworben hat."
    )
    assert not rules.negated("Gefragt wurde, ob das Cluster gefördert wird oder nicht.")
    partial = "Nur ein Teil der 105 Initiativen gewann Akteure."
    assert rules.quantifier_conflict(partial, "alle 105 Initiativen hatten Akteurswachstum") is not None


def test_actor_conflicts() -> None:
    evidence = "in Großbritannien wurden in den 1980ern Entwicklungsagenturen eingeführt"
    assert rules.actor_conflict("In Finnland wurden Entwicklungsagenturen eingeführt.", evidence) == (
        "finnland",
        "großbritannien",
    )
    assert rules.actor_conflict("In Großbritannien wurden Entwicklungsagenturen eingeführt.", evidence) is None
    ministry = rules.actor_conflict(
        "Das Programm ist eine Maßnahme des Bundesministeriums für Bildung und Forschung.",
        "Das Programm ist die Maßnahme des Bundesministeriums für Wirtschaft und Energie.",
    )
    assert ministry is not None
    # a place and its adjective are one actor: "die Region Tuttlingen" is "das Tuttlinger Cluster"
    region = "In der Medizintechnik hält die Region Tuttlingen einen Weltmarktanteil von 50 Prozent."
    evidence = "Das {} Cluster ist ein Weltzentrum, denn die Region besitzt einen Weltmarktanteil von 50 Prozent."
    assert rules.actor_conflict(region, evidence.format("Tuttlinger")) is None
    assert rules.actor_conflict(region, evidence.format("Spaichinger")) is not None


def test_abbreviations_are_spelled_out_for_retrieval() -> None:
    assert "kleine und mittlere Unternehmen" in expand("Mehr KMU einbinden.")
    assert expand("Mehr Betriebe einbinden.") == "Mehr Betriebe einbinden."


# --- verdicts on the real corpus ------------------------------------------------------------------
def _assert_verbatim(settings: Settings, verdict_evidence: tuple) -> None:  # type: ignore[type-arg]
    library = open_library(settings)
    for citation in verdict_evidence:
        page = library.page(citation.doc, citation.page)
        assert page is not None and citation.quote in page.text


@pytest.mark.slow
def test_real_sentences_kept_changed_and_unrelated(real_index: Settings) -> None:
    kept = (
        "Von den 105 Clusterinitiativen tragen sich insgesamt 17 vollständig über "
        "privatwirtschaftliche Finanzierungsquellen."
    )
    changed = kept.replace("17", "45")
    unrelated = "Die Clusterinitiativen betreiben eigene Quantencomputer für die Wettervorhersage."
    supported = check_claim(real_index, kept)
    assert supported.verdict == "supported", supported
    assert supported.evidence and supported.evidence[0].doc == TRENDATLAS
    assert any("17 vollständig" in c.quote for c in supported.evidence)
    contradicted = check_claim(real_index, changed)
    assert contradicted.verdict == "contradicted", contradicted
    assert "45" in contradicted.reason and "17" in contradicted.reason
    assert check_claim(real_index, unrelated).verdict == "not_found"
    _assert_verbatim(real_index, supported.evidence + contradicted.evidence)


@pytest.mark.slow
def test_real_sentence_negated_and_actor_swapped(real_index: Settings) -> None:
    negated = "Eine direkte Ansprache von Handwerksbetrieben durch das Clustermanagement ist problemlos möglich."
    verdict = check_claim(real_index, negated)
    assert verdict.verdict == "contradicted", verdict
    assert verdict.evidence[0].doc == HANDWERK
    swapped = (
        "In Finnland wurde das Cluster Management in den 1980ern zur Aufgabe der Regionalen Entwicklungsagenturen."
    )
    actor = check_claim(real_index, swapped)
    assert actor.verdict == "contradicted", actor
    assert actor.evidence[0].doc == STATUS_QUO
    _assert_verbatim(real_index, verdict.evidence + actor.evidence)


def test_a_sentence_with_another_number_of_the_kind_still_talks_about_the_claim() -> None:
    claim = "Von den geplanten 30 Interviews wurden immerhin zwölf geführt."
    stated = "Von den geplanten 30 Interviews wurden lediglich sechs geführt."
    unrelated = "Von den geplanten 30 Interviews wurden einige geführt."
    # the altered number still counts half: the sentence is about that quantity, and may contradict
    assert _coverage(claim, claim, stated, {}) > _coverage(claim, claim, unrelated, {})


@pytest.mark.slow
def test_a_compound_the_documents_write_apart_is_no_unknown_term(real_index: Settings) -> None:
    library = open_library(real_index)
    assert unknown_terms(library, "Abends sollten Clusterveranstaltungen stattfinden.") == []
    assert unknown_terms(library, "Die Clusterinitiativen setzen auf Blockchain.") == ["Blockchain"]


def test_a_near_tied_sentence_naming_another_actor_contradicts(fake_index: Settings) -> None:
    library = open_library(fake_index)
    claim = "Die 18 Zielfelder wurden von Experten von McKinsey ermittelt und empfohlen."
    related = Window((0,), "Die 18 Zielfelder korrespondieren mit den Schwerpunkten der McKinsey-Experten.", 0.9, 0.66)

    def other(cover: float) -> Window:
        return Window((1,), "Experten der Prognos AG haben die 18 Zielfelder definiert und empfohlen.", 0.9, cover)

    verdict = decide(library, claim, [related, other(0.62)])
    assert verdict.verdict == "contradicted" and verdict.reason.startswith("Akteur weicht ab")
    assert decide(library, claim, [related, other(0.45)]).verdict == "supported"  # too far behind to decide


def test_actors_paired_the_other_way_round_contradict(fake_index: Settings) -> None:
    library = open_library(fake_index)
    evidence = Window(
        (0,),
        "Das Monitoring des Cluster Managements gehört in Finnland zum Arbeitsalltag, "
        "während es sich in Deutschland um eine Aufgabe der Zukunft handelt.",
        0.9,
        0.9,
    )
    swapped = "Das Monitoring gehört in Deutschland zum Arbeitsalltag, in Finnland ist es eine Aufgabe der Zukunft."
    kept = "Das Monitoring gehört in Finnland zum Arbeitsalltag, in Deutschland ist es eine Aufgabe der Zukunft."
    verdict = decide(library, swapped, [evidence])
    assert verdict.verdict == "contradicted" and verdict.reason.startswith("Akteur weicht ab"), verdict
    assert decide(library, kept, [evidence]).verdict == "supported"


def test_a_joined_claim_is_compared_part_by_part_for_negation(fake_index: Settings) -> None:
    library = open_library(fake_index)
    evidence = Window(
        (0,),
        "Das Handwerk wird von den Clustermanagern zu wenig bzw. gar nicht berücksichtigt; umgekehrt wird die "
        "Bedeutung von Clustern nur bei wenigen Vertretern der Handwerksorganisationen in vollem Umfang erkannt.",
        0.9,
        0.8,
    )
    kept = (
        "Das Handwerk wird von Clustermanagern kaum oder gar nicht beachtet, und umgekehrt erkennen nur wenige "
        "Vertreter der Handwerksorganisationen die Bedeutung von Clustern in vollem Umfang."
    )
    assert decide(library, kept, [evidence]).verdict == "supported"
    turned = kept.replace("kaum oder gar nicht", "sehr gut")
    assert decide(library, turned, [evidence]).verdict == "contradicted"


def test_a_near_tied_sentence_giving_the_claims_place_another_number_contradicts(fake_index: Settings) -> None:
    library = open_library(fake_index)
    claim = "Laut der europäischen Befragung verfügt das Cluster Management in Deutschland im Schnitt über 2,5 Stellen."
    closer = Window((0,), "Laut der Befragung ist jedes vierte Unternehmen in Europa in einem Cluster tätig.", 0.9, 0.5)
    stating = Window(
        (1,),
        "Im Durchschnitt verfügen die Organisationen über 2,5 Stellen, Deutschland ist mit 1,5 Stellen darunter.",
        0.9,
        0.45,
    )
    verdict = decide(library, claim, [closer, stating])
    assert verdict.verdict == "contradicted" and verdict.windows == (stating,), verdict


def test_a_number_of_some_members_says_nothing_against_the_average(fake_index: Settings) -> None:
    library = open_library(fake_index)
    some = Window(
        (0,),
        "Eine Reihe von Clusterinitiativen mit geringer Förderquote hat ein Jahresbudget von über 500.000 Euro.",
        0.9,
        0.6,
    )
    claim = "Das durchschnittliche Jahresbudget einer Clusterinitiative liegt bei rund 350.000 Euro."
    assert decide(library, claim, [some]).verdict == "not_found"  # the sentence does not state 350.000
    every = Window((0,), "Das durchschnittliche Jahresbudget einer Clusterinitiative liegt bei 500.000 Euro.", 0.9, 0.8)
    assert decide(library, claim, [every]).verdict == "contradicted"


def test_the_sentence_stating_the_claims_numbers_decides(fake_index: Settings) -> None:
    library = open_library(fake_index)
    claim = "Deutsche Clustermanagements waren mit 1,5 Stellen schwächer besetzt als der Durchschnitt von 2,5 Stellen."
    stating = Window(
        (0,), "Im Durchschnitt verfügen sie über 2,5 Stellen, Deutschland ist mit 1,5 Stellen darunter.", 0.9, 0.34
    )
    closer = Window((1,), "Die personelle Kapazität der Clustermanagements stieg auf 6 Beschäftigte.", 0.9, 0.40)
    verdict = decide(library, claim, [closer, stating])
    assert verdict.verdict == "supported" and verdict.windows == (stating,), verdict
    # a claim whose number no close sentence states is not supported by a sentence on its topic
    lonely = "Ein Clustermanager bleibt im Durchschnitt 14 Jahre auf seiner Position."
    topic = Window((1,), "Die Clustermanager bleiben im Durchschnitt lange auf ihrer Position.", 0.9, 0.6)
    assert decide(library, lonely, [topic]).verdict == "not_found"
    # … but a close sentence that states another year of it contradicts
    since = "Das Projekt begleitet den Austausch der Clustermanagements erst seit dem Jahr 2020."
    close = Window((0,), "Im Projekt wurde der Austausch der Clustermanagements intensiver.", 0.9, 0.8)
    other = Window((1,), "Das Projekt begleitet seit 2016 den Austausch der Clustermanagements.", 0.9, 0.65)
    verdict = decide(library, since, [close, other])
    assert verdict.verdict == "contradicted" and verdict.windows == (other,), verdict


def test_numbers_outweigh_a_word_the_documents_do_not_use(fake_index: Settings) -> None:
    library = open_library(fake_index)
    claim = "Die 105 Organisationen haben vier Stellen, die Spanne reicht von 0,25 bis 27 Stellen."
    assert unknown_terms(library, claim) == ["Spanne"]
    stating = Window(
        (0,), "Die 105 Initiativen haben vier Stellen, die Ausstattung reicht von 0,25 bis 27 Stellen.", 0.9, 0.7
    )
    assert decide(library, claim, [stating]).verdict == "supported"
    assert decide(library, claim.replace("0,25 bis 27", "eins bis drei"), [stating]).verdict != "supported"


def test_inflected_verb_forms_meet_through_their_lemma() -> None:
    claim, text = lemma_stems(
        [
            "Die Studie empfiehlt, Handwerksbetriebe über die Kammern anzusprechen.",
            "Handwerksbetriebe müssten über die HWK bzw. die Innung angesprochen werden.",
        ]
    )
    assert {"ansprech", "handwerksbetrieb"} <= claim & text
    assert {"clust", "forum"} <= lemma_stems(["Das Cluster-Forum findet statt."])[0]  # hyphenated words too


@pytest.mark.slow
def test_the_study_recommends_approaching_craft_businesses_through_the_chambers(real_index: Settings) -> None:
    # the example: the sentence says "HWK" and "angesprochen werden müssten", and the
    # embedder alone ranks it 102nd
    claim = "Die Studie empfiehlt, Handwerksbetriebe über die Kammern anzusprechen."
    verdict = check_claim(real_index, claim)
    assert verdict.verdict == "supported", verdict
    assert any("über die HWK bzw. die Innung" in e.quote for e in verdict.evidence)
    negated = check_claim(real_index, "Die Studie empfiehlt, Handwerksbetriebe nicht über die Kammern anzusprechen.")
    assert negated.verdict == "contradicted", negated
    _assert_verbatim(real_index, verdict.evidence + negated.evidence)


def test_a_claim_is_split_where_it_joins_statements() -> None:
    summed = "Geförderte Cluster sind leistungsfähiger, und die Studie rät, das bei Finanzierungsmodellen zu beachten."
    assert conjuncts(summed) == [
        "Geförderte Cluster sind leistungsfähiger",
        "die Studie rät, das bei Finanzierungsmodellen zu beachten.",
    ]
    assert conjuncts("Das Land führte das Label ein, weil die Landesregierung Cluster halbieren wollte.") == [
        "Das Land führte das Label ein",
        "weil die Landesregierung Cluster halbieren wollte.",
    ]
    # a part with too few words of its own stays with its neighbour, and keeps its "aber"
    assert conjuncts("Die Nähe ist wichtig, aber nicht allein entscheidend für die Zusammenarbeit der Akteure.") == [
        "Die Nähe ist wichtig, aber nicht allein entscheidend für die Zusammenarbeit der Akteure."
    ]
    assert conjuncts("Sechs Clustermanagements im Land arbeiten seit 2010 zusammen.") == [
        "Sechs Clustermanagements im Land arbeiten seit 2010 zusammen."
    ]


def test_a_joined_claim_is_supported_when_every_part_is() -> None:
    first, second = Window((0,), "Erster Satz.", 0.9, 0.8), Window((5,), "Zweiter Satz.", 0.9, 0.8)
    whole_missing = Finding("not_found", "Keine Stelle …", (first,))
    supported = [("a", Finding("supported", "", (first,))), ("b", Finding("supported", "", (second,)))]
    joined = by_parts(whole_missing, supported)
    assert joined.verdict == "supported" and joined.windows == (first, second)
    one_missing = [supported[0], ("weil b", Finding("not_found", "", ()))]
    assert by_parts(whole_missing, one_missing) is whole_missing
    whole_supported = Finding("supported", "", (first,))
    lost = by_parts(whole_supported, one_missing)
    assert lost.verdict == "not_found" and "„weil b“" in lost.reason and lost.windows == (first,)
    assert by_parts(whole_supported, supported) is whole_supported
    assert by_parts(whole_missing, supported[:1]) is whole_missing  # one part: nothing joined


@pytest.mark.slow
def test_a_claim_summing_up_two_passages_and_one_with_an_invented_reason(real_index: Settings) -> None:
    summed = check_claim(
        real_index,
        "Nach der Corona-Trendstudie sind Cluster, die vorwiegend institutionell gefördert werden, die "
        "leistungsfähigeren, und die Autoren raten, dies beim Entwickeln von Finanzierungsmodellen zu beachten.",
    )
    assert summed.verdict == "supported", summed
    assert any("Finanzierungsmodellen" in e.quote for e in summed.evidence) and len(summed.evidence) >= 2
    label = "Baden-Württemberg hat als erstes Bundesland das Label Cluster-Exzellenz eingeführt"
    assert check_claim(real_index, f"{label}.").verdict == "supported"
    invented = check_claim(real_index, f"{label}, weil die Landesregierung die Zahl der Cluster halbieren wollte.")
    assert invented.verdict == "not_found" and "halbieren" in invented.reason, invented
    _assert_verbatim(real_index, summed.evidence + invented.evidence)


# --- the optional LLM backend ---------------------------------------------------------------------
class _FakeStructured:
    def __init__(self, result: object) -> None:
        self.result = result

    def invoke(self, prompt: str) -> object:
        return self.result


def test_llm_verdict_cites_stored_sentences_or_falls_back(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.extract import llm_extract
    from tests.assistant.test_extract import build_small_index

    settings = build_small_index(tmp_path_factory.mktemp("claims-llm")).model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "test"}
    )
    claim = "Die Rücklaufquote lag bei 40 Prozent."
    said = llm_extract.LlmVerdict(verdict="supported", evidence=[1], reason="Beleg 1 nennt 40 Prozent.")
    monkeypatch.setattr(llm_extract, "structured_model", lambda s, schema: _FakeStructured(said))
    judged = judge_claim(settings, claim)
    verdict = judged.verdict
    assert verdict.verdict == "supported" and verdict.reason == "Beleg 1 nennt 40 Prozent."
    assert verdict.evidence and not judged.by_rules
    _assert_verbatim(settings, verdict.evidence)

    unsupported = llm_extract.LlmVerdict(verdict="contradicted", evidence=[], reason="ohne Beleg")
    monkeypatch.setattr(llm_extract, "structured_model", lambda s, schema: _FakeStructured(unsupported))
    fallback = judge_claim(settings, claim)  # no deciding sentence: the rules decide, and say so
    assert fallback.verdict.reason != "ohne Beleg" and fallback.by_rules
    assert check_claim(settings, claim) == fallback.verdict
