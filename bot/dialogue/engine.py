"""The dialogue engine: one user turn → slot filling, policy, actions, replies.

Custom actions run through `rasa_sdk.executor.ActionExecutor.run()` with the very payload a Rasa
server would POST to the action server's `/webhook`, so the in-process path and
`python -m rasa_sdk --actions actions` execute identical code. Responses (`utter_*`) are rendered
from the domain.

Policy, in order:
1. a button payload or a confident intent is taken; below the confidence threshold the engine runs
   `action_clarify` (unless an active form just got a slot from this message);
2. while a form is active, a message that fills one of its slots, or an `inform`/`affirm`/`deny`, or
   an intent with no rule of its own, continues the form; another intent with a rule interrupts it;
3. otherwise the most specific rule of the intent runs; no rule → `action_default_fallback`.
A form step validates (`validate_<form>` when registered), asks for the next missing required slot
(`action_ask_<slot>` when registered, else `utter_ask_<slot>`), or, when complete, deactivates and
runs the actions of its submission rule.
"""

from __future__ import annotations

import asyncio
import copy
import threading
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from rasa_sdk.executor import ActionExecutor

from bot.dialogue.domain import Domain, SlotMapping
from bot.dialogue.rules import Rules

MAX_EVENTS = 60
MAX_ACTIONS_PER_TURN = 12
CONTINUE_FORM_INTENTS = {"inform", "affirm", "deny"}


@dataclass
class DialogueState:
    """What is kept of a conversation between turns (the stored tracker)."""

    sender_id: str
    slots: dict[str, Any]
    active_loop: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    latest_message: dict[str, Any] = field(default_factory=dict)
    latest_action_name: str | None = None

    @classmethod
    def new(cls, sender_id: str, domain: Domain) -> "DialogueState":
        return cls(sender_id, {name: slot.initial_value for name, slot in domain.slots.items()})

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], sender_id: str, domain: Domain) -> "DialogueState":
        state = cls.new(sender_id, domain)
        state.slots.update({k: v for k, v in (raw.get("slots") or {}).items() if k in domain.slots})
        state.active_loop = raw.get("active_loop")
        state.events = list(raw.get("events") or [])
        state.latest_message = dict(raw.get("latest_message") or {})
        state.latest_action_name = raw.get("latest_action_name")
        return state

    def hide_latest_user_text(self, marker: str) -> None:
        """Replace the text of the latest user message wherever the state keeps it (a secret typed)."""
        self.latest_message = {**self.latest_message, "text": marker}
        for event in reversed(self.events):
            if event.get("event") == "user":
                event["text"] = marker
                if isinstance(event.get("parse_data"), dict):
                    event["parse_data"] = {**event["parse_data"], "text": marker, "entities": []}
                break

    def to_dict(self) -> dict[str, Any]:
        return {
            "slots": self.slots,
            "active_loop": self.active_loop,
            "events": self.events[-MAX_EVENTS:],
            "latest_message": self.latest_message,
            "latest_action_name": self.latest_action_name,
        }

    def rasa_tracker(self) -> dict[str, Any]:
        """The tracker as a Rasa server sends it to the action server."""
        return {
            "sender_id": self.sender_id,
            "slots": copy.deepcopy(self.slots),
            "latest_message": copy.deepcopy(self.latest_message),
            "events": copy.deepcopy(self.events[-MAX_EVENTS:]),
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": self.active_loop} if self.active_loop else {},
            "latest_action_name": self.latest_action_name,
        }


@dataclass
class TurnOutcome:
    messages: list[dict[str, Any]]
    actions: list[str]


