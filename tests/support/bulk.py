"""Many stored conversations at once, written the fast way (one executemany a slice, messages from a SELECT)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, literal, select

from bot.storage.conversations import CONVERSATIONS, MESSAGES
from bot.storage.models import UtcDateTime

SLICE = 10_000


def add_conversations(engine: Engine, prefix: str, count: int, updated_at: dt.datetime, messages_each: int = 0) -> None:
    """`count` conversations `{prefix}{n}` last updated at `updated_at`, each with `messages_each` lines then."""
    with engine.begin() as connection:
        for start in range(0, count, SLICE):
            rows = [
                {
                    "sender_id": f"{prefix}{n}",
                    "channel": "web",
                    "tracker": {"events": []},
                    "created_at": updated_at,
                    "updated_at": updated_at,
                }
                for n in range(start, min(count, start + SLICE))
            ]
            connection.execute(insert(CONVERSATIONS), rows)
        ours = select(
            CONVERSATIONS.c.id,
            literal("in"),
            literal("bonjour"),
            literal(updated_at, UtcDateTime()),
        ).where(CONVERSATIONS.c.sender_id.startswith(prefix, autoescape=True))
        for _ in range(messages_each):
            connection.execute(
                insert(MESSAGES).from_select(["conversation_id", "direction", "text", "created_at"], ours)
            )
