"""The review file: which labelled messages become examples, written as Rasa NLU YAML that reads back as written."""

from __future__ import annotations

import pytest
import yaml

from bot.core.anonymise import EMAIL, LOGIN, anonymise
from bot.nlu.review_file import Labelled, choose_examples, heldout_in, read_review, render_review
from bot.nlu.training_data import Example, TrainingData
from tests.core.test_anonymise import NASTY, PATTERNS

INTENTS = {"cannot_login", "link_expired", "out_of_scope"}
HELDOUT = TrainingData([Example("mon lien a expire", "link_expired")])
TRAINING = TrainingData([Example("je n'arrive pas a me connecter", "cannot_login")])


def test_examples_are_chosen_once_each_never_held_out_known_conflicting_or_empty() -> None:
    labelled = [
        Labelled("impossible d'entrer sur l'ENT", "cannot_login"),
        Labelled("Impossible d'entrer sur l'ENT !", "cannot_login"),  # the same once normalised: once
        Labelled("Mon lien a expiré", "link_expired"),  # a held-out utterance
        Labelled("je n'arrive pas à me connecter", "cannot_login"),  # in the training data already
        Labelled("je n arrive pas a me connecter", "link_expired"),  # ... under another intent
        Labelled("c'est quoi la météo", "out_of_scope"),
        Labelled("c'est quoi la meteo", "cannot_login"),  # two intents for one text: neither
        Labelled("prenom.nom 0600000000", "cannot_login"),  # placeholders alone
        Labelled("bonjour", "greet"),  # not an intent that is trained
    ]
    choice = choose_examples(labelled, INTENTS, HELDOUT, TRAINING)
    assert choice.examples == [Labelled("impossible d'entrer sur l'ENT", "cannot_login")]
    assert choice.heldout == ["mon lien a expire"]
    assert choice.known == []
    assert sorted(choice.conflicts) == ["c est quoi la meteo", "je n arrive pas a me connecter"]
    assert choice.empty == 1 and choice.unknown_intent == ["greet"]


def test_a_known_text_with_the_same_intent_is_only_known() -> None:
    choice = choose_examples([Labelled("je n'arrive pas a me connecter", "cannot_login")], INTENTS, HELDOUT, TRAINING)
    assert choice.known == ["je n arrive pas a me connecter"] and choice.examples == []


def test_the_file_is_rasa_nlu_yaml_with_identifiers_as_entities() -> None:
    text = render_review(
        [
            Labelled("c'est prenom.nom et mon mail prenom.nom@example.org", "cannot_login"),
            Labelled("c'est quoi la météo", "out_of_scope"),
            Labelled("bloqué depuis hier", "cannot_login"),
        ],
        ["a header", "of two lines"],
    )
    assert text.startswith("# a header\n# of two lines\n")
    raw = yaml.safe_load(text)
    assert raw["version"] == "3.1"
    assert [item["intent"] for item in raw["nlu"]] == ["cannot_login", "out_of_scope"]
    assert raw["nlu"][0]["examples"] == (
        "- bloqué depuis hier\n- c'est [prenom.nom](username) et mon mail [prenom.nom@example.org](email)\n"
    )
    (annotated, _) = [e for e in read_review(text).examples if e.intent == "cannot_login"][::-1]
    assert [(s.entity, s.value) for s in annotated.entities] == [
        ("username", "prenom.nom"),
        ("email", "prenom.nom@example.org"),
    ]


def test_an_empty_review_file_reads_as_no_examples() -> None:
    assert read_review(render_review([], ["nothing"])).examples == []


@pytest.mark.parametrize("typed", NASTY)
def test_whatever_was_typed_the_file_reads_back_exactly(typed: str) -> None:
    text = anonymise(typed, lambda word: False)
    if not text:
        return
    (example,) = read_review(render_review([Labelled(text, "out_of_scope")], ["h"])).examples
    assert example.text == text
    assert {(s.entity, s.value) for s in example.entities} <= {("username", LOGIN), ("email", EMAIL)}


def test_the_anonymised_placeholders_of_a_nasty_message_are_annotated_and_read_back() -> None:
    from bot.core.identifiers import as_login

    text = anonymise("[x](username) marie.dupont2 écrit de m.d@ex.fr", lambda w: as_login(w, PATTERNS) is not None)
    (example,) = read_review(render_review([Labelled(text, "cannot_login")], [])).examples
    assert example.text == text
    assert [s.entity for s in example.entities] == ["username", "email"]


def test_held_out_utterances_are_found_in_a_file() -> None:
    data = TrainingData([Example("Mon lien a expiré !", "link_expired"), Example("autre chose", "out_of_scope")])
    assert [e.text for e in heldout_in(data, HELDOUT)] == ["Mon lien a expiré !"]