class DialogueEngine:
    def __init__(
        self,
        domain: Domain,
        rules: Rules,
        executor: ActionExecutor,
        confidence_threshold: float,
        response_values: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    ) -> None:
        self.domain = domain
        self.rules = rules
        self.executor = executor
        self.threshold = confidence_threshold
        self._response_values = response_values
        self._custom_actions = {action.name for action in executor.list_actions()}
        self._local = threading.local()  # the slots set during the current turn, per worker thread
        self._check_references()

    def _check_references(self) -> None:
        """Every action named by a rule or the domain exists, so a typo fails at start, not in a chat."""
        named = {a for rule in self.rules.intent_rules for a in rule.actions}
        named |= {a for actions in self.rules.form_submissions.values() for a in actions}
        for action in sorted(named):
            if action.startswith("utter_"):
                if action not in self.domain.responses:
                    raise ValueError(f"rules.yml names {action!r}, which domain.yml has no response for")
            elif action not in self.domain.forms and action not in self._custom_actions:
                raise ValueError(f"rules.yml names {action!r}, which is neither a form nor a registered action")
        for form, required in self.domain.forms.items():
            for slot in required:
                if f"action_ask_{slot}" not in self._custom_actions and f"utter_ask_{slot}" not in self.domain.responses:
                    raise ValueError(f"form {form!r} needs utter_ask_{slot} or action_ask_{slot}")

    # -- one turn ---------------------------------------------------------------------------------
    def run_turn(self, state: DialogueState, parse: dict[str, Any], now: dt.datetime) -> TurnOutcome:
        outcome = TurnOutcome([], [])
        timestamp = now.timestamp()
        state.latest_message = {**parse, "message_id": f"{timestamp:.6f}"}
        state.events.append({"event": "user", "text": parse["text"], "parse_data": parse, "timestamp": timestamp})
        state.slots["requested_slot"] = state.slots.get("requested_slot") if state.active_loop else None
        intent = parse["intent"]["name"]
        confident = parse["intent"]["confidence"] >= self.threshold
        self._local.turn_slots = set()
        if confident and "misunderstood" in self.domain.slots:
            state.slots["misunderstood"] = 0
        secondary = parse.get("secondary_intent")
        if secondary and "second_intent" in self.domain.slots and secondary["name"] != intent:
            self._set_slot(state, "second_intent", secondary["name"], timestamp)
        by_entity, by_text = self._fill_slots(state, parse, timestamp)
        form = state.active_loop
        requested = state.slots.get("requested_slot")
        has_own_rule = self.rules.for_intent(intent, state.slots, None) is not None
        interrupts = confident and has_own_rule and intent not in CONTINUE_FORM_INTENTS

        if form and (by_entity & set(self.domain.forms[form]) or (requested in by_text and not interrupts)):
            self._form_step(state, form, outcome, timestamp)
        elif not confident:
            self._run(state, ["action_clarify"], outcome, timestamp)
        elif form and not interrupts:
            rule = self.rules.for_intent(intent, state.slots, form)
            if rule and rule.active_loop == form:
                self._run(state, list(rule.actions), outcome, timestamp)
            else:
                self._form_step(state, form, outcome, timestamp)
        else:
            if form:
                self._deactivate(state, timestamp)
            rule = self.rules.for_intent(intent, state.slots, None)
            self._run(state, list(rule.actions) if rule else ["action_default_fallback"], outcome, timestamp)
        if (
            state.slots.get("second_intent")
            and "action_clarify" not in outcome.actions  # one question at a time
            and not state.active_loop
            and not state.slots.get("proposed_operation")
            and not state.slots.get("pending_intent")
            and "action_offer_second_intent" in self._custom_actions
            and "action_offer_second_intent" not in outcome.actions
        ):
            self._run(state, ["action_offer_second_intent"], outcome, timestamp)
        return outcome

    def _fill_slots(self, state: DialogueState, parse: dict[str, Any], timestamp: float) -> tuple[set[str], set[str]]:
        """Slot mappings applied to the user message; returns the slots set from entities, and from text."""
        intent = parse["intent"]["name"]
        by_entity: set[str] = set()
        by_text: set[str] = set()
        for slot in self.domain.slots.values():
            for mapping in slot.mappings:
                value = self._mapped_value(mapping, state, parse, intent, slot.name)
                if value is not None:
                    self._set_slot(state, slot.name, value, timestamp)
                    (by_text if mapping.type == "from_text" else by_entity).add(slot.name)
                    break
        return by_entity, by_text

    @staticmethod
    def _mapped_value(
        mapping: SlotMapping, state: DialogueState, parse: dict[str, Any], intent: str, slot_name: str
    ) -> Any:
        if mapping.active_loop and mapping.active_loop != state.active_loop:
            return None
        if mapping.requested_slot and mapping.requested_slot != state.slots.get("requested_slot"):
            return None
        if mapping.intent and intent not in mapping.intent:
            return None
        if intent in mapping.not_intent:
            return None
        if mapping.type == "from_entity":
            for entity in parse.get("entities") or []:
                if entity["entity"] == mapping.entity:
                    return entity["value"]
            return None
        if mapping.type == "from_intent":
            return mapping.value
        if mapping.type == "from_text":
            text = parse.get("text", "").strip()
            return text if text and not text.startswith("/") else None
        return None

    def _set_slot(self, state: DialogueState, name: str, value: Any, timestamp: float) -> None:
        state.slots[name] = value
        self._local.__dict__.setdefault("turn_slots", set()).add(name)
        state.events.append({"event": "slot", "name": name, "value": value, "timestamp": timestamp})

    def _deactivate(self, state: DialogueState, timestamp: float) -> None:
        state.active_loop = None
        state.events.append({"event": "active_loop", "name": None, "timestamp": timestamp})
        self._set_slot(state, "requested_slot", None, timestamp)

    # -- actions ----------------------------------------------------------------------------------
    def _run(self, state: DialogueState, actions: list[str], outcome: TurnOutcome, timestamp: float) -> None:
        queue = list(actions)
        while queue:
            if len(outcome.actions) >= MAX_ACTIONS_PER_TURN:
                raise RuntimeError(f"more than {MAX_ACTIONS_PER_TURN} actions in one turn: {outcome.actions}")
            name = queue.pop(0)
            outcome.actions.append(name)
            state.latest_action_name = name
            state.events.append({"event": "action", "name": name, "timestamp": timestamp})
            if name.startswith("utter_"):
                self._utter(state, name, {}, outcome)
            elif name in self.domain.forms:
                activating = state.active_loop != name
                state.active_loop = name
                state.events.append({"event": "active_loop", "name": name, "timestamp": timestamp})
                self._form_step(state, name, outcome, timestamp, activating)
            else:
                followup = self._custom(state, name, outcome, timestamp)
                if followup:
                    queue.insert(0, followup)

    def _utter(self, state: DialogueState, name: str, values: Mapping[str, Any], outcome: TurnOutcome) -> None:
        merged = {**self._response_values(state.slots), **values}
        rendered = self.domain.render(name, state.slots, merged)
        if rendered is None:
            raise KeyError(f"no response {name!r} in domain.yml")
        outcome.messages.append(rendered)
        state.events.append({"event": "bot", "text": rendered["text"], "data": {"buttons": rendered["buttons"]}})

    def _custom(self, state: DialogueState, name: str, outcome: TurnOutcome, timestamp: float) -> str | None:
        payload = {
            "next_action": name,
            "sender_id": state.sender_id,
            "tracker": state.rasa_tracker(),
            "domain": self.domain.as_rasa_dict(),
            "version": "3.1",
        }
        result = asyncio.run(self.executor.run(payload))
        responses = result.responses if result is not None else []
        events = result.events if result is not None else []
        followup = self._apply(state, events, timestamp)
        for message in responses:  # rendered after the action's slots are set: its variants see them
            self._deliver(state, message, outcome)
        return followup

    def _apply(self, state: DialogueState, events: list[dict[str, Any]], timestamp: float) -> str | None:
        """Apply an action's events to the state; the follow-up action it asks for, if any."""
        followup: str | None = None
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                self._set_slot(state, event["name"], event.get("value"), timestamp)
            elif kind == "active_loop":
                state.active_loop = event.get("name")
                state.events.append({"event": "active_loop", "name": state.active_loop, "timestamp": timestamp})
            elif kind == "followup":
                followup = event["name"]
            elif kind == "reset_slots":
                for slot_name, slot in self.domain.slots.items():
                    state.slots[slot_name] = slot.initial_value
            elif kind == "restart":
                state.slots = {n: s.initial_value for n, s in self.domain.slots.items()}
                state.active_loop = None
                state.events = []
        return followup

    def _deliver(self, state: DialogueState, message: dict[str, Any], outcome: TurnOutcome) -> None:
        template = message.get("response") or message.get("template")
        custom = message.get("custom") or {}
        if template:
            values = {k: v for k, v in message.items() if k not in _MESSAGE_KEYS}
            self._utter(state, template, values, outcome)
            if custom:
                outcome.messages[-1]["custom"] = custom
            return
        rendered = {"text": message.get("text") or "", "buttons": list(message.get("buttons") or [])}
        if custom:
            rendered["custom"] = custom
        outcome.messages.append(rendered)
        state.events.append({"event": "bot", "text": rendered["text"], "data": {"buttons": rendered["buttons"]}})

    # -- forms ------------------------------------------------------------------------------------
    def _form_step(
        self, state: DialogueState, form: str, outcome: TurnOutcome, timestamp: float, activating: bool = False
    ) -> None:
        validator = f"validate_{form}"
        if validator in self._custom_actions:
            # like Rasa's FormAction: the slot candidates of this turn (on activation, every pre-filled
            # required slot) go last, for slots_to_validate()
            candidates = set(self.domain.forms[form]) if activating else self._local.__dict__.get("turn_slots", set())
            for slot in self.domain.forms[form]:
                if slot in candidates and state.slots.get(slot) is not None:
                    state.events.append({"event": "slot", "name": slot, "value": state.slots[slot], "timestamp": timestamp})
            self._custom(state, validator, outcome, timestamp)
            if state.active_loop != form:  # the validator cancelled the form
                return
        missing = [slot for slot in self.domain.forms[form] if state.slots.get(slot) in (None, "", [])]
        if missing:
            slot = missing[0]
            self._set_slot(state, "requested_slot", slot, timestamp)
            ask = f"action_ask_{slot}"
            self._run(state, [ask if ask in self._custom_actions else f"utter_ask_{slot}"], outcome, timestamp)
            return
        self._deactivate(state, timestamp)
        self._run(state, list(self.rules.form_submissions.get(form, ())), outcome, timestamp)


_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
