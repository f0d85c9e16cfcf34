"""Conversation trackers and their redacted transcripts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.redaction import redact
from bot.storage.models import Conversation, Message, NluMiss


class ConversationStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

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
            row.tracker = _redacted_tracker(tracker)
            row.updated_at = now
            for direction, text, intent, confidence in transcript:
                session.add(
                    Message(
                        conversation_id=row.id,
                        direction=direction,
                        text=redact(text),
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
_STRUCTURE = frozenset({"event", "name", "intent", "entity", "timestamp", "active_loop", "requested_slot", "message_id"})


def _redact_values(value: Any) -> Any:
    """Every string inside `value` redacted, the keys that name things excepted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_values(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key in _STRUCTURE else _redact_values(item) for key, item in value.items()}
    return value


def _redacted_tracker(tracker: dict[str, Any]) -> dict[str, Any]:
    """The tracker as it may be stored: texts, slot values and entities redacted, secret slots dropped."""
    events = [
        {**event, "value": None} if event.get("event") == "slot" and event.get("name") in SECRET_SLOTS else event
        for event in tracker.get("events", [])
    ]
    slots = {name: None if name in SECRET_SLOTS else value for name, value in (tracker.get("slots") or {}).items()}
    return _redact_values({**tracker, "events": events, "slots": slots})
