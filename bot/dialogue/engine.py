"""The dialogue engine: one user turn → understanding, policy, actions, replies.

Custom actions run through `rasa_sdk.executor.ActionExecutor.run()` with the very payload a Rasa
server would POST to the action server's `/webhook`, so the in-process path and
`python -m rasa_sdk --actions actions` execute identical code. Responses (`utter_*`) are rendered
from the domain.

A turn: the slot mappings of the domain take the message's entities; the understanding step
(`bot/dialogue/understanding.py`) says what the message means in the conversation, as commands; each
command runs what it asks for. A `StartTopic` goes through the policy:
1. while a form is active, a message that fills one of its slots, or an `inform`/`affirm`/`deny`, or
   an intent with no rule of its own, continues the form; another intent with a rule interrupts it;
2. otherwise the most specific rule of the intent runs; no rule → `action_default_fallback`.
A form step validates (`validate_<form>` when registered), asks for the next missing required slot
(`action_ask_<slot>` when registered, else `utter_ask_<slot>`), or, when complete, deactivates and
runs the actions of its submission rule.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk.executor import ActionExecutor

from bot.dialogue import commands as cmd
from bot.dialogue.domain import Domain, SlotMapping
from bot.dialogue.rules import Rules
from bot.dialogue.understanding import DIAGNOSIS_PROBLEMS, TOPIC_INTENTS, DialogueContext, Understander

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
    def new(cls, sender_id: str, domain: Domain) -> DialogueState:
        return cls(sender_id, {name: slot.initial_value for name, slot in domain.slots.items()})

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], sender_id: str, domain: Domain) -> DialogueState:
        state = cls.new(sender_id, domain)
        state.slots.update({k: v for k, v in (raw.get("slots") or {}).items() if k in domain.slots})
        state.active_loop = raw.get("active_loop")
        state.events = list(raw.get("events") or [])
        state.latest_message = dict(raw.get("latest_message") or {})
        state.latest_action_name = raw.get("latest_action_name")
        return state

    def hide_latest_user_text(self, marker: str) -> None:
        """Replace the text of the latest user message wherever the state keeps it (a secret typed)."""
        self.latest_message = {**self.latest_message, "text": marker, "entities": []}
        for event in reversed(self.events):
            if event.get("event") == "user":
                event["text"] = marker
                if isinstance(event.get("parse_data"), dict):
                    event["parse_data"] = {**event["parse_data"], "text": marker, "entities": []}
                break

    def forget_value(self, value: Any) -> None:
        """Forget a value the turn put in slots (a word that turned out not to be an identifier)."""
        for event in self.events:
            if event.get("event") == "slot" and event.get("value") == value:
                event["value"] = None
        for name, current in self.slots.items():
            if current == value:
                self.slots[name] = None

    def drop_metadata(self) -> None:
        """Forget the channel's metadata of the latest message (a client address is not kept with the chat)."""
        self.latest_message.pop("metadata", None)
        for event in reversed(self.events):
            if event.get("event") == "user":
                if isinstance(event.get("parse_data"), dict):
                    event["parse_data"] = {k: v for k, v in event["parse_data"].items() if k != "metadata"}
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
        """The tracker as a Rasa server sends it to the action server.

        rasa-sdk changes the tracker's own `slots` dict (a form's validation, `Tracker.add_slots`) and appends to its
        `events` list; neither may reach this state, which only an action's returned events change: both are copies.
        The values inside (events, slot values, the latest message) are shared: no action changes them in place."""
        return {
            "sender_id": self.sender_id,
            "slots": dict(self.slots),
            "latest_message": dict(self.latest_message),
            "events": self.events[-MAX_EVENTS:],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": self.active_loop} if self.active_loop else {},
            "latest_action_name": self.latest_action_name,
        }


@dataclass
class TurnOutcome:
    messages: list[dict[str, Any]]
    actions: list[str]
    hide_user_text: bool = False  # the message may hold a secret: no store keeps its text
    intent: str | None = None  # what the message was understood as


@dataclass(frozen=True)
class Speaker:
    """Who writes, as the chat's link says (the understanding step reads an ADML's words as commands)."""

    own_login: str | None = None
    is_adml: bool = False


@dataclass
class Turn:
    """One turn in progress: the state it changes, what it produces, the slots it set."""

    state: DialogueState
    outcome: TurnOutcome
    timestamp: float
    slots_set: set[str] = field(default_factory=set)
    text_slots: set[str] = field(default_factory=set)  # slots filled from the message's text


