"""The embedded SQL directory: the default directory, filled from a fixture."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import asdict

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.accounts import Account, AccountSource, AccountState, Delivery, Establishment, Profile
from bot.core.schools import school_matches
from bot.directory.fixture import DirectoryFixture
from bot.directory.port import UnknownAccount
from bot.storage.activation import ROWS_AN_INSERT, ActivationStore
from bot.storage.models import DirAccount, DirEstablishment


def _hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


class SqlDirectory:
    """`Directory` on the project's own database (tables `dir_*`)."""

    def __init__(self, sessions: sessionmaker[Session], activation: ActivationStore) -> None:
        self._sessions = sessions
        self._activation = activation

    def find_account(self, login: str) -> Account | None:
        with self._sessions() as session:
            row = session.scalar(_by_login(login))
            account = _directory_part(row) if row else None
        # completed once the session is closed: a turn never holds two pooled connections at once (on PostgreSQL,
        # turns doing so at the same time can take every connection of the pool and wait on each other)
        return self._activation.complete(account) if account else None

    @staticmethod
    def _establishment(row: DirEstablishment) -> Establishment:
        return Establishment(
            uai=row.uai, name=row.name, tenant=row.tenant, ent_convention=row.ent_convention, city=row.city
        )

    def find_establishment(self, uai: str) -> Establishment | None:
        with self._sessions() as session:
            row = session.get(DirEstablishment, uai.strip().upper())
            return self._establishment(row) if row is not None else None

    def find_establishments(self, query: str, limit: int = 5) -> list[Establishment]:
        """Every school is a candidate (a région has a few hundred); `school_matches` ranks them."""
        if limit <= 0 or not query or not query.strip():
            return []
        with self._sessions() as session:
            candidates = [self._establishment(row) for row in session.scalars(select(DirEstablishment)).all()]
        return [match.establishment for match in school_matches(query, candidates)[:limit]]

    def accounts_of_school(self, uai: str) -> list[Account]:
        with self._sessions() as session:
            rows = session.scalars(
                select(DirAccount).where(DirAccount.uai == uai.strip().upper()).order_by(DirAccount.login)
            ).all()
            accounts = [_directory_part(row) for row in rows]
        return self._activation.complete_all(accounts)

    def _row(self, session: Session, login: str) -> DirAccount:
        row = session.scalar(_by_login(login))
        if row is None:
            raise UnknownAccount(f"no account {login!r}")
        return row

    def set_provisional_password(self, login: str, password: str, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            row = self._row(session, login)
            row.password_hash = _hash_password(password)
            row.state = AccountState.RESET.value if row.state != AccountState.PROVISIONAL.value else row.state
            row.locked_until = None
            reason = "reset" if row.state == AccountState.RESET.value else "creation"
            login = row.login
        self._activation.record_provisional_issued(login, now, reason, Delivery.SCHOOL)

    def unlock(self, login: str) -> None:
        with self._sessions.begin() as session:
            self._row(session, login).locked_until = None

    def load_fixture(self, fixture: DirectoryFixture) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(DirAccount))
            session.execute(delete(DirEstablishment))
            if fixture.establishments:
                session.execute(insert(DirEstablishment), [asdict(e) for e in fixture.establishments])
            accounts = fixture.accounts
            for start in range(0, len(accounts), ROWS_AN_INSERT):
                session.execute(insert(DirAccount), [_account_row(a) for a in accounts[start : start + ROWS_AN_INSERT]])
        self._activation.replace_all(fixture.accounts)


def _by_login(login: str) -> Select[DirAccount]:
    """The account of `login`, whatever its case (through the index on `lower(login)`)."""
    return select(DirAccount).where(func.lower(DirAccount.login) == login.strip().lower())


def _directory_part(row: DirAccount) -> Account:
    """The account as the directory holds it, before the activation store completes it."""
    return Account(
        login=row.login,
        given_name=row.given_name,
        family_name=row.family_name,
        profile=Profile(row.profile),
        state=AccountState(row.state),
        uai=row.uai,
        source=AccountSource(row.source),
        ent_mail=row.ent_mail,
        locked_until=row.locked_until,
        adml_of=tuple(row.adml_of or ()),
    )


def _account_row(account: Account) -> dict[str, object]:
    return {
        "login": account.login,
        "given_name": account.given_name,
        "family_name": account.family_name,
        "profile": account.profile.value,
        "uai": account.uai,
        "source": account.source.value,
        "state": account.state.value,
        "ent_mail": account.ent_mail,
        "locked_until": account.locked_until,
        "adml_of": list(account.adml_of),
    }
