"""Misses are grouped by similarity (character n-gram TF-IDF cosine, leader clustering): one group per kind."""

from __future__ import annotations

import pytest

from bot.nlu.normalise import normalise
from bot.nlu.similarity import THRESHOLD, char_ngrams, group_texts, similarity_matrix

MISSES = [
    "mdp perdu",
    "j ai perdu mon mdp",
    "jai perdu mon mot de passe",
    "mon compte est bloqué",
    "mon compte est bloque depuis hier",
    "compte bloqué",
    "quel temps fait il",
    "il fait beau aujourd hui ?",
    "c quoi pronote",
    "pronote marche pas",
    "mon compte ent",
    "je veux mon compte ent",
]


def test_char_ngrams_are_those_of_padded_words() -> None:
    grams = char_ngrams("ab cd")
    assert grams[" a"] == 1 and grams["ab "] == 1 and grams[" ab "] == 1 and grams[" cd "] == 1
    assert "b c" not in grams  # n-grams never cross words (scikit-learn's char_wb)


def test_similarities_are_cosines() -> None:
    matrix = similarity_matrix(["mot de passe perdu", "j ai perdu mon mot de passe", "il fait beau"])
    assert matrix[0, 0] == pytest.approx(1.0) and matrix[1, 0] == pytest.approx(matrix[0, 1])
    assert matrix[0, 1] > 0.8 and matrix[0, 2] < 0.1


def test_the_misses_fall_into_one_group_per_kind_the_largest_first() -> None:
    groups = group_texts(MISSES)
    named = [sorted(MISSES[i] for i in group.members) for group in groups]
    assert named[:3] == [  # three each: the one with a repeated text (once normalised) first
        ["j ai perdu mon mdp", "jai perdu mon mot de passe", "mdp perdu"],
        ["compte bloqué", "mon compte est bloque depuis hier", "mon compte est bloqué"],
        ["je veux mon compte ent", "mon compte ent"],
    ]
    assert sorted(len(n) for n in named[3:]) == [1, 1, 1, 1]  # weather, pronote twice: nothing alike
    assert sorted(i for group in groups for i in group.members) == list(range(len(MISSES)))


def test_the_threshold_decides_how_close_a_group_is() -> None:
    loose = group_texts(MISSES, threshold=0.5)
    assert any({"mon compte ent", "compte bloqué"} <= {MISSES[i] for i in g.members} for g in loose)
    assert THRESHOLD > 0.52  # « mon compte ent » and « mon compte est bloqué »: two groups as shipped


def test_repeats_count_and_the_most_repeated_text_leads() -> None:
    texts = ["compte bloqué", "mon compte est bloqué", "mon compte est bloqué", "Mon compte est bloqué !"]
    (group,) = group_texts(texts)
    assert group.size == 4 and normalise(texts[group.leader]) == normalise("mon compte est bloqué")


def test_nothing_and_empty_texts_group_without_error() -> None:
    assert group_texts([]) == []
    assert [g.size for g in group_texts(["", "", "bonjour"])] == [2, 1]
