"""Account links (a chat proved it owns an ENT identity), their one-time codes, and ADML reset requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.batches import delete_in_batches
from bot.storage.db import affected_rows, read_row
from bot.storage.models import AccountLink, OneTimeCode, ResetRequest


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"


class LinkMethod(StrEnum):
    """How a chat proved it owns the account."""

    CODE = "code"  # a one-time code mailed to an address on file
    CAS = "cas"  # the ENT's own login


@dataclass(frozen=True)
class Link:
    """A chat's live link: the account, how it was proved, and the schools the CAS said the user administers
    (None when it did not say: then the directory's ADML membership stands)."""

    login: str
    method: LinkMethod = LinkMethod.CODE
    adml_of: tuple[str, ...] | None = None
    linked_at: dt.datetime | None = None


DECOY = "decoy"  # the stored hash of a code that was never sent: no HMAC hex digest equals it

Clock = Callable[[], dt.datetime]


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class LinkLifetimes:
    """How long a proved link lasts; a link to an ADML's account (which carries powers) lasts less."""

    user: dt.timedelta = dt.timedelta(days=30)
    adml: dt.timedelta = dt.timedelta(hours=12)


# built once: every turn asks it
_LINK_OF = (
    select(AccountLink.login, AccountLink.linked_at, AccountLink.method, AccountLink.adml_of)
    .where(AccountLink.sender_id == bindparam("sender"), AccountLink.revoked_at.is_(None))
    .order_by(AccountLink.id.desc())
    .limit(1)
)


class LinkStore:
    """Links and one-time codes. Codes are kept as HMAC-SHA256 under the server key, so that a copy of
    the database alone does not give a live code by hashing the 10^6 candidates."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        key: bytes,
        clock: Clock = _system_clock,
        lifetimes: LinkLifetimes = LinkLifetimes(),
        is_adml: Callable[[str], bool] = lambda login: False,
    ) -> None:
        self._sessions = sessions
        self._key = key
        self._clock = clock
        self._lifetimes = lifetimes
        self._is_adml = is_adml
        self._remembered = threading.local()  # inside `remembering`: this thread's links read, by chat

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Within the block, this thread reads a chat's link once (a turn asks for it several times); a link or
        an unlink made meanwhile forgets what was read."""
        outer = getattr(self._remembered, "links", None)
        self._remembered.links = {} if outer is None else outer
        try:
            yield
        finally:
            self._remembered.links = outer

    def _forget_remembered(self) -> None:
        links = getattr(self._remembered, "links", None)
        if links:
            links.clear()

    def _hash(self, sender_id: str, login: str, code: str) -> str:
        message = f"{sender_id}\x00{login}\x00{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _alive(self, login: str, linked_at: dt.datetime, now: dt.datetime, adml_of: list[str] | None = None) -> bool:
        """Whether a link made at `linked_at` still holds: an ADML's lasts less. Whether the account is an ADML's
        is what the CAS said at the link (`adml_of`), else the directory, asked only when it matters."""
        age = now - linked_at
        if age < self._lifetimes.adml and age < self._lifetimes.user:
            return True
        if age >= self._lifetimes.user:
            return False
        return not adml_of if adml_of is not None else not self._is_adml(login)

    def linked_login(self, sender_id: str) -> str | None:
        """The login a chat proved it owns, while its link lasts."""
        link = self.link_of(sender_id)
        return link.login if link else None

    def link_of(self, sender_id: str) -> Link | None:
        """The chat's live link, if any."""
        remembered: dict[str, Link | None] | None = getattr(self._remembered, "links", None)
        if remembered is None:
            return self._read_link(sender_id)
        if sender_id not in remembered:
            remembered[sender_id] = self._read_link(sender_id)
        return remembered[sender_id]

    def _read_link(self, sender_id: str) -> Link | None:
        row = read_row(self._sessions, _LINK_OF, {"sender": sender_id})
        if row is None or not self._alive(row.login, row.linked_at, self._clock(), row.adml_of):
            return None
        adml_of = tuple(row.adml_of) if row.adml_of is not None else None
        return Link(row.login, LinkMethod(row.method), adml_of, row.linked_at)

    def standing_link(self, sender_id: str) -> tuple[Link, bool] | None:
        """The chat's latest link not revoked (unlinked) whatever its age, and whether it still holds (a link past its
        lifetime only proves the chat owned the account once: enough for a notice that names nobody)."""
        with self._sessions() as session:
            row = session.execute(_LINK_OF, {"sender": sender_id}).first()
        if row is None:
            return None
        adml_of = tuple(row.adml_of) if row.adml_of is not None else None
        alive = self._alive(row.login, row.linked_at, self._clock(), row.adml_of)
        return Link(row.login, LinkMethod(row.method), adml_of, row.linked_at), alive

    def senders_linked_to(self, logins: list[str]) -> list[tuple[str, str]]:
        """(sender id, login) of the live links to any of these logins."""
        if not logins:
            return []
        now = self._clock()
        with self._sessions() as session:
            rows = session.execute(
                select(AccountLink.sender_id, AccountLink.login, AccountLink.linked_at, AccountLink.adml_of).where(
                    AccountLink.login.in_(logins), AccountLink.revoked_at.is_(None)
                )
            ).all()
        return [(sender, login) for sender, login, at, adml_of in rows if self._alive(login, at, now, adml_of)]

    def administrators_of(self, uai: str, directory_admls: list[str]) -> list[tuple[str, str]]:
        """(sender id, login) of the live links whose user administers school `uai`: as the CAS said at the link
        when it said, else as the directory says (`directory_admls`, the logins it holds as the school's ADMLs)."""
        now = self._clock()
        said = AccountLink.adml_of.is_not(None)
        with self._sessions() as session:
            rows = session.execute(
                select(AccountLink.sender_id, AccountLink.login, AccountLink.linked_at, AccountLink.adml_of).where(
                    AccountLink.revoked_at.is_(None), AccountLink.login.in_(directory_admls) | said
                )
            ).all()
        return [
            (sender, login)
            for sender, login, at, adml_of in rows
            if (uai in adml_of if adml_of is not None else login in directory_admls)
            and self._alive(login, at, now, adml_of)
        ]

    def link(
        self,
        sender_id: str,
        login: str,
        now: dt.datetime,
        method: LinkMethod = LinkMethod.CODE,
        adml_of: tuple[str, ...] | None = None,
    ) -> None:
        """Link the chat to `login` (a link it had is revoked); `adml_of` is what the CAS said, if it said."""
        self.unlink(sender_id, now)
        with self._sessions.begin() as session:
            session.add(
                AccountLink(
                    sender_id=sender_id,
                    login=login.lower(),
                    linked_at=now,
                    method=method.value,
                    adml_of=list(adml_of) if adml_of is not None else None,
                )
            )
        self._forget_remembered()

    def unlink(self, sender_id: str, now: dt.datetime) -> bool:
        self._forget_remembered()
        with self._sessions.begin() as session:
            result = session.execute(
                update(AccountLink)
                .where(AccountLink.sender_id == sender_id, AccountLink.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return affected_rows(result) > 0

    def _replace_code(self, sender_id: str, login: str, code_hash: str, ttl: dt.timedelta, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(OneTimeCode)
                .where(OneTimeCode.sender_id == sender_id, OneTimeCode.used_at.is_(None))
                .values(used_at=now)
            )
            session.add(
                OneTimeCode(sender_id=sender_id, login=login, code_hash=code_hash, expires_at=now + ttl, attempts=0)
            )

    def issue_code(self, sender_id: str, login: str, digits: int, ttl: dt.timedelta, now: dt.datetime) -> str:
        """A fresh code for this chat and login; older unused codes of the chat stop working."""
        code = "".join(secrets.choice("0123456789") for _ in range(digits))
        self._replace_code(sender_id, login.lower(), self._hash(sender_id, login.lower(), code), ttl, now)
        return code

    def issue_decoy(self, sender_id: str, login: str, ttl: dt.timedelta, now: dt.datetime) -> None:
        """A code that was never sent and matches nothing: the chat of an unknown or refused login waits
        for a code and meets the same answers as any other (wrong, then too many tries)."""
        self._replace_code(sender_id, login.lower(), DECOY, ttl, now)

    def has_live_code(self, sender_id: str, login: str, now: dt.datetime) -> bool:
        with self._sessions() as session:
            return (
                session.scalar(
                    select(OneTimeCode.id)
                    .where(
                        OneTimeCode.sender_id == sender_id,
                        OneTimeCode.login == login.lower(),
                        OneTimeCode.used_at.is_(None),
                        OneTimeCode.expires_at > now,
                        OneTimeCode.code_hash != DECOY,
                    )
                    .limit(1)
                )
                is not None
            )

    def purge_codes(self, now: dt.datetime) -> int:
        """Delete the codes that can no longer be used (expired or spent)."""
        spent = (OneTimeCode.expires_at < now) | OneTimeCode.used_at.is_not(None)
        return delete_in_batches(self._sessions, OneTimeCode, spent)

    def purge_revoked(self, older_than: dt.datetime) -> int:
        """Forget links revoked, or expired, before `older_than` (the audit log keeps that they existed)."""
        revoked = AccountLink.revoked_at.is_not(None) & (AccountLink.revoked_at < older_than)
        expired = AccountLink.linked_at < older_than - self._lifetimes.user
        return delete_in_batches(self._sessions, AccountLink, revoked | expired)

    def _burn(self, row_id: int, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(OneTimeCode).where(OneTimeCode.id == row_id, OneTimeCode.used_at.is_(None)).values(used_at=now)
            )

    def check_code(
        self,
        sender_id: str,
        code: str,
        max_attempts: int,
        now: dt.datetime,
        admit: Callable[[str], bool] = lambda login: True,
    ) -> tuple[CodeCheck, str | None]:
        """Checks a code typed in the chat; returns the outcome and the login the code was for (None when
        there is no code). Only `OK` proves the login.

        Each check first takes one of the code's tries atomically, then asks `admit(login)` (the
        account's cap on checks, all chats together) before comparing: past the cap even the right
        code fails, as a code whose tries are spent.
        """
        with self._sessions() as session:
            row = session.execute(
                select(OneTimeCode.id, OneTimeCode.login, OneTimeCode.code_hash, OneTimeCode.expires_at)
                .where(OneTimeCode.sender_id == sender_id, OneTimeCode.used_at.is_(None))
                .order_by(OneTimeCode.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return CodeCheck.NO_CODE, None
        if now >= row.expires_at:
            self._burn(row.id, now)
            return CodeCheck.EXPIRED, None
        with self._sessions.begin() as session:
            took = session.execute(
                update(OneTimeCode)
                .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None), OneTimeCode.attempts < max_attempts)
                .values(attempts=OneTimeCode.attempts + 1)
                .returning(OneTimeCode.attempts)
            ).scalar()
        if took is None:  # spent meanwhile, or no tries left
            self._burn(row.id, now)
            return CodeCheck.TOO_MANY_ATTEMPTS, row.login
        if not admit(row.login):
            self._burn(row.id, now)
            return CodeCheck.TOO_MANY_ATTEMPTS, row.login
        if hmac.compare_digest(row.code_hash, self._hash(sender_id, row.login, code.strip())):
            with self._sessions.begin() as session:
                won = affected_rows(
                    session.execute(
                        update(OneTimeCode)
                        .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None))
                        .values(used_at=now)
                    )
                )
            return (CodeCheck.OK, row.login) if won else (CodeCheck.NO_CODE, None)
        if took >= max_attempts:
            self._burn(row.id, now)
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
            return (
                ResetRequestView(row.id, row.login, row.uai, row.requester, row.status, row.decided_by) if row else None
            )

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
            return affected_rows(result) > 0

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
        decided = ResetRequest.decided_at.is_not(None) & (ResetRequest.decided_at < older_than)
        return delete_in_batches(self._sessions, ResetRequest, decided)

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
