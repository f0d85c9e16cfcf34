"""The ticket-system port: what the assistant asks of an external helpdesk, whatever its API.

A `TicketSystem` opens one `HelpdeskSession` per synchronisation run (GLPI opens an API session with `initSession`
and ends it with `killSession`; Zammad needs nothing but its token). Ids there are whole numbers in both systems,
growing with time: the synchroniser remembers the last followup id it saw.
"""

from __future__ import annotations

import enum
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class HelpdeskError(Exception):
    """The helpdesk refused a call or could not be reached; `code` is its error (`ERROR_…`, an HTTP status)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class ExternalState(enum.StrEnum):
    OPEN = "open"  # new, assigned, planned, pending: agents work it
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def finished(self) -> bool:
        """Solved or closed there: the local ticket closes (and the user is asked their rating)."""
        return self is not ExternalState.OPEN


@dataclass(frozen=True)
class Requester:
    login: str | None
    email: str | None
    name: str | None


@dataclass(frozen=True)
class NewTicket:
    """What an escalation sends: every text already through `core.redaction.redact`."""

    title: str
    content: str
    requester: Requester


@dataclass(frozen=True)
class Followup:
    """One followup (GLPI ITILFollowup, Zammad article) of an external ticket."""

    id: int
    text: str
    public: bool  # GLPI is_private = 0, Zammad internal = false
    by_agent: bool  # written there by an agent, not sent by the assistant (nor by the system)

    @property
    def for_the_user(self) -> bool:
        return self.public and self.by_agent and bool(self.text.strip())


class HelpdeskSession(Protocol):
    async def create(self, ticket: NewTicket) -> int:
        """The new external ticket's id."""
        ...

    async def add_followup(self, external_id: int, text: str) -> int:
        """A public followup from the requester on the ticket; its id."""
        ...

    async def followups(self, external_id: int) -> list[Followup]:
        """Every followup of the ticket (not its first content), oldest first."""
        ...

    async def state(self, external_id: int) -> ExternalState: ...


class TicketSystem(Protocol):
    @property
    def name(self) -> str:
        """`glpi`, `zammad`: what the twins' rows and the webhook's route are named after."""
        ...

    def connect(self) -> AbstractAsyncContextManager[HelpdeskSession]: ...

    def webhook_ticket_id(self, payload: Any) -> int | None:
        """The external ticket a webhook's JSON payload is about, if any."""
        ...
