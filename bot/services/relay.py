"""Messages the assistant sends outside a reply: to ADMLs, to agents, to a user from an agent.

Each channel registers a deliverer for its channel name (`telegram`, `web`); what cannot be delivered
now (no deliverer, channel down) waits in the chat's inbox (`bot.storage.inbox`), which the web page
polls and replay captures. Nothing is lost and nothing here blocks a reply.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.messages import Deliverer, OutboundMessage, channel_of
from bot.storage.inbox import InboxStore

log = logging.getLogger(__name__)


@dataclass
class ChatRelay:
    """Delivers through the channel's deliverer, else keeps the messages in the chat's inbox.

    A sensitive message (a provisional password) is never stored: it waits in this process's memory
    only, as does everything when there is no inbox store.
    """

    inbox: InboxStore | None = None
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    _memory: dict[str, list[OutboundMessage]] = field(default_factory=lambda: defaultdict(list))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, channel: str, deliverer: Deliverer) -> None:
        self.deliverers[channel] = deliverer

    def send(self, sender_id: str, messages: list[OutboundMessage]) -> bool:
        """Deliver now when the channel can, else keep for the chat; True when delivered now."""
        channel = channel_of(sender_id)
        deliverer = self.deliverers.get(channel)
        if deliverer is not None:
            try:
                if deliverer(sender_id, messages):
                    return True
            except Exception:  # a channel failure must not lose the message
                log.exception("delivery to %s failed; kept in its inbox", channel)
        self.keep(sender_id, messages)
        return False

    def keep(self, sender_id: str, messages: list[OutboundMessage]) -> None:
        """Keep messages a channel could not deliver, for the chat's next poll or message."""
        in_memory = [m for m in messages if m.sensitive or self.inbox is None]
        if in_memory:  # a chat is only in memory while something waits for it
            with self._lock:
                self._memory[sender_id].extend(in_memory)
        if self.inbox is not None:
            self.inbox.add(sender_id, [m for m in messages if not m.sensitive])

    def enqueue(self, sender_id: str, messages: list[OutboundMessage], session: Session) -> None:
        """Store messages for the chat in `session`'s transaction; `push` delivers them once it is committed.

        A scheduled job records what it sends in that same transaction: cut short, it did both or neither.
        Not for a sensitive message, which is never stored."""
        if self.inbox is None or any(m.sensitive for m in messages):
            raise ValueError("only a stored inbox keeps a job's messages, and never a sensitive one")
        self.inbox.add(sender_id, messages, session)

    def push(self, sender_id: str) -> None:
        """Deliver what waits for the chat now if its channel delivers (Telegram); else it waits for the chat's poll."""
        if channel_of(sender_id) in self.deliverers:
            waiting = self.take(sender_id)
            if waiting:
                self.send(sender_id, waiting)

    def purge(self, older_than: dt.datetime) -> int:
        """Forget stored messages nobody came back for before `older_than`."""
        return self.inbox.purge(older_than) if self.inbox is not None else 0

    def waiting(self, sender_ids: list[str]) -> set[str]:
        """Which of these chats have messages waiting (one query, not one a chat)."""
        with self._lock:
            found = {sender for sender in sender_ids if self._memory.get(sender)}
        if self.inbox is not None:
            found |= self.inbox.waiting(sender_ids)
        return found

    def take(self, sender_id: str) -> list[OutboundMessage]:
        """The chat's waiting messages, oldest first; they are removed."""
        with self._lock:
            waiting = self._memory.pop(sender_id, [])
        if self.inbox is not None:
            waiting = self.inbox.take(sender_id) + waiting
        return waiting
