"""Finding a school by what a user types (bot.core.schools): pure ranking, no directory."""

from __future__ import annotations

import pytest

from bot.core.accounts import Establishment
from bot.core.schools import (
    SchoolMatch,
    allowed_edits,
    edit_distance,
    fold,
    is_clear_match,
    query_tokens,
    school_matches,
    school_phrase,
    search_skeletons,
)

MOULIN_PARIS = Establishment("0750001A", "Lycée Jean Moulin", "monlycee", city="Paris")
MOULIN_CLG = Establishment("0750002B", "Collège Jean Moulin", "monlycee", city="Paris")
MOULIN_ORLEANS = Establishment("0450001A", "Lycée Jean Moulin", "netocentre", city="Orléans")
JAURES = Establishment("0750003C", "Lycée Jean Jaurès", "monlycee", city="Paris")
ELUARD = Establishment("0931234B", "Lycée Paul Éluard", "monlycee", city="Saint-Denis")
SAINT_PAUL = Establishment("0750004D", "Lycée Saint-Paul", "monlycee", city="Paris")
BATIMENT = Establishment("0410001X", "Lycée des métiers du bâtiment", "netocentre", city="Blois")
BATIMENT_LGT = Establishment("0410002Y", "LGT du Bâtiment et des Travaux publics", "netocentre", city="Blois")
VOLTAIRE_ORLEANS = Establishment("0450012D", "LGT Voltaire", "netocentre", city="Orléans")
VOLTAIRE_PARIS = Establishment("0750005E", "Lycée Voltaire", "monlycee", city="Paris")
IROISE_LG = Establishment("0290009C", "LG-DE L'IROISE-ac-RENNES", "netocentre", city="BREST CEDEX 2")
IROISE_CLG = Establishment("0291595B", "CLG-DE L'IROISE-ac-RENNES", "netocentre", city="BREST CEDEX 2")
ROMAS = Establishment("0470001A", "LYC-METIER JACQUES DE ROMAS-ac-ORLEANS-TOURS", "netocentre", city="NERAC")
NO_CITY = Establishment("0930001C", "Lycée Condorcet", "monlycee")

SCHOOLS = [
    MOULIN_PARIS,
    MOULIN_CLG,
    MOULIN_ORLEANS,
    JAURES,
    ELUARD,
    SAINT_PAUL,
    BATIMENT,
    BATIMENT_LGT,
    VOLTAIRE_ORLEANS,
    VOLTAIRE_PARIS,
    IROISE_LG,
    IROISE_CLG,
    ROMAS,
    NO_CITY,
]


def ranked(query: str, schools: list[Establishment] = SCHOOLS) -> list[str]:
    return [m.establishment.uai for m in school_matches(query, schools)]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lycee jean moulin a paris", MOULIN_PARIS),
        ("LYCÉE JEAN MOULIN PARIS", MOULIN_PARIS),
        ("le lycée Jean-Moulin à Paris", MOULIN_PARIS),
        ("jean moulin orléans", MOULIN_ORLEANS),
        ("jean moulin orleans", MOULIN_ORLEANS),
        ("collège jean moulin", MOULIN_CLG),
        ("clg jean moulin", MOULIN_CLG),
        ("colege jean moulin", MOULIN_CLG),  # a typo in the type word
        ("lyc. paul eluard st denis", ELUARD),
        ("paul éluard saint-denis", ELUARD),
        ("le LP du batiment", BATIMENT),
        ("lycée professionnel du bâtiment", BATIMENT),
        ("lgt du batiment", BATIMENT_LGT),
        ("batiment travaux publics", BATIMENT_LGT),
        ("lgt voltaire orleans", VOLTAIRE_ORLEANS),
        ("lycee voltaire paris", VOLTAIRE_PARIS),
        ("lycée de l'iroise brest", IROISE_LG),
        ("lycee de l iroise brest", IROISE_LG),
        ("college de l'iroise", IROISE_CLG),
        ("collège de l’iroise", IROISE_CLG),
        ("lycée des métiers jacques de romas", ROMAS),
        ("jacques de romas nerac", ROMAS),
        ("condorcet", NO_CITY),
        ("mon fils est au lycée condorcet", NO_CITY),
    ],
)
def test_the_school_meant_comes_first(query: str, first: Establishment) -> None:
    assert ranked(query)[0] == first.uai


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lycée jean moulain paris", MOULIN_PARIS),  # one letter too many
        ("lycee jaen moulin paris", MOULIN_PARIS),  # two letters swapped
        ("lycee jean moulin pari", MOULIN_PARIS),  # a letter missing in the town
        ("paul eluart saint denis", ELUARD),
        ("lycee voltiare orleans", VOLTAIRE_ORLEANS),
        ("jaques de romass", ROMAS),
        ("lycee iroize", IROISE_LG),
        ("colège iroize", IROISE_CLG),
    ],
)
def test_small_typos_are_tolerated(query: str, first: Establishment) -> None:
    assert ranked(query)[0] == first.uai


