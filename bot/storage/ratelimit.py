"""Fixed-window rate limits kept in the database, so that every instance and restart shares them."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib

from sqlalchemy import Executable, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import RateLimit
from bot.storage.batches import delete_in_batches
from bot.storage.db import affected_rows, engine_of, one_statement
from bot.storage.models import RateLimitCounter


def stored_key(key: str) -> str:
    """What the counters table keeps of a key: its kind (`lookup:login`) and a hash of what it counts, so that
    an identifier, an address or a word typed by a user is never kept in clear."""
    kind, _, counted = key.rpartition(":")
    return (
        f"{kind}:{hashlib.sha256(counted.encode()).hexdigest()[:32]}"
        if kind
        else hashlib.sha256(key.encode()).hexdigest()[:32]
    )


def _window_start(limit: RateLimit, now: dt.datetime) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % limit.per_seconds, tz=dt.UTC)


def _count_if_below(dialect: str) -> Executable | None:
    """`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < :limit RETURNING count` in the dialect's
    words (SQLite and PostgreSQL have it), built once, on first use: a turn that looks an account up runs it."""
    if dialect not in ("sqlite", "postgresql"):
        return None
    if dialect in _COUNT_IF_BELOW:
        return _COUNT_IF_BELOW[dialect]
    insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
    table = RateLimitCounter.__table__
    statement = (
        insert(table)
        .values(key=bindparam("key"), window_start=bindparam("window_start"), count=1)
        .on_conflict_do_update(
            index_elements=[table.c.key, table.c.window_start],
            set_={"count": table.c.count + 1},
            where=table.c.count < bindparam("limit"),
        )
        .returning(table.c.count)
    )
    return _COUNT_IF_BELOW.setdefault(dialect, statement)


_COUNT_IF_BELOW: dict[str, Executable] = {}


class RateLimiter:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def hit(self, key: str, limit: RateLimit, now: dt.datetime) -> bool:
        """Count one use of `key`; False when the limit for the current window is already reached.

        One atomic statement, so that concurrent turns (threads, instances sharing PostgreSQL) can never count past
        the limit: `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < limit` on SQLite and
        PostgreSQL, else `UPDATE … WHERE count < limit` and an insert for a new window.
        """
        key = stored_key(key)
        window_start = _window_start(limit, now)
        engine = engine_of(self._sessions)
        counting = _count_if_below(engine.dialect.name)
        if counting is not None:
            with one_statement(self._sessions) as connection:
                within = connection.execute(
                    counting, {"key": key, "window_start": window_start, "limit": limit.count}
                ).first()
            return within is not None
        same_window = (RateLimitCounter.key == key, RateLimitCounter.window_start == window_start)
        for _ in range(3):
            with self._sessions.begin() as session:
                counted = session.execute(
                    update(RateLimitCounter)
                    .where(*same_window, RateLimitCounter.count < limit.count)
                    .values(count=RateLimitCounter.count + 1)
                    .execution_options(synchronize_session=False)
                )
                if affected_rows(counted):
                    return True
                if session.scalar(select(RateLimitCounter.count).where(*same_window)) is not None:
                    return False  # the window exists and is full
            try:
                with self._sessions.begin() as session:
                    session.add(RateLimitCounter(key=key, window_start=window_start, count=1))
                return True
            except IntegrityError:  # another turn opened the window first: count again
                continue
        return False

    def reached(self, key: str, limit: RateLimit, now: dt.datetime) -> bool:
        """Whether the current window of `key` is full, without counting a use."""
        key = stored_key(key)
        window_start = _window_start(limit, now)
        with self._sessions() as session:
            count = session.scalar(
                select(RateLimitCounter.count).where(
                    RateLimitCounter.key == key, RateLimitCounter.window_start == window_start
                )
            )
        return count is not None and count >= limit.count

    def purge(self, older_than: dt.datetime) -> int:
        return delete_in_batches(self._sessions, RateLimitCounter, RateLimitCounter.window_start < older_than)
