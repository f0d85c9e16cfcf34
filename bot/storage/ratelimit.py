"""Fixed-window rate limits kept in the database, so that every instance and restart shares them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import RateLimit
from bot.storage.models import RateLimitCounter


class RateLimiter:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def hit(self, key: str, limit: RateLimit, now: dt.datetime) -> bool:
        """Count one use of `key`; False when the limit for the current window is already reached."""
        epoch = int(now.timestamp())
        window_start = dt.datetime.fromtimestamp(epoch - epoch % limit.per_seconds, tz=dt.timezone.utc)
        for _ in range(2):
            try:
                with self._sessions.begin() as session:
                    row = session.scalar(
                        select(RateLimitCounter).where(
                            RateLimitCounter.key == key, RateLimitCounter.window_start == window_start
                        )
                    )
                    if row is None:
                        session.add(RateLimitCounter(key=key, window_start=window_start, count=1))
                        return True
                    if row.count >= limit.count:
                        return False
                    row.count += 1
                    return True
            except IntegrityError:  # another instance created the window first: count again
                continue
        return False

    def purge(self, older_than: dt.datetime) -> int:
        with self._sessions.begin() as session:
            result = session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < older_than))
            return int(result.rowcount or 0)
