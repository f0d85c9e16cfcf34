"""The trained model: typed e-mail addresses stay information, typos and plain wordings reach their topic."""

from __future__ import annotations

import pytest

from bot.nlu.model import NluModel
from bot.nlu.multi import parse_message


def test_a_request_to_send_to_a_typed_address_is_information_given(nlu: NluModel) -> None:
    for text in (
        "envoyez le nouveau lien à marc.perso@gmail.com",
        "envoyez le lien de validation à marc.perso@gmail.com svp",
    ):
        assert parse_message(nlu, text)["intent"]["name"] == "inform"


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("coment jactve mon comtpe", "ask_activation_howto"),
        ("jai perdu mes codse provisoirse", "lost_provisional_credentials"),
        ("le lein de valdiation a expirer", "link_expired"),
        ("regles du mot de pase svp", "password_rules"),
    ],
)
def test_phone_typos_reach_the_topic(nlu: NluModel, typed: str, intent: str) -> None:
    assert nlu.parse(typed)["intent"]["name"] == intent


def test_the_corrector_is_part_of_the_saved_model(nlu: NluModel) -> None:
    assert nlu.corrector is not None
    assert nlu.features_text("mon comtpe") == "mon compte"
