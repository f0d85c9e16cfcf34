"""What a custom action gets is the tracker as a Rasa server sends it: its changes never reach the conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.dialogue.domain import load_domain
from bot.dialogue.engine import DialogueState

ROOT = Path(__file__).resolve().parents[2]


def meddle(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes the tracker it is given the way rasa-sdk's forms and validators do (a function, not an `Action`
    subclass: rasa-sdk registers every subclass it finds, and this one is no action of the project)."""
    tracker.slots["uai"] = "0750001A"  # as the NoCAS validator does
    tracker.add_slots([SlotSet("username", "chloe.bernard")])  # as a form's validation does
    tracker.slots.update({"tenant": "netocentre"})
    return [SlotSet("topic", "cesame_access")]


def test_an_action_changing_its_tracker_changes_the_conversation_only_by_its_events() -> None:
    domain = load_domain(ROOT / "knowledge" / "domain.yml")
    state = DialogueState.new("web:a", domain)
    state.slots["username"] = "marie.dupont"
    state.events.append({"event": "slot", "name": "username", "value": "marie.dupont"})
    executor = ActionExecutor()
    executor.register_function("action_meddle", meddle)
    payload = {"next_action": "action_meddle", "sender_id": "web:a", "tracker": state.rasa_tracker()}
    result = asyncio.run(executor.run({**payload, "domain": domain.as_rasa_dict(), "version": "3.1"}))
    assert result is not None and [e["name"] for e in result.events] == ["topic"]
    assert state.slots["username"] == "marie.dupont"
    assert state.slots["uai"] is None and state.slots["tenant"] is None
    assert state.events == [{"event": "slot", "name": "username", "value": "marie.dupont"}]
