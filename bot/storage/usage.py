"""Each chat's day for the dashboard (`chat_days`), written in the transaction of the turn's save: one UPDATE, or
an INSERT on the chat's first turn of the day. Turns of one chat never run at once (`Assistant.handle`), so the
row of a chat's day has one writer at a time."""

from __future__ import annotations

import typing

from sqlalchemy import Table, and_, insert, update
from sqlalchemy.orm import Session

from bot.core.chat_days import TurnUsage
from bot.storage.db import affected_rows
from bot.storage.models import ChatDay, Ticket

CHAT_DAYS = typing.cast(Table, ChatDay.__table__)
TICKETS = typing.cast(Table, Ticket.__table__)


def record_turn(session: Session, conversation_id: int, usage: TurnUsage) -> None:
    """Count the turn in its chat's day; what the turn does not know (ENT, school, diagnosis) keeps its value."""
    known = {
        name: value
        for name, value in (("tenant", usage.tenant), ("uai", usage.uai), ("diagnosis", usage.diagnosis))
        if value is not None
    }
    changes: dict[str, typing.Any] = {
        **known,
        "turns": CHAT_DAYS.c.turns + 1,
        "misses": CHAT_DAYS.c.misses + int(usage.missed),
    }
    if usage.handed_over:
        changes["handed_over"] = True
    same_day = and_(CHAT_DAYS.c.conversation_id == conversation_id, CHAT_DAYS.c.day == usage.day)
    if not affected_rows(session.execute(update(CHAT_DAYS).where(same_day).values(**changes))):
        session.execute(
            insert(CHAT_DAYS).values(
                conversation_id=conversation_id,
                day=usage.day,
                channel=usage.channel,
                tenant=usage.tenant,
                uai=usage.uai,
                diagnosis=usage.diagnosis,
                handed_over=usage.handed_over,
                turns=1,
                misses=int(usage.missed),
            )
        )
    if usage.ticket_id is not None and usage.uai is not None:
        session.execute(
            update(TICKETS).where(TICKETS.c.id == usage.ticket_id, TICKETS.c.uai.is_(None)).values(uai=usage.uai)
        )
