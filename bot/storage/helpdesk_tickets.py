"""Each local ticket's twin in the external helpdesk, and how far the two were synchronised.

`last_message_id` is the last of the ticket's messages (`ticket_messages.id`) sent there as a followup;
`last_followup_id` the last followup read there, relayed to the chat or not: kept in the transaction that stores
what is relayed, so that nothing is relayed twice, across restarts and instances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import HelpdeskTicket, Ticket, TicketMessage
from bot.storage.tickets import OPEN_STATUSES


@dataclass(frozen=True)
class HelpdeskLink:
    ticket_id: int
    system: str
    external_id: int
    last_message_id: int
    last_followup_id: int


def _link(row: HelpdeskTicket) -> HelpdeskLink:
    return HelpdeskLink(row.ticket_id, row.system, int(row.external_id), row.last_message_id, row.last_followup_id)


class HelpdeskTicketStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def unlinked_open(self, limit: int) -> list[int]:
        """Open local tickets with no twin yet, oldest first."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Ticket.id)
                    .outerjoin(HelpdeskTicket, HelpdeskTicket.ticket_id == Ticket.id)
                    .where(HelpdeskTicket.ticket_id.is_(None), Ticket.status.in_(OPEN_STATUSES))
                    .order_by(Ticket.id)
                    .limit(limit)
                )
            )

    def linked_open(self, system: str, limit: int) -> list[HelpdeskLink]:
        """The twins in `system` of open local tickets, those read longest ago (or never) first: a run reading
        `limit` of more tickets than that reads the others next."""
        with self._sessions() as session:
            rows = session.scalars(
                select(HelpdeskTicket)
                .join(Ticket, Ticket.id == HelpdeskTicket.ticket_id)
                .where(HelpdeskTicket.system == system, Ticket.status.in_(OPEN_STATUSES))
                .order_by(HelpdeskTicket.read_at.is_not(None), HelpdeskTicket.read_at, HelpdeskTicket.ticket_id)
                .limit(limit)
            )
            return [_link(row) for row in rows]

    def by_external(self, system: str, external_id: int) -> HelpdeskLink | None:
        with self._sessions() as session:
            row = session.scalar(
                select(HelpdeskTicket).where(
                    HelpdeskTicket.system == system, HelpdeskTicket.external_id == str(external_id)
                )
            )
            return _link(row) if row else None

    def get(self, ticket_id: int, session: Session | None = None) -> HelpdeskLink | None:
        if session is not None:
            row = session.get(HelpdeskTicket, ticket_id, populate_existing=True)
            return _link(row) if row else None
        with self._sessions() as own:
            row = own.get(HelpdeskTicket, ticket_id)
            return _link(row) if row else None

    def last_message_id(self, ticket_id: int) -> int:
        """The id of the ticket's newest message (0: none)."""
        with self._sessions() as session:
            return int(
                session.scalar(select(func.max(TicketMessage.id)).where(TicketMessage.ticket_id == ticket_id)) or 0
            )

    def link(self, ticket_id: int, system: str, external_id: int, last_message_id: int, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.add(
                HelpdeskTicket(
                    ticket_id=ticket_id,
                    system=system,
                    external_id=str(external_id),
                    last_message_id=last_message_id,
                    last_followup_id=0,
                    created_at=now,
                )
            )

    def user_messages_after(self, ticket_id: int, after_id: int, limit: int = 50) -> list[tuple[int, str]]:
        """The user's messages to the ticket after `after_id` (already redacted, or hidden), oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(TicketMessage.id, TicketMessage.text)
                .where(
                    TicketMessage.ticket_id == ticket_id, TicketMessage.id > after_id, TicketMessage.author == "user"
                )
                .order_by(TicketMessage.id)
                .limit(limit)
            ).all()
            return [(int(i), str(t)) for i, t in rows]

    def sent(self, ticket_id: int, message_id: int) -> None:
        with self._sessions.begin() as session:
            row = session.get(HelpdeskTicket, ticket_id)
            if row is not None and message_id > row.last_message_id:
                row.last_message_id = message_id

    def read(self, ticket_id: int, now: dt.datetime) -> None:
        """The ticket was read there now."""
        with self._sessions.begin() as session:
            row = session.get(HelpdeskTicket, ticket_id)
            if row is not None:
                row.read_at = now

    def seen(self, ticket_id: int, followup_id: int, session: Session) -> None:
        """In `session`'s transaction: followups up to `followup_id` were read (and relayed when for the user)."""
        row = session.get(HelpdeskTicket, ticket_id)
        if row is not None and followup_id > row.last_followup_id:
            row.last_followup_id = followup_id
