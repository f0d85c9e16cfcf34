"""The trained model: typed e-mail addresses stay information, typos and plain wordings reach their topic."""

from __future__ import annotations

import pytest

from bot.nlu.model import NluModel
from bot.nlu.multi import clauses_of, parse_message


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


def test_a_clause_only_asking_what_to_do_is_no_second_problem(nlu: NluModel) -> None:
    text = (
        "Bonjour, ma fille n'arrive plus à se connecter, son identifiant est chloe.roux, il paraît que son compte "
        "est désactivé. Que doit-elle faire ?"
    )
    assert "secondary_intent" not in parse_message(nlu, text)


def test_an_identifier_is_not_cut_into_clauses_and_a_question_word_opens_one() -> None:
    assert clauses_of("son identifiant est chloe.roux, que faire") == ["son identifiant est chloe.roux, que faire"]
    assert clauses_of("c quoi le lien de cesame et pk ca marchait pas cet été ?") == [
        "c quoi le lien de cesame",
        "pk ca marchait pas cet été",
    ]


def test_two_questions_in_one_message_are_both_found(nlu: NluModel) -> None:
    parse = parse_message(nlu, "c quoi le lien de cesame et pk ca marchait pas cet été ?")
    assert {parse["intent"]["name"], parse["secondary_intent"]["name"]} == {"cesame_access", "vacation_freeze"}