@pytest.mark.parametrize("query", ["jean mxxlin", "voltxxxe", "condxxxet", "lycée xyz"])
def test_bigger_typos_are_not(query: str) -> None:
    assert ranked(query) == []


def test_long_words_tolerate_two_edits_short_words_none() -> None:
    long = Establishment("0750010A", "Lycée Chateaubriand", "monlycee", city="Paris")
    assert ranked("chateaubrien", [long]) == ["0750010A"]  # 2 edits in 13 letters
    assert ranked("chatobriand", [long]) == []  # 3 edits
    assert ranked("lycee tcondorcet", [NO_CITY]) == [NO_CITY.uai]  # 1 edit in 9 letters
    henri = Establishment("0750011B", "Lycée Henri IV", "monlycee", city="Paris")
    assert ranked("henri iv", [henri]) == ["0750011B"]
    assert ranked("henri vi", [henri]) == []  # 2 letters: exactly or not at all


def test_edit_distance() -> None:
    assert edit_distance("moulin", "moulin", 1) == 0
    assert edit_distance("moulain", "moulin", 1) == 1
    assert edit_distance("jaen", "jean", 1) == 1  # a transposition is one edit
    assert edit_distance("voltaire", "vlotiare", 2) == 2
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1


def test_fold_and_tokens() -> None:
    assert fold("Lycée Éluard Œuvre Ça") == "lycee eluard oeuvre ca"
    assert query_tokens("Le lycée de l'Iroise à Brest") == ["iroise", "brest"]
    assert query_tokens("lyc. Paul-Éluard, St Denis 93200") == ["paul", "eluard", "saint", "denis"]
    assert query_tokens("LGT LP LPO CLG lycée des métiers polyvalent général technologique agricole") == []
    assert query_tokens("lycé jean moulin") == ["jean", "moulin"]
    assert len(query_tokens(" ".join(f"mot{n}" for n in range(100)))) == 12  # a pasted paragraph is cut


def test_type_words_are_soft() -> None:
    assert set(ranked("voltaire")) == {VOLTAIRE_ORLEANS.uai, VOLTAIRE_PARIS.uai}
    assert set(ranked("college voltaire")) == {VOLTAIRE_ORLEANS.uai, VOLTAIRE_PARIS.uai}  # no collège: lycées still
    lycee, college = school_matches("lycée iroise", [IROISE_LG, IROISE_CLG])
    assert lycee.establishment == IROISE_LG and lycee.score > college.score
    assert school_matches("lycée", SCHOOLS) == [] and school_matches("le LP", SCHOOLS) == []


def test_the_academy_suffix_is_not_part_of_the_name() -> None:
    assert ranked("rennes") == [] and ranked("tours") == []
    assert ranked("iroise ac rennes") == []  # "rennes" is explained by nothing
    assert ranked("romas", [ROMAS]) == [ROMAS.uai]


