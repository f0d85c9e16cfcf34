"""Button payloads too long for a channel's button data, kept in SQL under a short key.

Telegram gives a button at most 64 bytes of callback data; a longer payload is stored here and the
button carries its key. Stored, not kept in memory, so a button sent before a restart still works after.
The key is a hash of the payload: the same payload always gets the same key and one row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import ButtonPayload

KEY_LENGTH = 32  # hex digits of SHA-256 kept: 128 bits


def payload_key(payload: str) -> str:
    """The key a payload is kept under."""
    return hashlib.sha256(payload.encode()).hexdigest()[:KEY_LENGTH]


class ButtonPayloadStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def keep(self, payload: str) -> str:
        """Store the payload (once) and return its key."""
        key = payload_key(payload)
        if self.get(key) is not None:
            return key
        try:
            with self._sessions.begin() as session:
                session.add(ButtonPayload(key=key, payload=payload, created_at=self._clock()))
        except IntegrityError:  # another sender stored the same payload meanwhile
            pass
        return key

    def get(self, key: str) -> str | None:
        """The payload kept under `key`, or None when there is none."""
        with self._sessions() as session:
            return session.scalar(select(ButtonPayload.payload).where(ButtonPayload.key == key))
