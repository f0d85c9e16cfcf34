"""Logins are data, never syntax: hostile or unusual logins match nothing but themselves, on both adapters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ldap3
import pytest

from bot.config import LdapSettings
from bot.core.accounts import Account, AccountState, Establishment, Profile
from bot.directory.fixture import DirectoryFixture
from bot.directory.ldap import LdapDirectory
from bot.directory.ldap_fill import person_entry, rdn_value
from bot.directory.port import DirectoryError, UnknownAccount
from bot.storage.activation import ActivationStore
from tests.support.slapd import Slapd

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
HOSTILE = [
    "*)(uid=*",
    "*",
    "\x00",
    "\\00",
    "a,ou=people",
    "élève.ïx",
    "bruno.actif)(|(ENTPersonLogin=*",
    "*)(ESCOPersonEtatCompte=VALIDE",
    "(",
    ")",
    "\\",
    "uid=bruno.actif,ou=people,dc=esco-centre,dc=fr",
]


@pytest.mark.parametrize("login", HOSTILE)
def test_hostile_logins_match_nothing(directory, login: str) -> None:
    assert directory.find_account(login) is None
    with pytest.raises(UnknownAccount):
        directory.set_provisional_password(login, "Provisoire-2026!", NOW)
    with pytest.raises(UnknownAccount):
        directory.unlock(login)
    assert directory.find_establishment(login) is None
    assert directory.accounts_of_school(login) == []
    assert directory.find_account("bruno.actif").state == AccountState.ACTIVE  # nobody else was changed


TRICKY = ["élève.ïx", "a,ou=people", "o'neil(x)", "star*name", "back\\slash", "plus+sign=x", " lead#hash"]


@pytest.fixture
def tricky_fixture() -> DirectoryFixture:
    school = Establishment(uai="0450012D", name="Lycée Voltaire", tenant="netocentre")
    accounts = tuple(
        Account(
            login=login.strip().lower(),
            profile=Profile.STUDENT,
            state=AccountState.ACTIVE,
            uai="0450012D",
            given_name="Élève",
            family_name=f"N{i}",
        )
        for i, login in enumerate(TRICKY)
    )
    return DirectoryFixture((school,), accounts)


@pytest.mark.parametrize("adapter", ["sql", pytest.param("ldap", marks=pytest.mark.ldap)])
def test_unusual_logins_find_exactly_themselves(
    adapter: str, request: pytest.FixtureRequest, tricky_fixture: DirectoryFixture, database_url: str
) -> None:
    if adapter == "sql":
        from bot.directory.sql import SqlDirectory
        from bot.storage.activation import ActivationStore
        from bot.storage.db import make_engine, session_factory

        sessions = session_factory(make_engine(database_url))
        directory = SqlDirectory(sessions, ActivationStore(sessions))
    else:
        directory = request.getfixturevalue("make_ldap")()
    directory.load_fixture(tricky_fixture)
    for account in tricky_fixture.accounts:
        assert directory.find_account(account.login) == account
        assert directory.find_account(account.login.upper()) == account
    assert directory.find_account("*") is None
    assert directory.find_account("star*") is None
    assert directory.find_account("a") is None
    directory.set_provisional_password("a,ou=people", "Provisoire-2026!", NOW)
    states = {a.login: a.state for a in directory.accounts_of_school("0450012D")}
    assert states.pop("a,ou=people") == AccountState.RESET
    assert set(states.values()) == {AccountState.ACTIVE}


@pytest.mark.ldap
def test_dns_built_from_logins_are_escaped(
    make_ldap: Callable[..., LdapDirectory], tricky_fixture: DirectoryFixture, contract_slapd: Slapd
) -> None:
    make_ldap().load_fixture(tricky_fixture)
    connection = contract_slapd.admin_connection()
    connection.search(
        "ou=people,dc=esco-centre,dc=fr",
        "(objectClass=ENTPerson)",
        search_scope=ldap3.LEVEL,
        attributes=["ENTPersonLogin"],
    )
    found = {e["attributes"]["ENTPersonLogin"][0] for e in connection.response if e["type"] == "searchResEntry"}
    connection.unbind()
    assert found == {login.strip().lower() for login in TRICKY}  # all directly under ou=people, none elsewhere


def test_rdn_escaping() -> None:
    assert rdn_value("a,ou=people") == "a\\,ou\\=people"
    assert "\x00" not in rdn_value("a\x00b")
    dn, _ = person_entry(Account(login="x,dc=evil", profile=Profile.STUDENT, state=AccountState.ACTIVE), LdapSettings())
    assert dn == "uid=x\\,dc\\=evil,ou=people,dc=esco-centre,dc=fr"


def test_nothing_reaches_a_closed_server_unescaped(activation: ActivationStore) -> None:
    from tests.support.processes import free_port

    directory = LdapDirectory(LdapSettings(url=f"ldap://127.0.0.1:{free_port()}"), activation, "x")
    with pytest.raises(DirectoryError):
        directory.find_account("*)(uid=*")
