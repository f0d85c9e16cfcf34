"""The CAS logins offered to chats: each one's `state`, a single-use nonce bound to the chat that asked.

The state travels in the service URL (`/cas/callback?state=…`) and comes back with the CAS's ticket; it says
which chat to link, and it works once, for `linking.cas_login_minutes`. Only an HMAC-SHA256 of it under the
server key is kept, so a copy of the database gives no live login link. Using a state is atomic: of two
callbacks with the same state (a reload, a replay), exactly one gets it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import affected_rows
from bot.storage.models import CasLoginState

STATE_BYTES = 32  # 256 bits, URL-safe base64: 43 characters


class StateCheck(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown_state"  # never issued, or purged long after its expiry
    USED = "used_state"  # presented before: a reload, a replay
    EXPIRED = "expired_state"


@dataclass(frozen=True)
class StateUse:
    """What presenting a state gave: its check, and the chat and tenant it was issued for (None if unknown)."""

    check: StateCheck
    sender_id: str | None = None
    tenant: str | None = None

    @property
    def ok(self) -> bool:
        return self.check is StateCheck.OK


class CasStateStore:
    def __init__(self, sessions: sessionmaker[Session], key: bytes) -> None:
        self._sessions = sessions
        self._key = key

    def _hash(self, state: str) -> str:
        return hmac.new(self._key, b"cas-state\x00" + state.encode(), hashlib.sha256).hexdigest()

    def issue(self, sender_id: str, tenant: str, ttl: dt.timedelta, now: dt.datetime) -> str:
        """A fresh state for a CAS login of `tenant` by this chat, valid once until `now + ttl`."""
        state = secrets.token_urlsafe(STATE_BYTES)
        with self._sessions.begin() as session:
            session.add(
                CasLoginState(
                    state_hash=self._hash(state),
                    sender_id=sender_id,
                    tenant=tenant,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
        return state

    def use(self, state: str, now: dt.datetime) -> StateUse:
        """Spend `state`: OK once while it lives; then USED; EXPIRED past its time (spent all the same)."""
        digest = self._hash(state)
        with self._sessions.begin() as session:
            won = session.execute(
                update(CasLoginState)
                .where(CasLoginState.state_hash == digest, CasLoginState.used_at.is_(None))
                .values(used_at=now)
                .returning(CasLoginState.sender_id, CasLoginState.tenant, CasLoginState.expires_at)
            ).first()
        if won is not None:
            check = StateCheck.OK if now < won.expires_at else StateCheck.EXPIRED
            return StateUse(check, won.sender_id, won.tenant)
        with self._sessions() as session:
            seen = session.execute(
                select(CasLoginState.sender_id, CasLoginState.tenant).where(CasLoginState.state_hash == digest)
            ).first()
        if seen is None:
            return StateUse(StateCheck.UNKNOWN)
        return StateUse(StateCheck.USED, seen.sender_id, seen.tenant)

    def purge(self, older_than: dt.datetime) -> int:
        """Forget the states expired before `older_than` (a state presented after that reads as unknown)."""
        with self._sessions.begin() as session:
            return affected_rows(session.execute(delete(CasLoginState).where(CasLoginState.expires_at < older_than)))