def test_a_name_token_miss_costs_more_than_a_town_miss() -> None:
    (name_missed,) = school_matches("moulin paris", [MOULIN_PARIS])  # "jean" not typed
    (town_missed,) = school_matches("jean moulin", [MOULIN_PARIS])  # "paris" not typed
    assert town_missed.score > name_missed.score
    (wrong_town,) = school_matches("jean moulin lyon", [MOULIN_PARIS])
    assert wrong_town.score < town_missed.score and wrong_town.unmatched == ("lyon",)


def test_the_school_with_the_right_town_wins_among_homonyms() -> None:
    assert ranked("jean moulin paris", [MOULIN_ORLEANS, MOULIN_PARIS])[0] == MOULIN_PARIS.uai
    assert ranked("jean moulin orleans", [MOULIN_PARIS, MOULIN_ORLEANS])[0] == MOULIN_ORLEANS.uai


def test_only_real_matches() -> None:
    assert ranked("jean moulin paris", [JAURES]) == []  # shares "jean" and the town only
    assert ranked("victor hugo") == []
    assert ranked("") == [] and ranked("   ") == [] and ranked("?!") == []
    assert ranked("bonjour") == []
    assert JAURES.uai not in ranked("lycee jean moulin")


def test_a_town_alone_offers_its_schools() -> None:
    assert set(ranked("lycée à Blois")) == {BATIMENT.uai, BATIMENT_LGT.uai}
    assert ranked("college a brest") == [IROISE_CLG.uai, IROISE_LG.uai]
    assert ranked("blois voltaire") == []  # neither a school of Blois nor a Voltaire with that town only


def test_order_is_stable_for_equal_scores() -> None:
    first = ranked("jean moulin", [MOULIN_PARIS, MOULIN_ORLEANS])
    assert first == ranked("jean moulin", [MOULIN_ORLEANS, MOULIN_PARIS])


def test_is_clear_match() -> None:
    assert is_clear_match(school_matches("lycee jean moulin a paris", SCHOOLS))
    assert is_clear_match(school_matches("college de l'iroise", SCHOOLS))
    assert is_clear_match(school_matches("lyc. paul eluard st denis", SCHOOLS))
    assert not is_clear_match(school_matches("jean moulin", SCHOOLS))  # three of them
    assert not is_clear_match(school_matches("iroise brest", SCHOOLS))  # lycée or collège?
    assert not is_clear_match(school_matches("voltaire", SCHOOLS))
    assert not is_clear_match(school_matches("jean moulin lyon", [MOULIN_PARIS]))  # Lyon was not found
    assert not is_clear_match([])
    single = [SchoolMatch(NO_CITY, 2.0)]
    assert is_clear_match(single)
    assert not is_clear_match([SchoolMatch(NO_CITY, 2.0), SchoolMatch(MOULIN_PARIS, 1.5)])
    assert is_clear_match([SchoolMatch(NO_CITY, 2.0), SchoolMatch(MOULIN_PARIS, 1.0)])


def test_search_skeletons_survive_accents_and_typos() -> None:
    assert search_skeletons("lycée jean") == [("j", "n")]
    assert search_skeletons("Éluard") == [("r", "d"), ("l", "d"), ("l", "r")]
    assert search_skeletons("voltiare") == search_skeletons("voltaire")
    assert ("v", "l", "t") in search_skeletons("voltaite")  # a wrong consonant: one skeleton leaves it out
    assert ("m", "l") in search_skeletons("moulim")
    assert search_skeletons("françois") == search_skeletons("francois")
    assert search_skeletons("eau") == [("eau",)]
    assert search_skeletons("") == [] and search_skeletons("le lycée") == []
    assert all(part.isalnum() for skeleton in search_skeletons("*)(ou=*\\00") for part in skeleton)


