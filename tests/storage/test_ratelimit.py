"""The rate limiter on the embedded SQLite database: windows, and exact counts under concurrent turns."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from bot.config import RateLimit
from bot.storage.db import make_engine, session_factory
from bot.storage.ratelimit import RateLimiter

NOW = dt.datetime(2026, 11, 25, 10, 0, 30, tzinfo=dt.UTC)
LIMIT = RateLimit(count=5, per_seconds=60)


def test_a_window_allows_its_count_then_the_next_window_starts_afresh(database_url: str) -> None:
    limiter = RateLimiter(session_factory(make_engine(database_url)))
    assert [limiter.hit("k", LIMIT, NOW) for _ in range(6)] == [True] * 5 + [False]
    assert limiter.hit("other", LIMIT, NOW) is True
    assert limiter.hit("k", LIMIT, NOW + dt.timedelta(seconds=30)) is True  # 10:01:00, a new window


def test_concurrent_turns_never_count_past_the_limit(database_url: str) -> None:
    limiter = RateLimiter(session_factory(make_engine(database_url)))
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: limiter.hit("storm", LIMIT, NOW), range(20)))
    assert results.count(True) == 5
