"""Messages the assistant sends outside a reply: to ADMLs, to agents, to a user from an agent.

Each channel registers a deliverer for its sender-id prefix (`telegram:`, `web:`); what cannot be
delivered now (no deliverer, channel down) waits in the chat's inbox, which the web page polls and
replay captures. Nothing is lost and nothing here blocks a reply.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.redaction import redact
from bot.storage.models import InboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class OutboundMessage:
    """One bot message: text, buttons, and whether it carries a secret (shown once, never stored)."""

    text: str
    buttons: tuple[Button, ...] = ()
    sensitive: bool = False
    document: tuple[str, str] | None = None  # (file name, text content), e.g. a CSV export

    def as_rest(self, recipient_id: str) -> dict[str, object]:
        body: dict[str, object] = {"recipient_id": recipient_id, "text": self.text}
        if self.buttons:
            body["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return body


Deliverer = Callable[[str, list[OutboundMessage]], bool]


def _to_row(message: OutboundMessage) -> dict[str, Any]:
    """What the inbox stores of a message: its text redacted (an agent may quote what a user typed)."""
    return {
        "text": redact(message.text),
        "buttons": [[b.title, b.payload] for b in message.buttons],
        "document": list(message.document) if message.document else None,
    }


def _from_row(row: dict[str, Any]) -> OutboundMessage:
    document = row.get("document")
    return OutboundMessage(
        text=str(row["text"]),
        buttons=tuple(Button(str(title), str(payload)) for title, payload in row.get("buttons") or []),
        document=(str(document[0]), str(document[1])) if document else None,
    )


@dataclass
class ChatRelay:
    """Delivers through the channel's deliverer, else keeps the messages in the chat's inbox.

    The inbox is stored in SQL so that a restart or another instance loses nothing; a sensitive message
    (a provisional password) is never stored: it waits in this process's memory only.
    """

    sessions: sessionmaker[Session] | None = None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    _memory: dict[str, list[OutboundMessage]] = field(default_factory=lambda: defaultdict(list))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, prefix: str, deliverer: Deliverer) -> None:
        self.deliverers[prefix] = deliverer

    def send(self, sender_id: str, messages: list[OutboundMessage]) -> bool:
        """Deliver now when the channel can, else keep for the chat; True when delivered now."""
        prefix = sender_id.split(":", 1)[0]
        deliverer = self.deliverers.get(prefix)
        if deliverer is not None:
            try:
                if deliverer(sender_id, messages):
                    return True
            except Exception:  # a channel failure must not lose the message
                log.exception("delivery to %s failed; kept in its inbox", prefix)
        self.keep(sender_id, messages)
        return False

    def keep(self, sender_id: str, messages: list[OutboundMessage]) -> None:
        """Keep messages a channel could not deliver, for the chat's next poll or message."""
        stored = [m for m in messages if not m.sensitive]
        with self._lock:
            self._memory[sender_id].extend(m for m in messages if m.sensitive or self.sessions is None)
        if stored and self.sessions is not None:
            with self.sessions.begin() as session:
                now = self.clock()
                session.add_all(InboxMessage(sender_id=sender_id, message=_to_row(m), created_at=now) for m in stored)

    def purge(self, older_than: dt.datetime) -> int:
        """Forget stored messages nobody came back for before `older_than`."""
        if self.sessions is None:
            return 0
        with self.sessions.begin() as session:
            result = session.execute(delete(InboxMessage).where(InboxMessage.created_at < older_than))
            return int(result.rowcount or 0)

    def take(self, sender_id: str) -> list[OutboundMessage]:
        """The chat's waiting messages, oldest first; they are removed."""
        with self._lock:
            waiting = self._memory.pop(sender_id, [])
        if self.sessions is not None:
            with self.sessions() as session:
                rows = session.execute(
                    select(InboxMessage.id, InboxMessage.message)
                    .where(InboxMessage.sender_id == sender_id)
                    .order_by(InboxMessage.id)
                ).all()
            claimed = []
            for row_id, message in rows:  # a row is ours only if this call deleted it: no message twice
                with self.sessions.begin() as session:
                    if session.execute(delete(InboxMessage).where(InboxMessage.id == row_id)).rowcount:
                        claimed.append(_from_row(message))
            waiting = claimed + waiting
        return waiting
