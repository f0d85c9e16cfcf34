"""The messages every part of the assistant exchanges: what comes in, what goes out, a turn's result.

One module for the types a channel, the service layer and the inbox store all read, so that none of
them has to import another for a dataclass. A sender id is `<channel>:<id in that channel>`
(`telegram:5001`, `web:3f2a…`); `split_sender` is the one place that reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_CHANNEL = "unknown"


def split_sender(sender_id: str) -> tuple[str, str]:
    """The channel and the id within it: `telegram:5001` → (`telegram`, `5001`); no prefix → (`unknown`, id)."""
    channel, colon, rest = sender_id.partition(":")
    return (channel, rest) if colon else (UNKNOWN_CHANNEL, sender_id)


def channel_of(sender_id: str) -> str:
    """The channel a sender id belongs to (`unknown` when it has no prefix)."""
    return split_sender(sender_id)[0]


@dataclass(frozen=True)
class Button:
    """A button: it sends `payload` as the user's message, or, with a `url`, it is a link the user opens (the
    CAS login). A link may carry a single-use secret: no store keeps it (see the inbox and the tracker)."""

    title: str
    payload: str = ""
    url: str | None = None

    def as_rest(self) -> dict[str, str]:
        """Rasa's REST shape: `{"title", "payload"}`, or a link as rasa-webchat reads it (`"type": "web_url"`)."""
        if self.url is not None:
            return {"title": self.title, "type": "web_url", "url": self.url}
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class InboundMessage:
    sender_id: str  # "<channel>:<id>", e.g. "telegram:5001", "web:3f2a…"
    text: str
    client_address: str | None = None  # the web client's address (per-address limits); None on other channels

    @property
    def channel(self) -> str:
        return channel_of(self.sender_id)


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
            body["buttons"] = [b.as_rest() for b in self.buttons]
        return body


@dataclass
class TurnResult:
    messages: list[OutboundMessage]
    intent: str | None = None
    confidence: float | None = None
    diagnosis: str | None = None
    operations: list[dict[str, Any]] = field(default_factory=list)
    ticket: dict[str, Any] | None = None


Deliverer = Callable[[str, list[OutboundMessage]], bool]
"""A channel's way to send messages to one of its chats now; False (or an error) when it cannot."""
