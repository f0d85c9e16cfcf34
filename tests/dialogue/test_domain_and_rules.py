"""domain.yml and rules.yml: the supported Rasa subset, per-tenant responses, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.domain import Domain, DomainError, load_domain, parse_domain
from bot.dialogue.rules import RulesError, load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return load_domain(ROOT / "knowledge" / "domain.yml")


def test_responses_vary_per_tenant_and_fill_config_facts(domain: Domain) -> None:
    neto = domain.render(
        "utter_diagnosis_not_activated", {"tenant": "netocentre"}, {"ent_url": "https://lycees.netocentre.fr"}
    )
    idf = domain.render(
        "utter_diagnosis_not_activated", {"tenant": "monlycee"}, {"ent_url": "https://ent.iledefrance.fr/"}
    )
    assert neto is not None and idf is not None
    assert "« Activer mon compte »" in neto["text"] and "https://lycees.netocentre.fr" in neto["text"]
    assert "« Activer mon compte »" not in idf["text"] and "https://ent.iledefrance.fr/" in idf["text"]
    assert "\n1. " in neto["text"], "steps are a numbered list, one per line"


def test_an_unknown_placeholder_stays_visible(domain: Domain) -> None:
    rendered = domain.render("utter_ticket_created", {}, {})
    assert rendered is not None and "{ticket_id}" in rendered["text"]


def test_every_rule_names_existing_responses_forms_and_actions(domain: Domain) -> None:
    rules = load_rules(ROOT / "knowledge" / "rules.yml", set(domain.forms))
    for rule in rules.intent_rules:
        assert rule.intent in domain.intents, rule.name
        for action in rule.actions:
            assert action in domain.responses or action in domain.forms or action in domain.actions, (rule.name, action)
    assert set(rules.form_submissions) == set(domain.forms)


def test_the_most_specific_rule_wins() -> None:
    raw = {
        "rules": [
            {"rule": "plain", "steps": [{"intent": "affirm"}, {"action": "utter_a"}]},
            {
                "rule": "when set",
                "condition": [{"slot_was_set": [{"x": "y"}]}],
                "steps": [{"intent": "affirm"}, {"action": "utter_b"}],
            },
        ]
    }
    rules = parse_rules(raw, set())
    when_set, otherwise = rules.for_intent("affirm", {"x": "y"}, None), rules.for_intent("affirm", {"x": "z"}, None)
    assert when_set is not None and when_set.actions == ("utter_b",)
    assert otherwise is not None and otherwise.actions == ("utter_a",)
    assert rules.for_intent("deny", {}, None) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"rules": [{"rule": "odd", "steps": [{"action": "utter_a"}]}]},
            "neither an intent rule nor a form submission",
        ),
        ({"rules": [{"rule": "odd", "steps": [{"intent": "a"}, {"checkpoint": "x"}]}]}, "is not supported"),
        ({"rules": "nope"}, "expected a mapping with a `rules:` list"),
    ],
)
def test_unsupported_rules_are_refused_clearly(raw: dict, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(raw, set())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"responses": {"utter_x": [{"buttons": []}]}}, r"responses.utter_x\[0\]: `text` is required"),
        ({"slots": {"s": {"mappings": [{"type": "from_llm"}]}}}, "mapping type 'from_llm' is not supported"),
        ({"forms": {"f": {"required_slots": ["ghost"]}}}, "required slot 'ghost' is not declared"),
    ],
)
def test_domain_errors_name_the_key(raw: dict, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        parse_domain(raw)
