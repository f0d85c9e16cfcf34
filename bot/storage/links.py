"""Account links (a chat proved it owns an ENT identity), their one-time codes, and ADML reset requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import AccountLink, OneTimeCode, ResetRequest


class CodeCheck(str, Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"


def _hash(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


class LinkStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def linked_login(self, sender_id: str) -> str | None:
        with self._sessions() as session:
            return session.scalar(
                select(AccountLink.login)
                .where(AccountLink.sender_id == sender_id, AccountLink.revoked_at.is_(None))
                .order_by(AccountLink.id.desc())
                .limit(1)
            )

    def senders_linked_to(self, logins: list[str]) -> list[tuple[str, str]]:
        """(sender id, login) of the live links to any of these logins."""
        if not logins:
            return []
        with self._sessions() as session:
            rows = session.execute(
                select(AccountLink.sender_id, AccountLink.login).where(
                    AccountLink.login.in_(logins), AccountLink.revoked_at.is_(None)
                )
            ).all()
            return [(s, l) for s, l in rows]

    def link(self, sender_id: str, login: str, now: dt.datetime) -> None:
        self.unlink(sender_id, now)
        with self._sessions.begin() as session:
            session.add(AccountLink(sender_id=sender_id, login=login.lower(), linked_at=now))

    def unlink(self, sender_id: str, now: dt.datetime) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(
                update(AccountLink)
                .where(AccountLink.sender_id == sender_id, AccountLink.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return bool(result.rowcount)

    def issue_code(self, sender_id: str, login: str, digits: int, ttl: dt.timedelta, now: dt.datetime) -> str:
        """A fresh code for this chat and login; older unused codes of the chat stop working."""
        code = "".join(secrets.choice("0123456789") for _ in range(digits))
        with self._sessions.begin() as session:
            session.execute(
                update(OneTimeCode)
                .where(OneTimeCode.sender_id == sender_id, OneTimeCode.used_at.is_(None))
                .values(used_at=now)
            )
            session.add(
                OneTimeCode(
                    sender_id=sender_id, login=login.lower(), code_hash=_hash(code, sender_id),
                    expires_at=now + ttl, attempts=0,
                )
            )
        return code

    def purge_codes(self, now: dt.datetime) -> int:
        """Delete the codes that can no longer be used (expired or spent)."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(OneTimeCode).where((OneTimeCode.expires_at < now) | OneTimeCode.used_at.is_not(None))
            )
            return int(result.rowcount or 0)

    def purge_revoked(self, older_than: dt.datetime) -> int:
        """Forget links revoked before `older_than` (the audit log keeps that they existed)."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(AccountLink).where(AccountLink.revoked_at.is_not(None), AccountLink.revoked_at < older_than)
            )
            return int(result.rowcount or 0)

    def check_code(self, sender_id: str, code: str, max_attempts: int, now: dt.datetime) -> tuple[CodeCheck, str | None]:
        """Checks a code typed in the chat; returns the outcome and the login the code was for (None when
        there is no code). Only `OK` proves the login."""
        with self._sessions.begin() as session:
            row = session.scalar(
                select(OneTimeCode)
                .where(OneTimeCode.sender_id == sender_id, OneTimeCode.used_at.is_(None))
                .order_by(OneTimeCode.id.desc())
                .limit(1)
            )
            if row is None:
                return CodeCheck.NO_CODE, None
            if now >= row.expires_at:
                row.used_at = now
                return CodeCheck.EXPIRED, None
            if row.attempts >= max_attempts:
                row.used_at = now
                return CodeCheck.TOO_MANY_ATTEMPTS, None
            row.attempts += 1
            if hmac.compare_digest(row.code_hash, _hash(code.strip(), sender_id)):
                row.used_at = now
                return CodeCheck.OK, row.login
            if row.attempts >= max_attempts:
                row.used_at = now
                return CodeCheck.TOO_MANY_ATTEMPTS, row.login
            return CodeCheck.WRONG, row.login


@dataclass(frozen=True)
class ResetRequestView:
    id: int
    login: str
    uai: str
    requester: str
    status: str
    decided_by: str | None


class ResetRequestStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, login: str, uai: str, requester: str, now: dt.datetime) -> ResetRequestView:
        with self._sessions.begin() as session:
            row = ResetRequest(login=login, uai=uai, requester=requester, status="pending", created_at=now)
            session.add(row)
            session.flush()
            return ResetRequestView(row.id, row.login, row.uai, row.requester, row.status, None)

    def get(self, request_id: int) -> ResetRequestView | None:
        with self._sessions() as session:
            row = session.get(ResetRequest, request_id)
            return ResetRequestView(row.id, row.login, row.uai, row.requester, row.status, row.decided_by) if row else None

    def pending_for(self, login: str) -> ResetRequestView | None:
        with self._sessions() as session:
            row = session.scalar(
                select(ResetRequest).where(ResetRequest.login == login, ResetRequest.status == "pending").limit(1)
            )
            return ResetRequestView(row.id, row.login, row.uai, row.requester, row.status, None) if row else None

    def claim(self, request_id: int, by: str) -> bool:
        """Take a pending request for deciding, atomically: of two ADMLs clicking at once, one wins."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(ResetRequest)
                .where(ResetRequest.id == request_id, ResetRequest.status == "pending")
                .values(status="deciding", decided_by=by)
            )
            return bool(result.rowcount)

    def release(self, request_id: int) -> None:
        """Put a claimed request back to pending (its reset failed)."""
        with self._sessions.begin() as session:
            session.execute(
                update(ResetRequest)
                .where(ResetRequest.id == request_id, ResetRequest.status == "deciding")
                .values(status="pending", decided_by=None)
            )

    def purge_decided(self, older_than: dt.datetime) -> int:
        """Forget requests decided before `older_than`."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(ResetRequest).where(ResetRequest.decided_at.is_not(None), ResetRequest.decided_at < older_than)
            )
            return int(result.rowcount or 0)

    def decide(self, request_id: int, approved: bool, by: str, now: dt.datetime) -> ResetRequestView | None:
        """Decide a pending or claimed request once; a request already decided is returned unchanged."""
        with self._sessions.begin() as session:
            row = session.get(ResetRequest, request_id)
            if row is None:
                return None
            if row.status in ("pending", "deciding"):
                row.status = "approved" if approved else "denied"
                row.decided_by = by
                row.decided_at = now
            return ResetRequestView(row.id, row.login, row.uai, row.requester, row.status, row.decided_by)
