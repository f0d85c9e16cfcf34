"""The dashboard's aggregates, each one GROUP BY in the database: chats' days by day and diagnosis, by ENT and by
school; tickets by the UTC hour they were opened (with their first agent answer) and closed (with their rating).

The indexes of migration 0009 serve them: on `chat_days`, three that each cover their aggregates;
`tickets (created_at)`, `(closed_at)` and `(uai)`; `ticket_messages (author, ticket_id, created_at)` for the
first answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.dashboard import NOT_ACTIVATED, ChatDayCount, ClosedCount, Filters, OpenedCount, TopBy
from bot.storage.models import ChatDay, Ticket, TicketMessage

TOP_SCHOOLS = 10


def _hour(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC hour an instant falls in, as the database groups it."""
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _seconds(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _as_hour(value: Any) -> dt.datetime:
    """A grouped hour as an aware UTC datetime (SQLite gives text, PostgreSQL a naive UTC timestamp)."""
    hour = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return hour.replace(tzinfo=dt.UTC) if hour.tzinfo is None else hour.astimezone(dt.UTC)


class DashboardQueries:
    def __init__(self, sessions: sessionmaker[Session], engine: Engine) -> None:
        self._sessions = sessions
        self._dialect = engine.dialect.name

    # -- chats' days --------------------------------------------------------------------------------------------
    def _chat_filters(self, filters: Filters) -> list[ColumnElement[bool]]:
        where = [ChatDay.day >= filters.start, ChatDay.day <= filters.end]
        if filters.tenant is not None:
            where.append(ChatDay.tenant == filters.tenant)
        if filters.uai is not None:
            where.append(ChatDay.uai == filters.uai)
        return where

    def chat_days(self, filters: Filters) -> list[ChatDayCount]:
        """Chats' days by day, diagnosis and ENT: one pass over the covering index `ix_chat_days_day` (or, for one
        school, `ix_chat_days_uai_day`), in its order."""
        handed = func.sum(case((ChatDay.handed_over, 1), else_=0))
        query = (
            select(ChatDay.day, ChatDay.diagnosis, ChatDay.tenant, func.count(), handed, func.sum(ChatDay.misses))
            .where(*self._chat_filters(filters))
            .group_by(ChatDay.day, ChatDay.diagnosis, ChatDay.tenant)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [
            ChatDayCount(day, diagnosis, tenant, int(n), int(h or 0), int(m or 0))
            for day, diagnosis, tenant, n, h, m in rows
        ]

    # -- tickets ------------------------------------------------------------------------------------------------
    def _ticket_filters(
        self, filters: Filters, column: Any, bounds: tuple[dt.datetime, dt.datetime]
    ) -> list[ColumnElement[bool]]:
        start, end = bounds
        where: list[ColumnElement[bool]] = [column >= start, column < end]
        if filters.tenant is not None:
            where.append(Ticket.tenant == filters.tenant)
        if filters.uai is not None:
            where.append(Ticket.uai == filters.uai)
        return where

    def tickets_by_tenant(self, filters: Filters, bounds: tuple[dt.datetime, dt.datetime]) -> dict[str | None, int]:
        query = (
            select(Ticket.tenant, func.count())
            .where(*self._ticket_filters(filters, Ticket.created_at, bounds))
            .group_by(Ticket.tenant)
        )
        with self._sessions() as session:
            return {tenant: int(n) for tenant, n in session.execute(query).all()}

    def opened(self, filters: Filters, bounds: tuple[dt.datetime, dt.datetime]) -> list[OpenedCount]:
        """Tickets opened by the hour, with how many an agent answered and the seconds to those answers: each
        ticket's first answer is one seek in `ix_ticket_messages_author_ticket`."""
        first = (
            select(func.min(TicketMessage.created_at))
            .where(TicketMessage.author == "agent", TicketMessage.ticket_id == Ticket.id)
            .correlate(Ticket)
            .scalar_subquery()
        )
        hour = _hour(Ticket.created_at, self._dialect)
        answered = select(hour.label("hour"), first.label("first"), Ticket.created_at.label("opened")).where(
            *self._ticket_filters(filters, Ticket.created_at, bounds)
        )
        each = answered.subquery()
        waited = _seconds(each.c.first, each.c.opened, self._dialect)
        query = select(each.c.hour, func.count(), func.count(each.c.first), func.sum(waited)).group_by(each.c.hour)
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [OpenedCount(_as_hour(h), int(n), int(a), float(s or 0)) for h, n, a, s in rows]

    def closed(self, filters: Filters, bounds: tuple[dt.datetime, dt.datetime]) -> list[ClosedCount]:
        hour = _hour(Ticket.closed_at, self._dialect)
        query = (
            select(hour, Ticket.rating, func.count())
            .where(*self._ticket_filters(filters, Ticket.closed_at, bounds))
            .group_by(hour, Ticket.rating)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [ClosedCount(_as_hour(h), rating, int(n)) for h, rating, n in rows]

    # -- schools ------------------------------------------------------------------------------------------------
    def top_schools(
        self, filters: Filters, bounds: tuple[dt.datetime, dt.datetime], limit: int = TOP_SCHOOLS
    ) -> list[tuple[str, int]]:
        """The schools with the most chats told "not activated", or the most tickets, most first (ties by UAI)."""
        if filters.top_by is TopBy.TICKETS:
            count = func.count(Ticket.id)
            where = [*self._ticket_filters(filters, Ticket.created_at, bounds), Ticket.uai.is_not(None)]
            query = select(Ticket.uai, count).where(*where).group_by(Ticket.uai).order_by(count.desc(), Ticket.uai)
        else:
            count = func.count(ChatDay.id)
            where = [*self._chat_filters(filters), ChatDay.diagnosis == NOT_ACTIVATED, ChatDay.uai.is_not(None)]
            query = select(ChatDay.uai, count).where(*where).group_by(ChatDay.uai).order_by(count.desc(), ChatDay.uai)
        with self._sessions() as session:
            rows = session.execute(query.limit(limit)).all()
        return [(str(uai), int(n)) for uai, n in rows]
