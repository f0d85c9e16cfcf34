"""The `Mailer` port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    recipient: str
    subject: str
    body: str


class MailError(Exception):
    """The mail could not be handed to the mail server (down, refused); it may be retried."""


class Mailer(Protocol):
    """A way to hand mails over for delivery.

    `instantaneous` says whether `send` returns at once, whatever happens elsewhere (writing a file):
    the outbox then sends inline, within the turn. A mailer that talks to a server (SMTP) says False
    and is only ever called by the outbox's background sender, so a slow or hung server never holds a
    turn. A mailer without the attribute is taken as instantaneous (the port's contract before it).
    """

    instantaneous: bool

    def send(self, mail: Mail) -> None:
        """Hand `mail` over for delivery; raises `MailError` when that fails."""
