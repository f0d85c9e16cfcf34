"""The `Directory` port: what the assistant reads and changes in an ENT directory."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from bot.core.accounts import Account, Establishment
from bot.directory.fixture import DirectoryFixture


class DirectoryError(Exception):
    """The directory could not answer (down, timeout, refused); the message is safe to show in logs."""


class UnknownAccount(DirectoryError):
    """No account has this login."""


class Directory(Protocol):
    """Implemented by `SqlDirectory` (embedded) and `LdapDirectory` (production).

    Logins are compared case-insensitively and are data, never syntax: no login can change a query.
    What a directory does not hold (provisional password issue date, backup address, its validation
    and link send time) comes from the shared `ActivationStore`, so both adapters return the same
    `Account` for the same fixture. A provisional password goes straight to the directory and is
    never kept.
    """

    def find_account(self, login: str) -> Account | None: ...

    def find_establishment(self, uai: str) -> Establishment | None: ...

    def find_establishments(self, query: str, limit: int = 5) -> list[Establishment]:
        """Schools a user may mean by `query` (name, type words, town; accents, case and small typos do not
        matter), best first, at most `limit`, only real matches (`bot.core.schools.school_matches`);
        `[]` for an empty query. Rank them again with `school_matches` for scores and `is_clear_match`."""
        ...

    def accounts_of_school(self, uai: str) -> list[Account]: ...

    def set_provisional_password(self, login: str, password: str, now: dt.datetime) -> None:
        """Replace the password by a provisional one; the account must then be re-activated (`reset`)."""
        ...

    def unlock(self, login: str) -> None: ...

    def load_fixture(self, fixture: DirectoryFixture) -> None:
        """Replace the whole content by a fixture (demo, tests, replay)."""
        ...
