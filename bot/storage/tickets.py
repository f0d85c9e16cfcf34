"""Tickets: what the assistant could not solve, worked by support agents.

Every text written here passes through `core.redaction.redact`, and `login` is a well-formed identifier or null:
a value offered as the login that is not one (a sentence, a password) is kept nowhere in the ticket.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import typing
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, bindparam, func, select
from sqlalchemy.orm import Session

from bot.core.redaction import NOT_AN_IDENTIFIER, redact, safe_identifier
from bot.storage.batches import delete_in_batches
from bot.storage.db import read_row
from bot.storage.models import Ticket, TicketMessage
from bot.storage.store import IdentifyingStore


class TicketStatus(enum.StrEnum):
    OPEN = "open"  # waiting for an agent
    TAKEN = "taken"  # an agent works it
    CLOSED = "closed"


OPEN_STATUSES = (TicketStatus.OPEN.value, TicketStatus.TAKEN.value)


@dataclass(frozen=True)
class TicketView:
    id: int
    sender_id: str
    channel: str
    status: str
    tenant: str | None
    login: str | None
    diagnosis: str | None
    summary: str
    transcript: str
    agent: str | None
    topic_ref: str | None
    rating: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


def _without(text: str, offered: str) -> str:
    """`text` where the value offered as a login, not being one, is replaced by a marker."""
    offered = offered.strip()
    return text.replace(offered, NOT_AN_IDENTIFIER) if offered else text


def _view(row: Ticket | Row[Any]) -> TicketView:
    return TicketView(
        row.id,
        row.sender_id,
        row.channel,
        row.status,
        row.tenant,
        row.login,
        row.diagnosis,
        row.summary,
        row.transcript,
        row.agent,
        row.topic_ref,
        row.rating,
        row.created_at,
        row.updated_at,
    )


# built once: every turn asks it
TICKETS = typing.cast(Table, Ticket.__table__)
_OPEN_FOR = (
    select(TICKETS)
    .where(TICKETS.c.sender_id == bindparam("sender"), TICKETS.c.status.in_(OPEN_STATUSES))
    .order_by(Ticket.id.desc())
    .limit(1)
)


class TicketStore(IdentifyingStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._changes = 0
        self._changes_guard = threading.Lock()

    @property
    def changes(self) -> int:
        """How many times this store opened, changed or deleted tickets: unchanged, a ticket read before is current
        (a turn reads the chat's open ticket again only when something changed a ticket meanwhile)."""
        return self._changes

    def _changed(self) -> None:
        with self._changes_guard:
            self._changes += 1

    def open(
        self,
        sender_id: str,
        channel: str,
        tenant: str | None,
        login: str | None,
        diagnosis: str | None,
        summary: str,
        transcript: str,
        now: dt.datetime,
    ) -> TicketView:
        """A new ticket, or the chat's ticket that is still open (one open ticket per chat)."""
        existing = self.open_for(sender_id)
        if existing:
            return existing
        stored_login = safe_identifier(login, self._is_identifier)
        if login and stored_login is None:
            summary, transcript = _without(summary, login), _without(transcript, login)
        with self._sessions.begin() as session:
            row = Ticket(
                sender_id=sender_id,
                channel=channel,
                status=TicketStatus.OPEN.value,
                tenant=tenant,
                login=stored_login,
                diagnosis=diagnosis,
                summary=redact(summary),
                transcript=redact(transcript),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            view = _view(row)
        self._changed()
        return view

    def open_for(self, sender_id: str) -> TicketView | None:
        row = read_row(self._sessions, _OPEN_FOR, {"sender": sender_id})
        return _view(row) if row else None

    def latest_for(self, sender_id: str) -> TicketView | None:
        with self._sessions() as session:
            row = session.scalar(
                select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc()).limit(1)
            )
            return _view(row) if row else None

    def get(self, ticket_id: int) -> TicketView | None:
        with self._sessions() as session:
            row = session.get(Ticket, ticket_id)
            return _view(row) if row else None

    def by_topic(self, topic_ref: str) -> TicketView | None:
        with self._sessions() as session:
            row = session.scalar(select(Ticket).where(Ticket.topic_ref == topic_ref))
            return _view(row) if row else None

    def with_status(self, statuses: tuple[str, ...] = OPEN_STATUSES, limit: int = 200) -> list[TicketView]:
        """The newest tickets (at most `limit`) whose status is one of `statuses`."""
        with self._sessions() as session:
            rows = session.scalars(
                select(Ticket).where(Ticket.status.in_(statuses)).order_by(Ticket.id.desc()).limit(limit)
            )
            return [_view(row) for row in rows]

    def page(
        self, statuses: tuple[str, ...], tenant: str | None, page: int, per_page: int
    ) -> tuple[list[TicketView], int]:
        """One page of tickets with these statuses (and tenant, if given), newest first, and how many match."""
        where: list[ColumnElement[bool]] = [Ticket.status.in_(statuses)]
        if tenant is not None:
            where.append(Ticket.tenant == tenant)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0
            rows = session.scalars(
                select(Ticket).where(*where).order_by(Ticket.id.desc()).offset((page - 1) * per_page).limit(per_page)
            )
            return [_view(row) for row in rows], int(total)

    def _update(self, ticket_id: int, now: dt.datetime, **changes: object) -> TicketView | None:
        with self._sessions.begin() as session:
            row = session.get(Ticket, ticket_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = now
            view = _view(row)
        self._changed()
        return view

    def take(self, ticket_id: int, agent: str, now: dt.datetime) -> TicketView | None:
        return self._update(ticket_id, now, status=TicketStatus.TAKEN.value, agent=agent)

    def close(self, ticket_id: int, now: dt.datetime) -> TicketView | None:
        return self._update(ticket_id, now, status=TicketStatus.CLOSED.value, closed_at=now)

    def set_topic(self, ticket_id: int, topic_ref: str, now: dt.datetime) -> TicketView | None:
        return self._update(ticket_id, now, topic_ref=topic_ref)

    def rate(self, ticket_id: int, rating: int, now: dt.datetime) -> TicketView | None:
        if not 1 <= rating <= 5:
            raise ValueError("a rating is 1 to 5")
        return self._update(ticket_id, now, rating=rating)

    def add_message(
        self, ticket_id: int, author: str, text: str, now: dt.datetime, session: Session | None = None
    ) -> None:
        """A message of the ticket's history; in `session`'s transaction when given."""
        with nullcontext(session) if session is not None else self._sessions.begin() as used:
            used.add(TicketMessage(ticket_id=ticket_id, author=author, text=redact(text), created_at=now))
            row = used.get(Ticket, ticket_id)
            if row is not None:
                row.updated_at = now

    def messages(self, ticket_id: int) -> list[tuple[str, str, dt.datetime]]:
        with self._sessions() as session:
            rows = session.execute(
                select(TicketMessage.author, TicketMessage.text, TicketMessage.created_at)
                .where(TicketMessage.ticket_id == ticket_id)
                .order_by(TicketMessage.id)
            ).all()
            return [(a, t, c) for a, t, c in rows]

    def purge_closed(self, older_than: dt.datetime) -> int:
        """Delete tickets closed and untouched since before `older_than`, in batches; their messages and helpdesk
        records go with them (`ON DELETE CASCADE`)."""
        closed = (Ticket.status == TicketStatus.CLOSED.value) & (Ticket.updated_at < older_than)
        purged = delete_in_batches(self._sessions, Ticket, closed)
        self._changed()
        return purged