def test_a_word_typed_twice_counts_once() -> None:
    (once,) = school_matches("jean moulin", [MOULIN_PARIS])
    (twice,) = school_matches("jean moulin moulin", [MOULIN_PARIS])
    assert twice.score < once.score and twice.unmatched == ("moulin",)


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance"),
    [
        ("", "abc", 3, 3),
        ("abcd", "", 2, 3),  # lengths too far apart: limit + 1 at once
        ("ab", "ba", 1, 1),  # a transposition at the start
        ("abcdef", "abcdfe", 1, 1),  # ... and at the end
        ("abcdef", "badcfe", 3, 3),  # three transpositions
        ("kitten", "sitting", 3, 3),
        ("kitten", "sitting", 2, 3),  # over the limit: limit + 1
        ("moulin", "moulins", 1, 1),
        ("lycee", "lyce", 0, 1),
        ("aaa", "a", 2, 2),  # a letter repeated is not a transposition
        ("abcd", "abwxyz", 2, 3),  # the last row within the limit but not its end: limit + 1
    ],
)
def test_edit_distance_values(a: str, b: str, limit: int, distance: int) -> None:
    assert edit_distance(a, b, limit) == distance
    assert edit_distance(b, a, limit) == distance


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [("abc", "abcdefgh", 0), ("abcd", "abcdefgh", 1), ("abcdefg", "abcdefgh", 1), ("abcdefgh", "abcdefghij", 2)],
)
def test_edits_allowed_grow_with_the_shorter_word(a: str, b: str, edits: int) -> None:
    assert allowed_edits(a, b) == allowed_edits(b, a) == edits


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("je suis secretaire au lycée paul bert a paris, je peux avoir un compte ?", "lycée paul bert a paris"),
        ("ah non pardon, c'est le paul bert de montreuil", "paul bert de montreuil"),
        ("il est au LP du batiment et il a perdu son mdp", "LP du batiment"),
        ("c'est pas grave merci", None),
    ],
)
def test_the_words_naming_a_school_in_a_sentence(text: str, phrase: str | None) -> None:
    assert school_phrase(text) == phrase


# -- the scores, as the module's docstring states them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "school", "score"),
    [
        ("jean moulin paris", MOULIN_PARIS, 2 + 2 + 1),  # every name word and the town, exactly
        ("moulin paris", MOULIN_PARIS, 2 + 1 - 0.3),  # a name word not typed
        ("jean moulin", MOULIN_PARIS, 2 + 2 - 0.25),  # the town not typed
        ("condorcet", NO_CITY, 2),  # no town on record: nothing to miss
        ("jean moulain paris", MOULIN_PARIS, 2 + (2 - 0.5) + 1),  # an edit in a name word
        ("jean moulin pari", MOULIN_PARIS, 2 + 2 + (1 - 0.25)),  # an edit in the town
        ("jean moulin lyon", MOULIN_PARIS, 2 + 2 - 0.25 - 1),  # a word found nowhere
        ("lycée jean moulin paris", MOULIN_PARIS, 5 + 0.5),  # the same level
        ("collège jean moulin paris", MOULIN_PARIS, 5 - 1),  # the other level
        ("lgt voltaire orleans", VOLTAIRE_ORLEANS, 3 + 0.5 + 2 * 0.25),  # the level and two kinds shared
        ("lp voltaire orleans", VOLTAIRE_ORLEANS, 3 + 0.5 - 0.5),  # only other kinds
        ("lycée de brest", IROISE_LG, 1 + 0.5),  # a town alone: no name word to miss
    ],
)
def test_scores_follow_the_documented_weights(query: str, school: Establishment, score: float) -> None:
    (match,) = school_matches(query, [school])
    assert match.score == pytest.approx(score)


def test_a_typo_costs_and_an_exact_word_wins() -> None:
    (exact,) = school_matches("jean moulin", [MOULIN_PARIS])
    (typo,) = school_matches("jean moulain", [MOULIN_PARIS])
    assert typo.score < exact.score


def test_the_school_whose_name_was_typed_whole_comes_first() -> None:
    la_fontaine = Establishment("0750040A", "Lycée La Fontaine", "monlycee", city="Paris")
    jean_de_la_fontaine = Establishment("0750041B", "Lycée Jean de La Fontaine", "monlycee", city="Paris")
    assert ranked("lycée la fontaine", [jean_de_la_fontaine, la_fontaine]) == [la_fontaine.uai, jean_de_la_fontaine.uai]


