"""The spelling corrector brings phone typos back to words the classifier was trained on, and nothing else."""

from __future__ import annotations

import pytest

from bot.core.distance import edit_distance
from bot.nlu.normalise import normalise
from bot.nlu.spelling import SpellingCorrector

TRAINING = [
    "comment activer mon compte",
    "mot de passe oublie",
    "je n arrive pas a me connecter",
    "lien de validation expire",
    "reinitialiser mon identifiant",
]


@pytest.fixture()
def corrector() -> SpellingCorrector:
    return SpellingCorrector.from_texts([normalise(t) for t in TRAINING], {"jactive": "j active"})


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("comptr", "compte"),  # substitution
        ("conecter", "connecter"),  # deletion (8 letters)
        ("activver", "activer"),  # insertion
        ("ocmment", "comment"),  # transposition
        ("reinitailsier", "reinitialiser"),  # two edits in a long word
        ("jacive", "j active"),  # a typed form normalisation rewrites
    ],
)
def test_typos_are_corrected_to_the_training_vocabulary(corrector: SpellingCorrector, typed: str, meant: str) -> None:
    assert corrector.correct_word(typed) == meant


@pytest.mark.parametrize("kept", ["mon", "xusername", "xuai", "0751234a", "bonjour", "actvr", "compte"])
def test_short_known_far_and_placeholder_words_are_kept(corrector: SpellingCorrector, kept: str) -> None:
    assert corrector.correct_word(kept) == kept


def test_a_whole_normalised_message(corrector: SpellingCorrector) -> None:
    assert corrector.correct("comment activr mon comptz xusername") == "comment activer mon compte xusername"


def test_optimal_string_alignment_distance() -> None:
    assert edit_distance("compte", "compte", 2) == 0
    assert edit_distance("ocmpte", "compte", 2) == 1
    assert edit_distance("cmte", "compte", 2) == 2
    assert edit_distance("abc", "xyzabc", 1) == 2
