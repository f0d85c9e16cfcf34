"""Each chat's day for the dashboard (`chat_days`), written in the transaction of the turn's save: one statement,
`INSERT … ON CONFLICT (conversation_id, day) DO UPDATE` on SQLite and PostgreSQL, built once for each. Turns of
one chat never run at once (`Assistant.handle`), so the row of a chat's day has one writer at a time."""

from __future__ import annotations

import importlib
import typing
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, update

from bot.core.chat_days import TurnUsage
from bot.storage.db import affected_rows
from bot.storage.models import ChatDay, Ticket

CHAT_DAYS = typing.cast(Table, ChatDay.__table__)
TICKETS = typing.cast(Table, Ticket.__table__)
_COLUMNS = ("conversation_id", "day", "channel", "tenant", "uai", "diagnosis", "handed_over", "turns", "misses")
_UPSERTS: dict[str, Any] = {}
# a ticket of the chat gets its school when the chat's is known (once: a school given stays)
_TICKET_SCHOOL = (
    update(TICKETS)
    .where(TICKETS.c.id == bindparam("ticket_id"), TICKETS.c.uai.is_(None))
    .values(uai=bindparam("school"))
)


def _upsert(dialect: str) -> Any:
    """The statement that counts a turn in its chat's day; what the turn does not know keeps its value."""
    if dialect not in _UPSERTS:
        dialect_insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
        statement = dialect_insert(CHAT_DAYS).values({name: bindparam(name) for name in _COLUMNS})
        new, old = statement.excluded, CHAT_DAYS.c
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[old.conversation_id, old.day],
            set_={
                "turns": old.turns + 1,
                "misses": old.misses + new.misses,
                "tenant": func.coalesce(new.tenant, old.tenant),
                "uai": func.coalesce(new.uai, old.uai),
                "diagnosis": func.coalesce(new.diagnosis, old.diagnosis),
                "handed_over": or_(old.handed_over, new.handed_over),
            },
        )
    return _UPSERTS[dialect]


def _update_or_insert(connection: Connection, row: dict[str, Any]) -> None:
    """Another database: the UPDATE of the day's row, or its INSERT on the chat's first turn of the day."""
    known = {name: row[name] for name in ("tenant", "uai", "diagnosis") if row[name] is not None}
    changes: dict[str, Any] = {**known, "turns": CHAT_DAYS.c.turns + 1, "misses": CHAT_DAYS.c.misses + row["misses"]}
    if row["handed_over"]:
        changes["handed_over"] = True
    same_day = and_(CHAT_DAYS.c.conversation_id == row["conversation_id"], CHAT_DAYS.c.day == row["day"])
    if not affected_rows(connection.execute(update(CHAT_DAYS).where(same_day).values(**changes))):
        connection.execute(insert(CHAT_DAYS).values(**row))


def record_turn(connection: Connection, conversation_id: int, usage: TurnUsage) -> None:
    """Count the turn in its chat's day (and give the chat's ticket its school)."""
    row = {
        "conversation_id": conversation_id,
        "day": usage.day,
        "channel": usage.channel,
        "tenant": usage.tenant,
        "uai": usage.uai,
        "diagnosis": usage.diagnosis,
        "handed_over": usage.handed_over,
        "turns": 1,
        "misses": int(usage.missed),
    }
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        connection.execute(_upsert(dialect), row)
    else:
        _update_or_insert(connection, row)
    if usage.ticket_id is not None and usage.uai is not None:
        connection.execute(_TICKET_SCHOOL, {"ticket_id": usage.ticket_id, "school": usage.uai})
