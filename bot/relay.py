"""Messages the assistant sends outside a reply: to ADMLs, to agents, to a user from an agent.

Each channel registers a deliverer for its sender-id prefix (`telegram:`, `web:`); what cannot be
delivered now (no deliverer, channel down) waits in the chat's inbox, which the web page polls and
replay captures. Nothing is lost and nothing here blocks a reply.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

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


@dataclass
class ChatRelay:
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    _inbox: dict[str, list[OutboundMessage]] = field(default_factory=lambda: defaultdict(list))
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
        """Keep messages a channel could not deliver, for the chat's next poll."""
        with self._lock:
            self._inbox[sender_id].extend(messages)

    def take(self, sender_id: str) -> list[OutboundMessage]:
        with self._lock:
            return self._inbox.pop(sender_id, [])

    def peek(self, sender_id: str) -> list[OutboundMessage]:
        with self._lock:
            return list(self._inbox.get(sender_id, []))
