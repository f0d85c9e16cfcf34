"""Button payloads too long for a channel's button data, kept in SQL under a short key.

Telegram gives a button at most 64 bytes of callback data; a longer payload is stored here and the
button carries its key. Stored, not kept in memory, so a button sent before a restart still works after.
The key is a hash of the payload: the same payload always gets the same key and one row. A payload can name an
account, so it is purged with the transcripts (`purge`); keeping it again refreshes its date, so a button still
being sent is never purged under a chat's eyes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import affected_rows
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
        """Store the payload (once) and return its key; a payload kept again is dated again (once a day at most)."""
        key = payload_key(payload)
        now = self._clock()
        with self._sessions() as session:
            kept_at = session.scalar(select(ButtonPayload.created_at).where(ButtonPayload.key == key))
        if kept_at is not None:
            if kept_at < now - dt.timedelta(days=1):  # a write only once a day, not at every button sent
                with self._sessions.begin() as session:
                    session.execute(update(ButtonPayload).where(ButtonPayload.key == key).values(created_at=now))
            return key
        try:
            with self._sessions.begin() as session:
                session.add(ButtonPayload(key=key, payload=payload, created_at=now))
        except IntegrityError:  # another sender stored the same payload meanwhile
            pass
        return key

    def get(self, key: str) -> str | None:
        """The payload kept under `key`, or None when there is none."""
        with self._sessions() as session:
            return session.scalar(select(ButtonPayload.payload).where(ButtonPayload.key == key))

    def purge(self, older_than: dt.datetime) -> int:
        """Forget the payloads last kept before `older_than` (their buttons then answer that they have expired)."""
        with self._sessions.begin() as session:
            return affected_rows(session.execute(delete(ButtonPayload).where(ButtonPayload.created_at < older_than)))
