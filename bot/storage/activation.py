"""The activation store: what the activation application knows and the directory does not.

Provisional password issue date and reason, backup address, its validation and the time the last
validation link was sent. Both directory adapters read it, as the operators' activation
applications do beside their LDAP directories.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.accounts import Account, Delivery
from bot.storage.batches import delete_in_batches
from bot.storage.models import ActivationRecord, ValidationToken

LOGINS_A_QUERY = 1000  # an IN list well under every database's limit on parameters (SQLite 32,766, PostgreSQL 65,535)
ROWS_AN_INSERT = 5000  # a fixture's rows written a slice at a time: one executemany each, memory bounded


class ActivationStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, login: str) -> ActivationRecord | None:
        with self._sessions() as session:
            return session.get(ActivationRecord, login.lower())

    def records(self, logins: list[str]) -> dict[str, ActivationRecord]:
        """The records of these logins (lower-cased) that exist, in a few queries (a school: thousands)."""
        wanted = sorted({login.lower() for login in logins})
        found: dict[str, ActivationRecord] = {}
        with self._sessions() as session:
            for start in range(0, len(wanted), LOGINS_A_QUERY):
                chunk = wanted[start : start + LOGINS_A_QUERY]
                found.update(
                    (record.login, record)
                    for record in session.scalars(select(ActivationRecord).where(ActivationRecord.login.in_(chunk)))
                )
        return found

    def complete(self, account: Account) -> Account:
        """The account with the activation fields filled from this store."""
        return completed(account, self.record(account.login))

    def complete_all(self, accounts: list[Account]) -> list[Account]:
        """`complete` for each account, in order, in a few queries."""
        found = self.records([account.login for account in accounts])
        return [completed(account, found.get(account.login.lower())) for account in accounts]

    def replace_all(self, accounts: tuple[Account, ...] | list[Account]) -> None:
        """Forget every record and write the activation fields of these accounts (fixture load)."""
        with self._sessions.begin() as session:
            session.execute(delete(ActivationRecord))
            for start in range(0, len(accounts), ROWS_AN_INSERT):
                session.execute(
                    insert(ActivationRecord), [_record_row(a) for a in accounts[start : start + ROWS_AN_INSERT]]
                )

    def _upsert(self, session: Session, login: str) -> ActivationRecord:
        record = session.get(ActivationRecord, login.lower())
        if record is None:
            record = ActivationRecord(login=login.lower(), backup_email_validated=False)
            session.add(record)
        return record

    def record_provisional_issued(self, login: str, at: dt.datetime, reason: str, delivery: Delivery) -> None:
        with self._sessions.begin() as session:
            record = self._upsert(session, login)
            record.provisional_issued_at = at
            record.provisional_reason = reason
            record.provisional_delivery = delivery.value

    def issue_validation_token(self, login: str, address: str, valid_for: dt.timedelta, now: dt.datetime) -> str:
        """A fresh validation link token for the backup `address` of `login`.

        Earlier links that are still valid keep working: anyone may ask for a resend, and a stranger's
        request must not kill the link the owner is about to open. A link for another address dies anyway
        at validation (the address it names is no longer the account's).
        """
        token = secrets.token_urlsafe(24)
        with self._sessions.begin() as session:
            session.add(
                ValidationToken(
                    token_hash=_token_hash(token), login=login.lower(), address=address, expires_at=now + valid_for
                )
            )
            self._upsert(session, login).validation_link_sent_at = now
        return token

    def validate_backup_address(self, token: str, now: dt.datetime) -> str | None:
        """Mark the backup address of the token's account validated; its login, or None if the link is dead."""
        with self._sessions.begin() as session:
            row = session.scalar(select(ValidationToken).where(ValidationToken.token_hash == _token_hash(token)))
            if row is None or row.used_at is not None or now >= row.expires_at:
                return None
            record = self._upsert(session, row.login)
            if record.backup_email != row.address:  # the address changed since the link was sent
                return None
            row.used_at = now
            record.backup_email_validated = True
            session.execute(  # the other links of this login have nothing left to validate
                update(ValidationToken)
                .where(ValidationToken.login == row.login, ValidationToken.used_at.is_(None))
                .values(used_at=now)
            )
            return row.login

    def validation_link_alive(self, token: str, now: dt.datetime) -> bool:
        """Whether `token` would validate now, without using it (the confirmation page asks first)."""
        with self._sessions() as session:
            row = session.scalar(select(ValidationToken).where(ValidationToken.token_hash == _token_hash(token)))
            if row is None or row.used_at is not None or now >= row.expires_at:
                return False
            record = session.get(ActivationRecord, row.login)
            return record is not None and record.backup_email == row.address

    def links_expiring(self, now: dt.datetime, within: dt.timedelta) -> list[tuple[str, str, dt.datetime]]:
        """(login, address, expiry) of the unused validation links that expire within `within`.

        An address may have several live links (resends keep earlier ones valid): it is listed once, when
        the longest-lasting of them expires within `within`, with that expiry.
        """
        with self._sessions() as session:
            rows = session.execute(
                select(ValidationToken.login, ValidationToken.address, func.max(ValidationToken.expires_at))
                .where(ValidationToken.used_at.is_(None), ValidationToken.expires_at > now)
                .group_by(ValidationToken.login, ValidationToken.address)
            ).all()
        expiring = [(login, address, _aware(expiry)) for login, address, expiry in rows]
        return [(login, address, expiry) for login, address, expiry in expiring if expiry <= now + within]

    def purge_tokens(self, now: dt.datetime) -> int:
        """Forget validation tokens that can no longer be used (expired or used)."""
        dead = (ValidationToken.expires_at < now) | ValidationToken.used_at.is_not(None)
        return delete_in_batches(self._sessions, ValidationToken, dead)


def completed(account: Account, record: ActivationRecord | None) -> Account:
    """The account with the activation fields of `record` (its activation record, None if it has none)."""
    if record is None:
        return account
    return dataclasses.replace(
        account,
        provisional_issued_at=record.provisional_issued_at,
        provisional_delivery=Delivery(record.provisional_delivery) if record.provisional_delivery else None,
        backup_email=record.backup_email,
        backup_email_validated=record.backup_email_validated,
        validation_link_sent_at=record.validation_link_sent_at,
    )


def says_reset(record: ActivationRecord | None) -> bool:
    """Whether the account's last provisional password came from a reset (not from its creation)."""
    return record is not None and record.provisional_reason == "reset"


def _record_row(account: Account) -> dict[str, object]:
    """The activation record of a fixture's account, as a row to insert."""
    return {
        "login": account.login,
        "provisional_issued_at": account.provisional_issued_at,
        "provisional_reason": "reset" if account.state.value == "reset" else "creation",
        "provisional_delivery": account.provisional_delivery.value if account.provisional_delivery else None,
        "backup_email": account.backup_email,
        "backup_email_validated": account.backup_email_validated,
        "validation_link_sent_at": account.validation_link_sent_at,
    }


def _aware(value: dt.datetime) -> dt.datetime:
    """A UTC date-time read back from the database, aware even where a driver leaves it naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
