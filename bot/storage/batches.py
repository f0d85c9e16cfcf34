"""Deleting many rows in bounded batches, each batch its own short transaction.

A retention purge may find hundreds of thousands of rows (a région's year of chats). One statement naming them
all fails past the database's limit on parameters (PostgreSQL: 65,535) and one transaction deleting them all
holds SQLite's write lock, or PostgreSQL's row locks, for as long as it runs: turns would wait. Each batch here is
`DELETE … WHERE <condition> AND key IN (SELECT key … WHERE <condition> LIMIT n)`: no parameter per row, and the
condition checked again on the row deleted, so a row that stopped matching meanwhile (a conversation a turn
just revived) stays. Rows that reference a deleted one go with it (`ON DELETE CASCADE`).
"""

from __future__ import annotations

import typing

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.storage.db import affected_rows

PURGE_BATCH = 500
"""Rows a batch deletes at most: a few milliseconds of lock each (with their cascaded rows)."""


def delete_in_batches(
    sessions: sessionmaker[Session],
    model: type[DeclarativeBase],
    condition: ColumnElement[bool],
    batch: int = PURGE_BATCH,
) -> int:
    """Delete every row of `model` that matches `condition`, `batch` rows a transaction; how many were deleted."""
    table = typing.cast(Table, model.__table__)
    (key,) = table.primary_key.columns
    deleted = 0
    while True:
        chosen = select(key).where(condition).limit(batch)
        with sessions.begin() as session:
            done = affected_rows(session.execute(delete(table).where(condition, key.in_(chosen))))
        if done == 0:
            return deleted
        deleted += done
