"""Conversation trackers and their redacted transcripts.

Every text written here passes through `core.redaction.redact`. A slot that names an account keeps only a
well-formed identifier: any other value offered for it (a sentence, a bare password typed when the assistant asked
for the identifier) is dropped, and wherever the user's own words held it, it is replaced by a marker.

A turn adds a few events to a tracker of up to sixty: `save` redacts what the turn added, once. An event equal to
one this store read back from the database for the same chat is the redaction's own output and is kept as it is;
any other event (new, or changed since it was read) is redacted. When the turn put a non-identifier in an
identifier slot, the whole tracker is redacted again, so that its earlier words lose that value too.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import typing
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Table, Text, bindparam, cast, insert, select, update

from bot.core.chat_days import TurnUsage
from bot.core.redaction import NOT_AN_IDENTIFIER, IdentifierRule, redact
from bot.storage.batches import delete_in_batches
from bot.storage.db import engine_of, read_row
from bot.storage.models import Conversation, Message, NluLabel, NluMiss
from bot.storage.store import IdentifyingStore
from bot.storage.usage import record_turn

# the tables themselves: a turn's writes are plain statements, without the ORM's bulk machinery
CONVERSATIONS = typing.cast(Table, Conversation.__table__)
MESSAGES = typing.cast(Table, Message.__table__)
# a turn's statements, built once (their parameters are bound on each call)
_READ_TRACKER = select(cast(CONVERSATIONS.c.tracker, Text)).where(CONVERSATIONS.c.sender_id == bindparam("sender"))
_WRITE_TRACKER = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.sender_id == bindparam("sender"))
    .values(tracker=bindparam("tracker", type_=CONVERSATIONS.c.tracker.type), updated_at=bindparam("updated_at"))
    .returning(CONVERSATIONS.c.id)
)
_NEW_CONVERSATION = insert(CONVERSATIONS).returning(CONVERSATIONS.c.id)
_ADD_LINES = insert(MESSAGES)
STORED_KEPT = 256  # chats whose stored events are remembered between their load and their save (turns at once)


class ConversationStore(IdentifyingStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stored: OrderedDict[str, dict[str, Any]] = OrderedDict()  # the trackers as read back, by chat
        self._stored_guard = threading.Lock()

    def load(self, sender_id: str) -> dict[str, Any] | None:
        """The stored tracker, a copy of its own: the caller may change it freely."""
        row = read_row(self._sessions, _READ_TRACKER, {"sender": sender_id})
        if row is None or row[0] is None:
            return None
        raw = row[0]
        stored = orjson.loads(raw)
        if not isinstance(stored, dict):
            return None
        with self._stored_guard:
            self._stored[sender_id] = orjson.loads(raw)  # an untouched copy: what is stored already
            self._stored.move_to_end(sender_id)
            while len(self._stored) > STORED_KEPT:
                self._stored.popitem(last=False)
        return stored

    def save(
        self,
        sender_id: str,
        channel: str,
        tracker: dict[str, Any],
        transcript: list[tuple[str, str, str | None, float | None]],
        now: dt.datetime,
        usage: TurnUsage | None = None,
    ) -> None:
        """Store the tracker and append transcript lines `(direction, text, intent, confidence)`, redacted; count
        the turn's `usage` in the chat's day (`bot.storage.usage`) in the same transaction."""
        with self._stored_guard:
            read_back = self._stored.pop(sender_id, {})
        rejected = _rejected_identifiers(tracker, self._is_identifier)
        once = redaction_once()
        stored = _redacted_tracker(tracker, rejected, self._is_identifier, {} if rejected else read_back, once)
        with engine_of(self._sessions).begin() as connection:  # a Core transaction: a turn's writes, no ORM
            conversation_id = connection.execute(
                _WRITE_TRACKER, {"sender": sender_id, "tracker": stored, "updated_at": now}
            ).scalar()
            if conversation_id is None:
                conversation_id = connection.execute(
                    _NEW_CONVERSATION,
                    {
                        "sender_id": sender_id,
                        "channel": channel,
                        "created_at": now,
                        "updated_at": now,
                        "tracker": stored,
                    },
                ).scalar_one()
            lines = [
                {
                    "conversation_id": conversation_id,
                    "direction": direction,
                    "text": once(_without(text, rejected) if direction == "in" else text),
                    "intent": intent,
                    "confidence": confidence,
                    "created_at": now,
                }
                for direction, text, intent, confidence in transcript
            ]
            if lines:
                connection.execute(_ADD_LINES, lines)
            if usage is not None:
                record_turn(connection, conversation_id, usage)

    def transcript(self, sender_id: str, limit: int = 30) -> list[tuple[str, str]]:
        """The latest redacted lines, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(Message.direction, Message.text)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.sender_id == sender_id)
                .order_by(Message.id.desc())
                .limit(limit)
            ).all()
        return [(direction, text) for direction, text in reversed(rows)]

    def record_miss(self, text: str, ranking: list[dict[str, Any]], now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.add(NluMiss(text=redact(text), ranking=ranking[:3], created_at=now))

    def purge(self, older_than: dt.datetime) -> int:
        """Delete conversations idle since before `older_than` (their messages with them), the older messages
        of the others, old misses and the labels agents gave them (`bot.storage.nlu_labels`), in short batches
        (`bot.storage.batches`); how many conversations went."""
        purged = delete_in_batches(self._sessions, Conversation, Conversation.updated_at < older_than)
        delete_in_batches(self._sessions, Message, Message.created_at < older_than)
        delete_in_batches(self._sessions, NluMiss, NluMiss.created_at < older_than)
        delete_in_batches(self._sessions, NluLabel, NluLabel.labelled_at < older_than)
        return purged


SECRET_SLOTS = frozenset({"link_code"})  # never stored, even redacted
IDENTIFIER_SLOTS = frozenset({"username", "link_login", "operation_target"})  # a well-formed identifier or nothing
_STRUCTURE = frozenset(
    {"event", "name", "intent", "intent_ranking", "entity", "timestamp", "active_loop", "requested_slot", "message_id"}
)
_MIN_REJECTED = 4  # shorter offered values are not hunted for in the text


TextRedaction = Callable[[str], str]


def redaction_once() -> TextRedaction:
    """`redact`, run once per distinct text for as long as the returned function lives (one save: a user's text
    is in its event, its parse and its transcript line; the assistant's in its event and its line)."""
    done: dict[str, str] = {}

    def once(text: str) -> str:
        if text not in done:
            done[text] = redact(text)
        return done[text]

    return once


def _redact_values(value: Any, text: TextRedaction = redact) -> Any:
    """Every string inside `value` redacted by `text`, the keys that name things excepted."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        return [_redact_values(item, text) for item in value]
    if isinstance(value, dict):
        return {key: item if key in _STRUCTURE else _redact_values(item, text) for key, item in value.items()}
    return value


def _rejected_identifiers(tracker: dict[str, Any], is_id: IdentifierRule) -> set[str]:
    """The values this tracker ever put in an identifier slot that are not identifiers."""
    offered = [value for name, value in (tracker.get("slots") or {}).items() if name in IDENTIFIER_SLOTS]
    offered += [
        event.get("value")
        for event in tracker.get("events", [])
        if event.get("event") == "slot" and event.get("name") in IDENTIFIER_SLOTS
    ]
    return {
        value.strip()
        for value in offered
        if isinstance(value, str) and not is_id(value) and len(value.strip()) >= _MIN_REJECTED
    }


def _without(text: str, rejected: set[str]) -> str:
    """`text` with every value in `rejected` replaced by a marker."""
    for value in sorted(rejected, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", NOT_AN_IDENTIFIER, text, flags=re.IGNORECASE)
    return text


def _user_side(message: dict[str, Any], rejected: set[str], is_id: IdentifierRule) -> dict[str, Any]:
    """A user event or latest message whose text and entities hold no rejected identifier."""
    cleaned = dict(message)
    if isinstance(cleaned.get("text"), str):
        cleaned["text"] = _without(cleaned["text"], rejected)
    if isinstance(cleaned.get("entities"), list):
        cleaned["entities"] = [
            {**entity, "value": None}
            if entity.get("entity") == "username" and not is_id(entity.get("value"))
            else entity
            for entity in cleaned["entities"]
            if isinstance(entity, dict)
        ]
    if isinstance(cleaned.get("parse_data"), dict):
        cleaned["parse_data"] = _user_side(cleaned["parse_data"], rejected, is_id)
    return cleaned


def _stored_slot(name: str, value: Any, is_id: IdentifierRule) -> Any:
    if name in SECRET_SLOTS:
        return None
    if name in IDENTIFIER_SLOTS and value is not None and not is_id(value):
        return None
    return value


def _stored_value(name: str, value: Any, is_id: IdentifierRule, text: TextRedaction) -> Any:
    """A slot's value as it may be stored (the names that name things are kept as they are, as in an event)."""
    kept = _stored_slot(name, value, is_id)
    return kept if name in _STRUCTURE else _redact_values(kept, text)


def _redacted_event(event: Any, rejected: set[str], is_id: IdentifierRule, text: TextRedaction) -> Any:
    if not isinstance(event, dict):
        return _redact_values(event, text)
    if event.get("event") == "slot" and isinstance(event.get("name"), str):
        event = {**event, "value": _stored_slot(event["name"], event.get("value"), is_id)}
    elif event.get("event") == "user":
        event = _user_side(event, rejected, is_id)
    return _redact_values(event, text)


def _already_stored(events: list[Any], read_back: list[Any]) -> list[bool]:
    """For each event, whether it equals one of `read_back` (the stored events, in order) at or after the last match."""
    # the usual turn: the stored events (less the oldest, past the tracker's window), then this turn's; found with
    # two comparisons in C, as the loop below would
    if not events or not read_back:
        return [False] * len(events)
    try:
        start = read_back.index(events[0])
    except ValueError:
        start = len(read_back)  # the first event is new: the loop decides
    known = len(read_back) - start
    if known and events[:known] == read_back[start:]:
        return [True] * known + [False] * (len(events) - known)
    found, position = [], 0
    for event in events:
        match = next((i for i in range(position, len(read_back)) if read_back[i] == event), None)
        found.append(match is not None)
        if match is not None:
            position = match + 1
    return found


def _redacted_tracker(
    tracker: dict[str, Any],
    rejected: set[str],
    is_id: IdentifierRule,
    read_back: dict[str, Any] | None = None,
    text: TextRedaction = redact,
) -> dict[str, Any]:
    """The tracker as it may be stored: texts, slot values and entities redacted, secret slots dropped, identifier
    slots holding only identifiers. Events and slot values equal to those of the tracker `read_back` from the store
    are stored already (the redaction's own output): kept as they are."""
    before = read_back or {}
    events = list(tracker.get("events", []))
    kept = _already_stored(events, before.get("events") or [])
    events = [
        event if known else _redacted_event(event, rejected, is_id, text)
        for event, known in zip(events, kept, strict=True)
    ]
    stored_slots = before.get("slots") or {}
    slots = {
        name: value if name in stored_slots and stored_slots[name] == value else _stored_value(name, value, is_id, text)
        for name, value in (tracker.get("slots") or {}).items()
    }
    stored: dict[str, Any] = {}
    for key, value in {**tracker, "events": events, "slots": slots}.items():
        if key in ("events", "slots"):
            stored[key] = value
        elif key == "latest_message" and isinstance(value, dict):
            stored[key] = _redact_values(_user_side(value, rejected, is_id), text)
        else:
            stored[key] = _redact_values(value, text)
    return stored
