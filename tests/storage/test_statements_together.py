"""A turn's standalone statements on one connection (`statements_together`): fewer trips to the pool, each
statement still a transaction of its own."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError

from bot.config import RateLimit
from bot.storage.db import make_engine, one_statement, read_row, session_factory, statements_together
from bot.storage.ratelimit import RateLimiter

NOW = dt.datetime(2026, 11, 25, 10, 0, 30, tzinfo=dt.UTC)
LIMIT = RateLimit(count=100, per_seconds=60)
COUNTED = text("SELECT count FROM rate_limit_counters")


def _checkouts(engine: Engine) -> list[object]:
    taken: list[object] = []
    event.listen(engine.pool, "checkout", lambda *_: taken.append(1))
    return taken


def test_the_statements_of_a_block_take_one_connection_from_the_pool(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    limiter, taken = RateLimiter(sessions), _checkouts(engine)
    with statements_together(engine):
        limiter.hit("web:ip:a", LIMIT, NOW)
        read_row(sessions, COUNTED, {})
        with statements_together(engine):  # a turn inside a web request's block
            read_row(sessions, COUNTED, {})
    assert len(taken) == 1
    limiter.hit("web:ip:a", LIMIT, NOW)
    read_row(sessions, COUNTED, {})
    assert len(taken) == 3  # outside a block, one each


def test_a_count_made_in_a_block_is_committed_at_once(database_url: str) -> None:
    """Another writer is not held behind an open block: the writer's place is given back after each statement."""
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    limiter = RateLimiter(sessions)
    seen: list[object] = []

    def other_chat() -> None:
        limiter.hit("web:ip:b", LIMIT, NOW)
        seen.append(read_row(sessions, text("SELECT count(*) FROM rate_limit_counters"), {}))

    with statements_together(engine):
        limiter.hit("web:ip:a", LIMIT, NOW)
        writer = threading.Thread(target=other_chat)
        writer.start()
        writer.join(timeout=5)
        assert not writer.is_alive()
        assert seen == [(2,)]


def test_a_failed_statement_is_rolled_back_and_the_block_goes_on(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    limiter = RateLimiter(sessions)
    with statements_together(engine):
        with pytest.raises(IntegrityError), one_statement(sessions) as connection:
            connection.execute(text("INSERT INTO rate_limit_counters (key) VALUES (NULL)"))
        other_chat = threading.Thread(target=limiter.hit, args=("web:ip:b", LIMIT, NOW))
        other_chat.start()
        other_chat.join(timeout=5)
        assert not other_chat.is_alive()  # the failed write's place was given back
        assert limiter.hit("web:ip:a", LIMIT, NOW) is True
        assert read_row(sessions, text("SELECT count(*) FROM rate_limit_counters"), {}) == (2,)
