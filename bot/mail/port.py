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
    def send(self, mail: Mail) -> None:
        """Hand `mail` over for delivery; raises `MailError` when that fails."""
