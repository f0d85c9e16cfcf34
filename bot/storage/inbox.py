"""The chats' inbox: messages a channel could not deliver yet (an agent's answer, a decision), in SQL.

Stored so that a restart or another instance loses nothing; the text is redacted first (an agent may
quote what a user typed). A sensitive message is never given to this store (see `ChatRelay`), and a link button
is not kept: a CAS login link carries a single-use secret, and by the time the message is read it has expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.redaction import redact
from bot.messages import Button, OutboundMessage
from bot.storage.batches import delete_in_batches
from bot.storage.db import affected_rows, read_rows
from bot.storage.models import InboxMessage

WAITING_BATCH = 500
_WAITING_FOR = (
    select(InboxMessage.id, InboxMessage.message)
    .where(InboxMessage.sender_id == bindparam("sender"))
    .order_by(InboxMessage.id)
)


def _to_row(message: OutboundMessage) -> dict[str, Any]:
    """What the inbox stores of a message: its text redacted, its buttons (not the links) and document."""
    return {
        "text": redact(message.text),
        "buttons": [[b.title, b.payload] for b in message.buttons if b.url is None],
        "document": list(message.document) if message.document else None,
    }


def _from_row(row: dict[str, Any]) -> OutboundMessage:
    document = row.get("document")
    return OutboundMessage(
        text=str(row["text"]),
        buttons=tuple(Button(str(title), str(payload)) for title, payload in row.get("buttons") or []),
        document=(str(document[0]), str(document[1])) if document else None,
    )


class InboxStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def add(self, sender_id: str, messages: list[OutboundMessage], session: Session | None = None) -> None:
        """Keep `messages` for the chat; in `session`'s transaction when given."""
        if not messages:
            return
        with nullcontext(session) if session is not None else self._sessions.begin() as writing:
            now = self._clock()
            writing.add_all(InboxMessage(sender_id=sender_id, message=_to_row(m), created_at=now) for m in messages)

    def take(self, sender_id: str) -> list[OutboundMessage]:
        """The chat's stored messages, oldest first; they are removed, each by one caller only."""
        rows = read_rows(self._sessions, _WAITING_FOR, {"sender": sender_id})  # every web turn asks: most find none
        claimed = []
        for row in rows:  # a row is ours only if this call deleted it: no message twice
            with self._sessions.begin() as session:
                if affected_rows(session.execute(delete(InboxMessage).where(InboxMessage.id == row.id))):
                    claimed.append(_from_row(row.message))
        return claimed

    def waiting(self, sender_ids: list[str]) -> set[str]:
        """Which of `sender_ids` have stored messages: one query for up to `WAITING_BATCH` chats."""
        found: set[str] = set()
        with self._sessions() as session:
            for start in range(0, len(sender_ids), WAITING_BATCH):
                batch = sender_ids[start : start + WAITING_BATCH]
                query = select(InboxMessage.sender_id).where(InboxMessage.sender_id.in_(batch)).distinct()
                found.update(session.scalars(query))
        return found

    def purge(self, older_than: dt.datetime) -> int:
        """Forget stored messages nobody came back for before `older_than`."""
        return delete_in_batches(self._sessions, InboxMessage, InboxMessage.created_at < older_than)
