"""Conversation trackers and their redacted transcripts.

Every text written here passes through `core.redaction.redact`. A slot that names an account keeps only a
well-formed identifier: any other value offered for it (a sentence, a bare password typed when the assistant asked
for the identifier) is dropped, and wherever the user's own words held it, it is replaced by a marker.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, select

from bot.core.redaction import NOT_AN_IDENTIFIER, IdentifierRule, redact
from bot.storage.models import Conversation, Message, NluMiss
from bot.storage.store import IdentifyingStore


class ConversationStore(IdentifyingStore):
    def load(self, sender_id: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            row = session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
            return dict(row.tracker) if row else None

    def save(
        self,
        sender_id: str,
        channel: str,
        tracker: dict[str, Any],
        transcript: list[tuple[str, str, str | None, float | None]],
        now: dt.datetime,
    ) -> None:
        """Store the tracker and append transcript lines `(direction, text, intent, confidence)`, redacted."""
        with self._sessions.begin() as session:
            row = session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
            if row is None:
                row = Conversation(sender_id=sender_id, channel=channel, created_at=now, updated_at=now, tracker={})
                session.add(row)
                session.flush()
            rejected = _rejected_identifiers(tracker, self._is_identifier)
            row.tracker = _redacted_tracker(tracker, rejected, self._is_identifier)
            row.updated_at = now
            for direction, text, intent, confidence in transcript:
                session.add(
                    Message(
                        conversation_id=row.id,
                        direction=direction,
                        text=redact(_without(text, rejected) if direction == "in" else text),
                        intent=intent,
                        confidence=confidence,
                        created_at=now,
                    )
                )

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
        """Delete conversations idle since before `older_than`, their messages and old misses."""
        with self._sessions.begin() as session:
            old = session.scalars(select(Conversation.id).where(Conversation.updated_at < older_than)).all()
            if old:
                session.execute(delete(Message).where(Message.conversation_id.in_(old)))
                session.execute(delete(Conversation).where(Conversation.id.in_(old)))
            session.execute(delete(Message).where(Message.created_at < older_than))
            session.execute(delete(NluMiss).where(NluMiss.created_at < older_than))
            return len(old)


SECRET_SLOTS = frozenset({"link_code"})  # never stored, even redacted
IDENTIFIER_SLOTS = frozenset({"username", "link_login", "operation_target"})  # a well-formed identifier or nothing
_STRUCTURE = frozenset(
    {"event", "name", "intent", "entity", "timestamp", "active_loop", "requested_slot", "message_id"}
)
_MIN_REJECTED = 4  # shorter offered values are not hunted for in the text


def _redact_values(value: Any) -> Any:
    """Every string inside `value` redacted, the keys that name things excepted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_values(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key in _STRUCTURE else _redact_values(item) for key, item in value.items()}
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


def _redacted_tracker(tracker: dict[str, Any], rejected: set[str], is_id: IdentifierRule) -> dict[str, Any]:
    """The tracker as it may be stored: texts, slot values and entities redacted, secret slots dropped, identifier
    slots holding only identifiers."""
    events = []
    for event in tracker.get("events", []):
        if event.get("event") == "slot" and isinstance(event.get("name"), str):
            event = {**event, "value": _stored_slot(event["name"], event.get("value"), is_id)}
        elif event.get("event") == "user":
            event = _user_side(event, rejected, is_id)
        events.append(event)
    slots = {name: _stored_slot(name, value, is_id) for name, value in (tracker.get("slots") or {}).items()}
    latest = tracker.get("latest_message")
    stored = {**tracker, "events": events, "slots": slots}
    if isinstance(latest, dict):
        stored["latest_message"] = _user_side(latest, rejected, is_id)
    return _redact_values(stored)