class DialogueEngine:
    def __init__(
        self,
        domain: Domain,
        rules: Rules,
        executor: ActionExecutor,
        understander: Understander,
        response_values: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    ) -> None:
        self._custom_actions = {action.name for action in executor.list_actions()}
        self.domain = domain
        self.rules = rules
        self.executor = executor
        self.understander = understander
        self._response_values = response_values
        # what each command of the understanding step does (those run by one action are in _ONE_ACTION)
        self._handlers: dict[type, Callable[[Turn, Any, set[str]], None]] = {
            cmd.SpeakFor: lambda t, c, _: self._set_slot(t, "speaker", c.role),
            cmd.NoteTenant: lambda t, c, _: self._set_slot(t, "tenant", c.tenant),
            cmd.FillSlot: self._fill_slot,
            cmd.CorrectSlot: self._correct_slot,
            cmd.Diagnose: lambda t, c, _: self._diagnose(t, c.problem, c.login),
            cmd.DontKnow: self._dont_know,
            cmd.FollowUp: self._follow_up,
            cmd.AnswerSeveral: self._answer_several,
            cmd.HandOver: self._hand_over,
            cmd.StartTopic: self._start_topic,
        }
        self._loops = threading.local()  # each thread's event loop for the actions' coroutines
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
                if (
                    f"action_ask_{slot}" not in self._custom_actions
                    and f"utter_ask_{slot}" not in self.domain.responses
                ):
                    raise ValueError(f"form {form!r} needs utter_ask_{slot} or action_ask_{slot}")

    # -- one turn ---------------------------------------------------------------------------------
    def run_turn(
        self, state: DialogueState, parse: dict[str, Any], now: dt.datetime, speaker: Speaker | None = None
    ) -> TurnOutcome:
        """One user message: slot mappings, then the understanding step's commands, then what they ask for."""
        turn = Turn(state, TurnOutcome([], []), now.timestamp())
        state.latest_message = {**parse, "message_id": f"{turn.timestamp:.6f}"}
        state.events.append({"event": "user", "text": parse["text"], "parse_data": parse, "timestamp": turn.timestamp})
        state.slots["requested_slot"] = state.slots.get("requested_slot") if state.active_loop else None
        intent = parse["intent"]["name"]
        context = self._context(state, speaker or Speaker())
        understanding = self.understander.understand(parse, context)
        if understanding.second_intent and "second_intent" in self.domain.slots:
            self._set_slot(turn, "second_intent", understanding.second_intent)
        turn.outcome.hide_user_text = understanding.hide_text
        turn.outcome.intent = understanding.intent(str(intent))
        by_entity = self._fill_slots(turn, parse, hidden=understanding.hide_text)
        for command in understanding.commands:
            self._execute(turn, command, by_entity)
        if not isinstance(understanding.main, cmd.Clarify) and "misunderstood" in self.domain.slots:
            state.slots["misunderstood"] = 0
        self._offer_second_intent(turn)
        return turn.outcome

    def _context(self, state: DialogueState, speaker: Speaker) -> DialogueContext:
        slots = state.slots
        return DialogueContext(
            pending_proposal=slots.get("proposed_operation"),
            requested_slot=slots.get("requested_slot") if state.active_loop else None,
            active_form=state.active_loop,
            topic=slots.get("topic"),
            known_login=slots.get("username"),
            diagnosis=slots.get("diagnosis"),
            handled=tuple(slots.get("handled_topics") or ()),
            listed_logins=tuple(slots.get("listed_logins") or ()),
            speaker_is_adml=speaker.is_adml,
            own_login=speaker.own_login,
            tenant=slots.get("tenant"),
            asking_tenant=bool(slots.get("pending_intent")) and not slots.get("tenant"),
            proposal_is_latest=_proposed_in_last_reply(state.events),
            ticket_open=bool(slots.get("ticket_open")),
        )

    def _execute(self, turn: Turn, command: cmd.Command, by_entity: set[str]) -> None:
        """Carry out one command of the understanding step (a table from each command's type to its code)."""
        action = _ONE_ACTION.get(type(command))
        if action:
            self._run(turn, [action])
            return
        self._handlers[type(command)](turn, command, by_entity)

    def _fill_slot(self, turn: Turn, command: cmd.FillSlot, by_entity: set[str]) -> None:
        self._set_slot(turn, command.slot, command.value)
        if turn.state.active_loop:
            self._form_step(turn, turn.state.active_loop)

    def _correct_slot(self, turn: Turn, command: cmd.CorrectSlot, by_entity: set[str]) -> None:
        self._set_slot(turn, command.slot, command.value)
        slots = turn.state.slots
        self._diagnose(turn, slots.get("problem") or slots.get("topic") or "cannot_login", command.value)

    def _dont_know(self, turn: Turn, command: cmd.DontKnow, by_entity: set[str]) -> None:
        if command.slot in ("username", "link_login") and turn.state.active_loop:
            self._deactivate(turn)
        self._run(turn, [f"utter_dont_know_{command.slot}"])

    def _follow_up(self, turn: Turn, command: cmd.FollowUp, by_entity: set[str]) -> None:
        username = turn.state.slots.get("username")
        if command.intent in DIAGNOSIS_PROBLEMS and username:
            # "ça se débloque quand ?" after a diagnosis: the account's state again, looked up anew
            self._diagnose(turn, command.intent, username)
        else:
            self._set_slot(turn, "pending_intent", command.intent)
            self._run(turn, ["action_answer_faq"])
            if "topic" not in turn.slots_set:  # a follow-up on a near topic moves the conversation there, unless
                self._note_topic(turn, command.intent)  # this turn's look-up or question already set the topic

    def _answer_several(self, turn: Turn, command: cmd.AnswerSeveral, by_entity: set[str]) -> None:
        """Articles first, in order; a question that opens a form (it asks something back) goes last (and, among
        articles, those that need no ENT first: the other may ask which ENT)."""
        state = turn.state
        ordered = sorted(
            command.intents,
            key=lambda i: (self._opens_form(i, state), i not in self.understander.answerable_anywhere),
        )
        for intent in ordered:
            if state.slots.get("pending_intent") or state.active_loop:
                self._set_slot(turn, "second_intent", intent)  # one question back at a time
                break
            self._answer_one_of_several(turn, intent, by_entity)
            self._note_topic(turn, intent)
        self._note_topic(turn, command.intents[0])  # follow-ups lean on the first question, the main one

    def _answer_one_of_several(self, turn: Turn, intent: str, by_entity: set[str]) -> None:
        if intent in DIAGNOSIS_PROBLEMS:  # a problem beside the question: the identifier is asked for it
            for name, value in (
                ("problem", intent),
                ("diagnosis", None),
                ("proposed_operation", None),
                ("username_attempts", 0),
            ):
                self._set_slot(turn, name, value)
            self._run(turn, ["diagnosis_form"])
        elif self._opens_form(intent, turn.state):
            if intent in self.understander.answerable:
                self._set_slot(turn, "pending_intent", intent)  # its rule's article answers it, not the NLU's
            self._policy(turn, intent, by_entity)
        else:
            self._set_slot(turn, "pending_intent", intent)
            self._run(turn, ["action_answer_faq"])

    def _hand_over(self, turn: Turn, command: cmd.HandOver, by_entity: set[str]) -> None:
        if turn.state.active_loop:
            self._deactivate(turn)
        if turn.state.slots.get("proposed_operation"):
            self._set_slot(turn, "proposed_operation", None)  # a person takes over: nothing is left to confirm
        self._run(turn, ["action_create_ticket"])

    def _start_topic(self, turn: Turn, command: cmd.StartTopic, by_entity: set[str]) -> None:
        if command.intent in self.understander.answerable:
            # the article answers the question as understood (it may not be the classifier's reading), and a
            # new question replaces one left waiting for the ENT
            self._set_slot(turn, "pending_intent", command.intent)
        self._policy(turn, command.intent, by_entity)
        self._note_topic(turn, command.intent)

    def _opens_form(self, intent: str, state: DialogueState) -> bool:
        rule = self.rules.for_intent(intent, state.slots, None)
        return rule is not None and any(action in self.domain.forms for action in rule.actions)

    def _diagnose(self, turn: Turn, problem: str, login: str) -> None:
        """Look the account up for `problem` (the form validates the identifier, then `action_diagnose` runs)."""
        if turn.state.active_loop:
            self._deactivate(turn)
        for name, value in (
            ("problem", problem),
            ("username", login),
            ("diagnosis", None),
            ("proposed_operation", None),
            ("username_attempts", 0),
        ):
            self._set_slot(turn, name, value)
        self._note_topic(turn, problem)
        self._run(turn, ["diagnosis_form"])

    def _note_topic(self, turn: Turn, intent: str) -> None:
        if intent in TOPIC_INTENTS and "topic" in self.domain.slots:
            self._set_slot(turn, "topic", intent)
            handled = list(turn.state.slots.get("handled_topics") or [])
            if intent not in handled:
                self._set_slot(turn, "handled_topics", [*handled, intent])

    def _policy(self, turn: Turn, intent: str, by_entity: set[str]) -> None:
        """The rules and forms for a request: a form goes on unless another intent with a rule interrupts it."""
        state = turn.state
        form = state.active_loop
        requested = state.slots.get("requested_slot")
        has_own_rule = self.rules.for_intent(intent, state.slots, None) is not None
        interrupts = has_own_rule and intent not in CONTINUE_FORM_INTENTS
        if form and (by_entity & set(self.domain.forms[form]) or (requested in turn.text_slots and not interrupts)):
            self._form_step(turn, form)
        elif form and not interrupts:
            rule = self.rules.for_intent(intent, state.slots, form)
            if rule and rule.active_loop == form:
                self._run(turn, list(rule.actions))
            else:
                self._form_step(turn, form)
        else:
            if form:
                self._deactivate(turn)
            rule = self.rules.for_intent(intent, state.slots, None)
            self._run(turn, list(rule.actions) if rule else ["action_default_fallback"])

    def _offer_second_intent(self, turn: Turn) -> None:
        """A second problem of the message, offered once the first is dealt with, unless handled already."""
        state, outcome = turn.state, turn.outcome
        second = state.slots.get("second_intent")
        if second and second in (state.slots.get("handled_topics") or ()):
            self._set_slot(turn, "second_intent", None)
            return
        if (
            second
            and second in self.understander.answerable
            and not self._opens_form(second, state)
            and "action_clarify" not in outcome.actions
            and not state.active_loop
            and not state.slots.get("pending_intent")
        ):
            # a question beside the problem: answered in the same reply, after it
            self._set_slot(turn, "second_intent", None)
            self._set_slot(turn, "pending_intent", second)
            self._run(turn, ["action_answer_faq"])
            self._note_topic(turn, second)
            return
        if (
            second
            and "action_clarify" not in outcome.actions  # one question at a time
            and not state.active_loop
            and not state.slots.get("proposed_operation")
            and not state.slots.get("pending_intent")
            and "action_offer_second_intent" in self._custom_actions
            and "action_offer_second_intent" not in outcome.actions
        ):
            self._run(turn, ["action_offer_second_intent"])

    def _fill_slots(self, turn: Turn, parse: dict[str, Any], hidden: bool = False) -> set[str]:
        """Slot mappings applied to the message; returns the slots set from entities.

        Slots filled from the text (a code, a school's name) are noted in `turn.text_slots`; a message the
        understanding step hides fills nothing from its text.
        """
        intent = parse["intent"]["name"]
        by_entity: set[str] = set()
        for slot in self.domain.slots.values():
            for mapping in slot.mappings:
                if hidden and mapping.type == "from_text":
                    continue
                value = self._mapped_value(mapping, turn.state, parse, intent)
                if value is not None:
                    self._set_slot(turn, slot.name, value)
                    (turn.text_slots if mapping.type == "from_text" else by_entity).add(slot.name)
                    break
        return by_entity

    @staticmethod
    def _mapped_value(mapping: SlotMapping, state: DialogueState, parse: dict[str, Any], intent: str) -> Any:
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

    def _set_slot(self, turn: Turn, name: str, value: Any) -> None:
        turn.state.slots[name] = value
        turn.slots_set.add(name)
        turn.state.events.append({"event": "slot", "name": name, "value": value, "timestamp": turn.timestamp})

    def _deactivate(self, turn: Turn) -> None:
        turn.state.active_loop = None
        turn.state.events.append({"event": "active_loop", "name": None, "timestamp": turn.timestamp})
        self._set_slot(turn, "requested_slot", None)

    # -- actions ----------------------------------------------------------------------------------
    def _run(self, turn: Turn, actions: list[str]) -> None:
        state, outcome = turn.state, turn.outcome
        queue = list(actions)
        while queue:
            if len(outcome.actions) >= MAX_ACTIONS_PER_TURN:
                raise RuntimeError(f"more than {MAX_ACTIONS_PER_TURN} actions in one turn: {outcome.actions}")
            name = queue.pop(0)
            outcome.actions.append(name)
            state.latest_action_name = name
            state.events.append({"event": "action", "name": name, "timestamp": turn.timestamp})
            if name.startswith("utter_"):
                self._utter(turn, name, {})
            elif name in self.domain.forms:
                activating = state.active_loop != name
                state.active_loop = name
                state.events.append({"event": "active_loop", "name": name, "timestamp": turn.timestamp})
                self._form_step(turn, name, activating)
            else:
                followup = self._custom(turn, name)
                if followup:
                    queue.insert(0, followup)

    def _utter(self, turn: Turn, name: str, values: Mapping[str, Any]) -> None:
        state = turn.state
        merged = {**self._response_values(state.slots), **values}
        rendered = self.domain.render(name, state.slots, merged)
        if rendered is None:
            raise KeyError(f"no response {name!r} in domain.yml")
        turn.outcome.messages.append(rendered)
        state.events.append(_bot_event(rendered))

    def _custom(self, turn: Turn, name: str) -> str | None:
        state = turn.state
        payload = {
            "next_action": name,
            "sender_id": state.sender_id,
            "tracker": state.rasa_tracker(),
            "domain": self.domain.as_rasa_dict(),
            "version": "3.1",
        }
        result = self._complete(self.executor.run(payload))
        responses = result.responses if result is not None else []
        events = result.events if result is not None else []
        followup = self._apply(turn, events)
        for message in responses:  # rendered after the action's slots are set: its variants see them
            self._deliver(turn, message)
        return followup

    def _complete(self, action: Coroutine[Any, Any, Any]) -> Any:
        """Run an action call to its end on this thread's event loop (one a thread, kept for its next calls)."""
        loop: asyncio.AbstractEventLoop | None = getattr(self._loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(action)

    def _apply(self, turn: Turn, events: list[dict[str, Any]]) -> str | None:
        """Apply an action's events to the state; the follow-up action it asks for, if any."""
        state = turn.state
        followup: str | None = None
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                self._set_slot(turn, event["name"], event.get("value"))
            elif kind == "active_loop":
                state.active_loop = event.get("name")
                state.events.append({"event": "active_loop", "name": state.active_loop, "timestamp": turn.timestamp})
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

    def _deliver(self, turn: Turn, message: dict[str, Any]) -> None:
        template = message.get("response") or message.get("template")
        custom = message.get("custom") or {}
        if template:
            values = {k: v for k, v in message.items() if k not in _MESSAGE_KEYS}
            self._utter(turn, template, values)
            if message.get("buttons"):  # buttons the action built (a choice among data) replace the response's
                turn.outcome.messages[-1]["buttons"] = list(message["buttons"])
            if custom:
                turn.outcome.messages[-1]["custom"] = custom
            return
        rendered = {"text": message.get("text") or "", "buttons": list(message.get("buttons") or [])}
        if custom:
            rendered["custom"] = custom
        turn.outcome.messages.append(rendered)
        turn.state.events.append(_bot_event(rendered))

    # -- forms ------------------------------------------------------------------------------------
    def _form_step(self, turn: Turn, form: str, activating: bool = False) -> None:
        state = turn.state
        validator = f"validate_{form}"
        if validator in self._custom_actions:
            # like Rasa's FormAction: the slot candidates of this turn (on activation, every pre-filled
            # required slot) go last, for slots_to_validate()
            candidates = set(self.domain.forms[form]) if activating else turn.slots_set
            for slot in self.domain.forms[form]:
                if slot in candidates and state.slots.get(slot) is not None:
                    state.events.append(
                        {"event": "slot", "name": slot, "value": state.slots[slot], "timestamp": turn.timestamp}
                    )
            self._custom(turn, validator)
            if state.active_loop != form:  # the validator cancelled the form
                return
        missing = [slot for slot in self.domain.forms[form] if state.slots.get(slot) in (None, "", [])]
        if missing:
            slot = missing[0]
            self._set_slot(turn, "requested_slot", slot)
            ask = f"action_ask_{slot}"
            self._run(turn, [ask if ask in self._custom_actions else f"utter_ask_{slot}"])
            return
        self._deactivate(turn)
        self._run(turn, list(self.rules.form_submissions.get(form, ())))


# commands carried out by one action
_ONE_ACTION: dict[type, str] = {
    cmd.ConfirmProposal: "action_affirm",
    cmd.DenyProposal: "action_deny",
    cmd.RejectValue: "action_reject_value",
    cmd.Clarify: "action_clarify",
}


def _proposed_in_last_reply(events: list[dict[str, Any]]) -> bool:
    """Whether the assistant's reply to the previous message made a proposal (the current message is last)."""
    for event in reversed(events[:-1]):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "proposed_operation" and event.get("value"):
            return True
    return False


def _bot_event(rendered: dict[str, Any]) -> dict[str, Any]:
    """The tracker's record of a bot message. A link button is kept without its address: a CAS login link carries a
    single-use secret that no store may keep."""
    buttons = [{k: v for k, v in button.items() if k != "url"} for button in rendered["buttons"]]
    return {"event": "bot", "text": rendered["text"], "data": {"buttons": buttons}}


_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
