"""The dashboard's aggregates, each one GROUP BY in the database: chats' days by day and diagnosis, by ENT and by
school; tickets by the UTC hour they were opened (with their first agent answer) and closed (with their rating).

The indexes of migration 0009 serve them: `chat_days (day, tenant)` and `(uai, day)`, `tickets (created_at)`,
`(closed_at)` and `(uai)`, and `ticket_messages (author, ticket_id, created_at)` for the first answers.
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
        handed = func.sum(case((ChatDay.handed_over, 1), else_=0))
        query = (
            select(ChatDay.day, ChatDay.diagnosis, func.count(), handed, func.sum(ChatDay.misses))
            .where(*self._chat_filters(filters))
            .group_by(ChatDay.day, ChatDay.diagnosis)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [ChatDayCount(day, diagnosis, int(n), int(h or 0), int(m or 0)) for day, diagnosis, n, h, m in rows]

    def chats_by_tenant(self, filters: Filters) -> dict[str | None, int]:
        query = select(ChatDay.tenant, func.count()).where(*self._chat_filters(filters)).group_by(ChatDay.tenant)
        with self._sessions() as session:
            return {tenant: int(n) for tenant, n in session.execute(query).all()}

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
        first = (
            select(TicketMessage.ticket_id, func.min(TicketMessage.created_at).label("at"))
            .where(TicketMessage.author == "agent")
            .group_by(TicketMessage.ticket_id)
            .subquery()
        )
        hour = _hour(Ticket.created_at, self._dialect)
        waited = _seconds(first.c.at, Ticket.created_at, self._dialect)
        query = (
            select(hour, func.count(Ticket.id), func.count(first.c.at), func.sum(waited))
            .select_from(Ticket)
            .outerjoin(first, first.c.ticket_id == Ticket.id)
            .where(*self._ticket_filters(filters, Ticket.created_at, bounds))
            .group_by(hour)
        )
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
