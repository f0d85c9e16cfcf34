"""The training data loader reads Rasa 3 YAML and says clearly what is wrong with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.dialogue.domain import load_domain
from bot.nlu.training_data import TrainingDataError, load_training_data, parse_example, parse_training_data, validate

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contracts" / "README.md"


def contract_intents() -> set[str]:
    """The intents the contract's vocabulary names (its "### Intents (NLU)" section), read from the contract."""
    section = CONTRACT.read_text(encoding="utf-8").split("### Intents (NLU)", 1)[1].split("###", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", section))


def test_annotations_become_plain_text_and_exact_spans() -> None:
    example = parse_example(
        'je suis [prof]{"entity": "profile", "value": "teacher"} et [marie.dupont](username) ok', "inform"
    )
    assert example.text == "je suis prof et marie.dupont ok"
    first, second = example.entities
    assert (first.entity, first.value, example.text[first.start : first.end]) == ("profile", "teacher", "prof")
    assert (second.entity, second.value, example.text[second.start : second.end]) == (
        "username",
        "marie.dupont",
        "marie.dupont",
    )
    short = parse_example("[ENT idf](tenant:monlycee)", "inform").entities[0]
    assert (short.entity, short.value) == ("tenant", "monlycee")


def test_the_shipped_training_data_is_valid_and_covers_the_contract() -> None:
    data = load_training_data(ROOT / "knowledge" / "nlu.yml")
    domain = load_domain(ROOT / "knowledge" / "domain.yml")
    assert validate(data, set(domain.intents)) == []
    assert set(data.intents) >= contract_intents()
    assert min(data.counts().values()) >= 40
    assert {"uai", "username", "email", "ticket_id"} <= set(data.regexes)
    assert data.synonyms["mdp"] == "mot de passe"


def test_problems_are_reported_one_line_each() -> None:
    raw = {
        "nlu": [
            {"intent": "greet", "examples": "- bonjour\n- Bonjour\n"},
            {"intent": "made_up", "examples": "- blabla\n"},
        ]
    }
    problems = validate(parse_training_data(raw), {"greet"}, min_examples=2)
    assert "intent 'made_up' is not declared in domain.yml" in problems
    assert any(p.startswith("duplicate example 'Bonjour' twice in 'greet'") for p in problems)
    assert "intent 'made_up' has 1 examples, at least 2 are needed" in problems


def test_unbalanced_intents_are_reported() -> None:
    raw = {
        "nlu": [
            {"intent": "a", "examples": "".join(f"- a{i}\n" for i in range(40))},
            {"intent": "b", "examples": "".join(f"- b{i}\n" for i in range(400))},
        ]
    }
    problems = validate(parse_training_data(raw), {"a", "b"})
    assert problems == ["intents are unbalanced: 400 examples for the largest, 40 for the smallest"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"nlu": "x"}, "expected a mapping with an `nlu:` list"),
        ({"nlu": [{"intent": "a", "examples": "bonjour"}]}, "must start with '- '"),
        ({"nlu": [{"what": "a"}]}, "expected intent, synonym, regex or lookup"),
        ({"nlu": [{"intent": "a", "examples": '- [x]{"entity": }\n'}]}, "bad entity JSON"),
    ],
)
def test_malformed_data_is_refused_with_a_clear_message(raw: dict, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        parse_training_data(raw)
