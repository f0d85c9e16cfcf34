"""Perturbations change the words a user types, deterministically, and never the data they give."""

from __future__ import annotations

import pytest

from bot.nlu.perturb import PERTURBATIONS, capitals, drop_accents, sms, typos

SENTENCE = "Je ne sais pas pourquoi mon mot de passe est refusé, c'est quoi le problème ? S'il vous plaît"
WITH_DATA = "mon identifiant est marie.dupont2, mon lycée 0751234A et mon mail lea.martin@gmail.com, ticket #42"


def test_drop_accents_removes_diacritics_and_keeps_case() -> None:
    assert drop_accents("Élève à Orléans, ça déçoit") == "Eleve a Orleans, ca decoit"


def test_typos_are_seeded_and_about_one_per_eight_characters() -> None:
    assert typos(SENTENCE, 8, seed=3) == typos(SENTENCE, 8, seed=3)
    assert typos(SENTENCE, 8, seed=3) != typos(SENTENCE, 8, seed=4)
    changed = [
        sum(a != b for a, b in zip(SENTENCE.split(), typos(SENTENCE, 8, s).split(), strict=False)) for s in range(20)
    ]
    words = len(SENTENCE.split())
    assert 4 <= sum(changed) / len(changed) <= words  # ~11 typos on 16 words: most words differ, not all
    assert typos(SENTENCE, 1000, seed=0).count(" ") == SENTENCE.count(" ")


def test_typos_never_touch_identifiers_school_codes_emails_or_tickets() -> None:
    for seed in range(30):
        noisy = typos(WITH_DATA, 4, seed)
        for value in ("marie.dupont2", "0751234A", "lea.martin@gmail.com", "#42"):
            assert value in noisy
    assert typos("0751234A marie.dupont", 8, 0) == "0751234A marie.dupont"


def test_sms_spellings_of_common_phrases() -> None:
    assert sms(SENTENCE) == "jsp pk mon mdp est refusé, c koi le pb ? svp"
    assert sms("J'ai beaucoup de mal, quelqu'un peut m'aider ?") == "g bcp de mal, qqn peut m'aider ?"
    assert sms("pour marie.dupont et pourquoi.pas") == "pr marie.dupont et pourquoi.pas"


def test_capitals_all_caps_or_random_but_data_kept() -> None:
    assert capitals("mon compte marie.dupont", "upper") == "MON COMPTE marie.dupont"
    noisy = capitals(SENTENCE, "random", seed=1)
    assert noisy.lower() == SENTENCE.lower() and noisy != SENTENCE
    assert noisy == capitals(SENTENCE, "random", seed=1)
    with pytest.raises(ValueError):
        capitals("x", "title")


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
def test_every_reported_perturbation_is_deterministic(name: str) -> None:
    assert PERTURBATIONS[name](SENTENCE, 5) == PERTURBATIONS[name](SENTENCE, 5)