def test_type_words_add_up() -> None:
    """ "lycée général" is a lycée and general: a collège of the same name comes last."""
    assert ranked("lycée général jean moulin")[-1] == MOULIN_CLG.uai
    lycee, college = school_matches("lycée général jean moulin", [MOULIN_PARIS, MOULIN_CLG])
    assert lycee.establishment == MOULIN_PARIS and lycee.score - college.score == pytest.approx(0.5 + 1)


def test_a_word_is_paired_with_what_it_matches_best() -> None:
    """In Moulins, "moulin" is the name and "moulins" the town: the school scores as Jean Moulin in Paris does."""
    moulins = Establishment("0030001A", "Lycée Jean Moulin", "monlycee", city="Moulins")
    (in_moulins,) = school_matches("jean moulin moulins", [moulins])
    (in_paris,) = school_matches("jean moulin paris", [MOULIN_PARIS])
    assert in_moulins.score == in_paris.score and in_moulins.unmatched == ()
    (words_reordered,) = school_matches("moulins, jean moulin", [moulins])
    assert words_reordered.score == in_moulins.score


def test_a_word_typed_as_the_town_reads_as_the_town() -> None:
    """Every school of Chartres scores alike for "lycée chartres", even one whose name is two letters from it."""
    chartreux = Establishment("0280001A", "Lycée des Chartreux", "netocentre", city="Chartres")
    marceau = Establishment("0280002B", "Lycée Marceau", "netocentre", city="Chartres")
    first, second = school_matches("lycée chartres", [marceau, chartreux])
    assert first.score == second.score == 1 + 0.5


def test_a_netocentre_name_ranks_as_the_same_name_written_plainly() -> None:
    plain = Establishment("0290009C", "Lycée de l'Iroise", "netocentre", city="BREST CEDEX 2")
    (netocentre,) = school_matches("lycée iroise", [IROISE_LG])
    (written,) = school_matches("lycée iroise", [plain])
    assert netocentre.score == written.score


def test_a_short_number_is_part_of_a_name() -> None:
    """ "19 mars" names the Collège du 19 Mars 1962, not any school with "Mars" in its name."""
    dix_neuf_mars = Establishment("0080001A", "Collège du 19 Mars 1962", "monlycee", city="Sedan")
    champ_de_mars = Establishment("0080002B", "Collège du Champ de Mars", "monlycee", city="Sedan")
    assert ranked("collège du 19 mars", [champ_de_mars, dix_neuf_mars]) == [dix_neuf_mars.uai]


def test_years_and_postal_codes_are_not_part_of_a_name() -> None:
    assert query_tokens("collège du 19 mars 1962 à Sedan 08200") == ["19", "mars", "sedan"]
    assert query_tokens("lycée voltaire 45000 orléans") == ["voltaire", "orleans"]


def test_a_type_word_of_five_letters_survives_a_typo() -> None:
    assert query_tokens("lucée voltaire") == ["voltaire"]
    (match,) = school_matches("lucee voltaire", [VOLTAIRE_PARIS])
    assert match.unmatched == ()


def test_a_town_close_to_a_type_word_is_still_a_town() -> None:
    """Only what the user types may be a misspelt type word: the town of Générac is not "général" (typed with a slip,
    "génerrac" is two letters from "général" and one from the town)."""
    vaunage = Establishment("0300001A", "Collège de la Vaunage", "monlycee", city="Générac")
    assert ranked("collège génerrac", [vaunage]) == [vaunage.uai]


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("il est au lycée camille pissarro à pontoise", "lycée camille pissarro à pontoise"),
        ("mon fils est au collège jean moulin et il a oublié son mot de passe", "collège jean moulin"),
        ("ma fille est en seconde au LGT Voltaire, elle ne peut plus se connecter", "LGT Voltaire"),
        ("bonjour, je ne peux plus me connecter", None),
    ],
)
def test_the_words_naming_a_school_by_its_type_in_a_sentence(sentence: str, phrase: str | None) -> None:
    assert school_phrase(sentence) == phrase
