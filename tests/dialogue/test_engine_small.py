"""The dialogue engine on a ten-line domain and rules file (tests/dialogue/data/), with a fake executor.

No classifier, no knowledge base, no services: a fake understanding step starts the topic of the parse's
intent, and the only custom actions are the two registered below. What is checked is the engine's own
work: rules, a form that asks for its missing slot and submits, slot mappings, follow-up actions, the
fallback, and the payload an action receives (the tracker a Rasa server would send).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.dialogue.commands import StartTopic
from bot.dialogue.domain import load_domain
from bot.dialogue.engine import DialogueEngine, DialogueState
from bot.dialogue.rules import load_rules
from bot.dialogue.understanding import DialogueContext, Understanding

DATA = Path(__file__).resolve().parent / "data"
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


class TakeOrder(Action):
    """Counts the orders and says which dish; remembers every tracker it was given."""

    seen: list[Tracker]

    def __init__(self) -> None:
        self.seen = []

    def name(self) -> str:
        return "action_take_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        self.seen.append(tracker)
        dispatcher.utter_message(text=f"Commande : {tracker.get_slot('dish')}.")
        return [SlotSet("orders", (tracker.get_slot("orders") or 0) + 1), SlotSet("dish", None)]


class Fallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        return [FollowupAction("utter_default")]


class StartEveryTopic:
    """The understanding step reduced to its simplest reading: the topic is the parse's intent."""

    answerable: frozenset[str] = frozenset()
    answerable_anywhere: frozenset[str] = frozenset()

    def understand(self, parse: Mapping[str, Any], context: DialogueContext) -> Understanding:
        return Understanding((StartTopic(str(parse["intent"]["name"])),))


class Conversation:
    def __init__(self) -> None:
        self.domain = load_domain(DATA / "domain.yml")
        rules = load_rules(DATA / "rules.yml", set(self.domain.forms))
        self.take_order = TakeOrder()
        executor = ActionExecutor()
        executor.register_action(self.take_order)
        executor.register_action(Fallback())
        self.engine = DialogueEngine(self.domain, rules, executor, StartEveryTopic(), lambda slots: {})  # type: ignore[arg-type]
        self.state = DialogueState.new("web:diner", self.domain)

    def say(self, intent: str, text: str = "", **entities: str) -> tuple[list[str], list[str]]:
        parse = {
            "text": text or f"/{intent}",
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        }
        outcome = self.engine.run_turn(self.state, parse, NOW)
        return outcome.actions, [m["text"] for m in outcome.messages]


@pytest.fixture
def conversation() -> Conversation:
    return Conversation()


def test_a_rule_utters_its_response_with_buttons(conversation: Conversation) -> None:
    parse = {"text": "bonjour", "intent": {"name": "greet", "confidence": 1.0}, "entities": []}
    outcome = conversation.engine.run_turn(conversation.state, parse, NOW)
    assert outcome.actions == ["utter_greet"]
    assert outcome.messages == [{"text": "Bonjour !", "buttons": [{"title": "Commander", "payload": "/order"}]}]


def test_a_form_asks_for_its_missing_slot_then_submits(conversation: Conversation) -> None:
    assert conversation.say("order") == (["order_form", "utter_ask_dish"], ["Quel plat ?"])
    assert conversation.state.active_loop == "order_form"
    assert conversation.state.slots["requested_slot"] == "dish"
    actions, said = conversation.say("inform", "une pizza", dish="pizza")
    assert actions == ["action_take_order"] and said == ["Commande : pizza."]
    assert conversation.state.active_loop is None
    assert (conversation.state.slots["orders"], conversation.state.slots["dish"]) == (1, None)


def test_a_form_whose_slot_comes_with_the_request_submits_at_once(conversation: Conversation) -> None:
    actions, said = conversation.say("order", "une soupe", dish="soupe")
    assert actions == ["order_form", "action_take_order"] and said == ["Commande : soupe."]


def test_an_intent_with_a_rule_interrupts_the_form(conversation: Conversation) -> None:
    conversation.say("order")
    assert conversation.say("greet") == (["utter_greet"], ["Bonjour !"])
    assert conversation.state.active_loop is None


def test_an_intent_without_a_rule_falls_back_and_follows_up(conversation: Conversation) -> None:
    assert conversation.say("other") == (["action_default_fallback", "utter_default"], ["Je n'ai pas compris."])


def test_an_action_gets_the_tracker_a_rasa_server_would_send(conversation: Conversation) -> None:
    conversation.say("order")
    conversation.say("inform", "des frites", dish="frites")
    (tracker,) = conversation.take_order.seen
    assert tracker.sender_id == "web:diner"
    assert tracker.latest_message["intent"]["name"] == "inform"
    assert tracker.get_slot("dish") == "frites" and tracker.active_loop == {}
    assert [e["event"] for e in tracker.events if e["event"] == "user"] == ["user", "user"]


def test_a_rule_naming_an_unknown_action_fails_at_start() -> None:
    domain = load_domain(DATA / "domain.yml")
    rules = load_rules(DATA / "rules.yml", set(domain.forms))
    with pytest.raises(ValueError, match="action_take_order"):
        DialogueEngine(domain, rules, ActionExecutor(), StartEveryTopic(), lambda slots: {})  # type: ignore[arg-type]
