from __future__ import annotations

import pytest

from bot.nlu.normalise import fold, normalise


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("J'arrive PAS à me connecter", "j arrive pas a me connecter"),
        ("jarrive pa a me conecter", "j arrive pa a me connecter"),
        ("bonjouuuuur", "bonjour"),
        ("mdp perdu svp", "mot de passe perdu s il vous plait"),
        ("Mon lien a expiré !!!", "mon lien a expire"),
        ("l’ENT est bloqué", "l ent est bloque"),
        ("", ""),
        ("c'est quoi", "c est quoi"),
        ("c quoi", "c est quoi"),
        ("keske je fais ajd pcq g pas de msg", "qu est ce que je fais aujourd hui parce que j ai pas de message"),
    ],
)
def test_phone_typing_is_folded_away(typed: str, seen: str) -> None:
    assert normalise(typed) == seen


def test_fold_keeps_one_character_for_one_so_spans_stay_valid() -> None:
    text = "Élève à Orléans, ÇA œuvre"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("eleve a orleans")
