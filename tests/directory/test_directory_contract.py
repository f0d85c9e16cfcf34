"""The `Directory` contract, run on both adapters (SQL and LDAP) with tests/data/directory_contract.yml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable

import ldap3
import pytest

from bot.config import AppConfig
from bot.core.accounts import AccountSource, AccountState, Delivery, Profile
from bot.directory.fixture import DirectoryFixture
from bot.directory.ldap import LdapDirectory, parse_generalized_time
from bot.directory.port import DirectoryError, UnknownAccount
from bot.directory.sql import SqlDirectory
from bot.storage.activation import ActivationStore
from bot.storage.db import make_engine, session_factory
from tests.directory.conftest import ldap_settings
from tests.support.processes import free_port
from tests.support.slapd import Slapd

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
SECRET = "Provisoire-2026!"


def _by_login(fixture: DirectoryFixture) -> dict:
    return {a.login: a for a in fixture.accounts}


# --- reading -------------------------------------------------------------------------------------


def test_every_account_reads_back_as_in_the_fixture(directory, contract_fixture: DirectoryFixture) -> None:
    for account in contract_fixture.accounts:
        assert directory.find_account(account.login) == account


def test_the_fixture_covers_the_contract(contract_fixture: DirectoryFixture) -> None:
    accounts = contract_fixture.accounts
    assert {a.state for a in accounts} == set(AccountState)
    assert any(a.locked_until for a in accounts) and any(a.adml_of for a in accounts)
    assert {a.source for a in accounts} == set(AccountSource)
    assert len({e.tenant for e in contract_fixture.establishments}) == 2


def test_logins_are_case_insensitive_and_trimmed(directory) -> None:
    found = directory.find_account("  Bruno.ACTIF ")
    assert found is not None and found.login == "bruno.actif"


def test_unknown_login_is_none(directory) -> None:
    assert directory.find_account("personne.inconnue") is None
    assert directory.find_account("") is None


def test_states_profiles_and_markers(directory) -> None:
    assert directory.find_account("anna.provisoire").state == AccountState.PROVISIONAL
    assert directory.find_account("chloe.reset").state == AccountState.RESET
    assert directory.find_account("david.desactive").state == AccountState.DISABLED
    locked = directory.find_account("emma.bloquee")
    assert locked.state == AccountState.ACTIVE and locked.locked_until == dt.datetime.fromisoformat(
        "2026-11-25T10:30:00+01:00"
    )
    adml = directory.find_account("farid.adml")
    assert adml.is_adml and adml.adml_of == ("0450012D",)
    local = directory.find_account("gaelle.locale")
    assert local.source == AccountSource.LOCAL and local.profile == Profile.ENT_SUPPORT and local.uai is None
    assert directory.find_account("chloe.reset").family_name == "Réinitialisée"


def test_establishments(directory, contract_fixture: DirectoryFixture) -> None:
    for establishment in contract_fixture.establishments:
        assert directory.find_establishment(establishment.uai) == establishment
        assert directory.find_establishment(establishment.uai.lower()) == establishment
    assert directory.find_establishment("0999999Z") is None


def test_accounts_of_school(directory, contract_fixture: DirectoryFixture) -> None:
    expected = sorted((a for a in contract_fixture.accounts if a.uai == "0750001A"), key=lambda a: a.login)
    assert directory.accounts_of_school("0750001a") == expected
    assert [a.login for a in directory.accounts_of_school("0450012D")] == [
        "david.desactive",
        "emma.bloquee",
        "farid.adml",
    ]
    assert directory.accounts_of_school("0999999Z") == []


def test_a_big_schools_list_reads_each_account_as_a_lookup_does(directory, contract_fixture: DirectoryFixture) -> None:
    """More accounts than one query's list of logins holds; some reset or re-issued since the load."""
    states = (AccountState.PROVISIONAL, AccountState.RESET, AccountState.ACTIVE)
    crowd = tuple(
        dataclasses.replace(
            contract_fixture.accounts[0],
            login=f"eleve.{n:04d}",
            state=states[n % 3],
            provisional_issued_at=NOW - dt.timedelta(days=n % 40) if n % 3 < 2 else None,
            ent_mail=f"eleve.{n:04d}@monlycee.net",
            backup_email=f"eleve.{n:04d}@example.org" if n % 5 == 0 else None,
        )
        for n in range(1200)
    )
    directory.load_fixture(dataclasses.replace(contract_fixture, accounts=contract_fixture.accounts + crowd))
    for login in ("eleve.0002", "eleve.0003", "eleve.1199"):  # active -> reset, provisional re-issued, active
        directory.set_provisional_password(login, SECRET, NOW + dt.timedelta(hours=1))
    listed = directory.accounts_of_school("0750001A")
    assert [a.login for a in listed] == sorted(a.login for a in listed) and len(listed) > 1200
    sample = listed[::40] + listed[1:4] + listed[-1:]
    assert sample == [directory.find_account(a.login) for a in sample]
    by_login = {a.login: a for a in listed}
    assert [by_login[login].state for login in ("eleve.0001", "eleve.0002", "eleve.0003", "eleve.1199")] == [
        AccountState.RESET,
        AccountState.RESET,
        AccountState.PROVISIONAL,
        AccountState.RESET,
    ]
    assert by_login["eleve.0003"].provisional_issued_at == NOW + dt.timedelta(hours=1)
    assert by_login["eleve.0005"].backup_email == "eleve.0005@example.org"


# --- writing -------------------------------------------------------------------------------------


def test_reset_of_an_active_account(directory, contract_fixture: DirectoryFixture) -> None:
    before = directory.find_account("bruno.actif")
    directory.set_provisional_password("Bruno.Actif", SECRET, NOW)
    after = directory.find_account("bruno.actif")
    assert after.state == AccountState.RESET
    assert after.provisional_issued_at == NOW and after.provisional_delivery == Delivery.SCHOOL
    assert (
        dataclasses.replace(after, state=before.state, provisional_issued_at=None, provisional_delivery=None) == before
    )


def test_new_provisional_password_of_a_never_activated_account_stays_provisional(directory) -> None:
    directory.set_provisional_password("anna.provisoire", SECRET, NOW)
    after = directory.find_account("anna.provisoire")
    assert after.state == AccountState.PROVISIONAL and after.provisional_issued_at == NOW


def test_reset_account_stays_reset_and_reset_clears_a_lock(directory) -> None:
    directory.set_provisional_password("chloe.reset", SECRET, NOW)
    assert directory.find_account("chloe.reset").state == AccountState.RESET
    directory.set_provisional_password("emma.bloquee", SECRET, NOW)
    emma = directory.find_account("emma.bloquee")
    assert emma.state == AccountState.RESET and emma.locked_until is None
    assert emma.backup_email == "emma@example.org"


def test_unlock(directory) -> None:
    directory.unlock("emma.bloquee")
    emma = directory.find_account("emma.bloquee")
    assert emma.locked_until is None and emma.state == AccountState.ACTIVE
    directory.unlock("bruno.actif")  # not locked: nothing to do
    assert directory.find_account("bruno.actif").locked_until is None


def test_unknown_accounts_cannot_be_changed(directory) -> None:
    with pytest.raises(UnknownAccount):
        directory.set_provisional_password("personne.inconnue", SECRET, NOW)
    with pytest.raises(UnknownAccount):
        directory.unlock("personne.inconnue")


def test_loading_again_replaces_everything(directory, contract_fixture: DirectoryFixture) -> None:
    directory.set_provisional_password("bruno.actif", SECRET, NOW)
    directory.unlock("emma.bloquee")
    directory.load_fixture(DirectoryFixture(contract_fixture.establishments[:1], contract_fixture.accounts[:2]))
    assert directory.find_account("emma.bloquee") is None
    assert directory.find_establishment("0450012D") is None
    assert directory.find_account("bruno.actif") == contract_fixture.accounts[1]
    directory.load_fixture(contract_fixture)
    for account in contract_fixture.accounts:
        assert directory.find_account(account.login) == account


# --- both adapters side by side --------------------------------------------------------------------


@pytest.mark.ldap
def test_both_adapters_return_identical_results(
    database_url: str, tmp_path, contract_fixture: DirectoryFixture, make_ldap: Callable[..., LdapDirectory]
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    from bot.storage.db import migrate

    migrate(make_engine(other))
    sessions = session_factory(make_engine(other))
    sql = SqlDirectory(sessions, ActivationStore(sessions))
    ldap = make_ldap()
    for adapter in (sql, ldap):
        adapter.load_fixture(contract_fixture)
    logins = [a.login for a in contract_fixture.accounts]
    assert [sql.find_account(x) for x in logins] == [ldap.find_account(x) for x in logins]
    for establishment in contract_fixture.establishments:
        assert sql.find_establishment(establishment.uai) == ldap.find_establishment(establishment.uai)
        assert sql.accounts_of_school(establishment.uai) == ldap.accounts_of_school(establishment.uai)
    for adapter in (sql, ldap):
        adapter.set_provisional_password("bruno.actif", SECRET, NOW)
        adapter.set_provisional_password("david.desactive", SECRET, NOW)
        adapter.unlock("emma.bloquee")
    assert [sql.find_account(x) for x in logins] == [ldap.find_account(x) for x in logins]


# --- LDAP only -------------------------------------------------------------------------------------


def _entry(server: Slapd, login: str) -> tuple[str, dict]:
    connection = server.admin_connection()
    connection.search(
        "ou=people,dc=esco-centre,dc=fr",
        f"(ENTPersonLogin={login})",
        attributes=["userPassword", "ESCOPersonEtatCompte", "pwdAccountLockedTime"],
    )
    entry = connection.response[0]
    connection.unbind()
    return entry["dn"], entry["attributes"]


@pytest.mark.ldap
def test_ldap_password_goes_through_password_modify_and_is_hashed(
    make_ldap: Callable[..., LdapDirectory], contract_fixture: DirectoryFixture, contract_slapd: Slapd
) -> None:
    directory = make_ldap()
    directory.load_fixture(contract_fixture)
    directory.set_provisional_password("bruno.actif", SECRET, NOW)
    dn, attributes = _entry(contract_slapd, "bruno.actif")
    stored = attributes["userPassword"][0]
    stored = stored.decode() if isinstance(stored, bytes) else stored
    assert stored.startswith("{") and SECRET not in stored
    assert attributes["ESCOPersonEtatCompte"] == ["INVALIDE"]
    assert ldap3.Connection(ldap3.Server(contract_slapd.url, get_info=ldap3.NONE), dn, SECRET).bind()


@pytest.mark.ldap
def test_ldap_lock_is_ppolicy_lock_time(
    make_ldap: Callable[..., LdapDirectory], contract_fixture: DirectoryFixture, contract_slapd: Slapd
) -> None:
    directory = make_ldap()
    directory.load_fixture(contract_fixture)
    _, attributes = _entry(contract_slapd, "emma.bloquee")
    locked_at = parse_generalized_time(attributes["pwdAccountLockedTime"][0])
    assert locked_at == dt.datetime.fromisoformat("2026-11-25T10:30:00+01:00") - dt.timedelta(seconds=900)
    directory.unlock("emma.bloquee")
    assert (
        "pwdAccountLockedTime" not in _entry(contract_slapd, "emma.bloquee")[1]
        or not _entry(contract_slapd, "emma.bloquee")[1]["pwdAccountLockedTime"]
    )


@pytest.mark.ldap
def test_ldap_project_lock_attribute(
    make_ldap: Callable[..., LdapDirectory], contract_fixture: DirectoryFixture, config: AppConfig
) -> None:
    from bot.config import LdapAttributes

    directory = make_ldap(attributes=LdapAttributes(locked_until="clefLockedUntil"))
    directory.load_fixture(contract_fixture)
    for account in contract_fixture.accounts:
        assert directory.find_account(account.login) == account
    directory.unlock("emma.bloquee")
    unlocked = directory.find_account("emma.bloquee")
    assert unlocked is not None and unlocked.locked_until is None


@pytest.mark.ldap
def test_ldap_refuses_fixture_load_by_default(
    contract_slapd: Slapd, activation: ActivationStore, contract_fixture: DirectoryFixture
) -> None:
    directory = LdapDirectory(ldap_settings(contract_slapd), activation, contract_slapd.password)
    with pytest.raises(DirectoryError, match="allow_fixture_load"):
        directory.load_fixture(contract_fixture)


def test_ldap_closed_port_raises_directory_error_quickly(activation: ActivationStore) -> None:
    from bot.config import LdapSettings

    settings = LdapSettings(url=f"ldap://127.0.0.1:{free_port()}", connect_timeout_seconds=2)
    directory = LdapDirectory(settings, activation, "not-the-password", tenant="netocentre")
    started = time.monotonic()
    for call in (
        lambda: directory.find_account("bruno.actif"),
        lambda: directory.find_establishment("0750001A"),
        lambda: directory.find_establishments("lycee jean moulin"),
        lambda: directory.accounts_of_school("0750001A"),
        lambda: directory.unlock("x"),
        lambda: directory.set_provisional_password("x", SECRET, NOW),
    ):
        with pytest.raises(DirectoryError) as raised:
            call()
        assert "not-the-password" not in str(raised.value)
    assert time.monotonic() - started < 10


def test_ldap_without_password_raises_directory_error(activation: ActivationStore) -> None:
    from bot.config import LdapSettings

    directory = LdapDirectory(LdapSettings(), activation, None)
    with pytest.raises(DirectoryError, match="CLEF_LDAP_PASSWORD"):
        directory.find_account("bruno.actif")


@pytest.mark.ldap
def test_ldap_wrong_password_raises_directory_error(contract_slapd: Slapd, activation: ActivationStore) -> None:
    directory = LdapDirectory(ldap_settings(contract_slapd), activation, "wrong-password")
    with pytest.raises(DirectoryError) as raised:
        directory.find_account("bruno.actif")
    assert "wrong-password" not in str(raised.value)


# --- the operator's own directory --------------------------------------------------------------------


@pytest.mark.ldap
def test_reads_the_netocentre_reference_directory_unchanged(
    reference_slapd: Slapd, activation: ActivationStore
) -> None:
    directory = LdapDirectory(ldap_settings(reference_slapd), activation, reference_slapd.password, tenant="netocentre")
    account = directory.find_account("TEST1")
    assert account is not None
    assert (account.login, account.given_name, account.family_name) == ("test1", "Test", "TEST")
    assert account.profile == Profile.STUDENT and account.state == AccountState.ACTIVE
    assert account.uai == "0290009C" and account.source == AccountSource.ENT
    assert account.ent_mail == "test.test@test.com" and account.locked_until is None and not account.is_adml
    school = directory.find_establishment("0290009c")
    assert school is not None and school.name == "LG-DE L'IROISE-ac-RENNES" and school.tenant == "netocentre"
    assert not school.ent_convention
    assert len(directory.accounts_of_school("0290009C")) == 13
    logins = [f"test{n}" for n in (*range(1, 16), 1000, 1001)]
    everyone = [account for login in logins if (account := directory.find_account(login)) is not None]
    assert [a.login for a in everyone] == logins
    assert [a.state for a in everyone].count(AccountState.PROVISIONAL) == 1
    assert all(a.profile == Profile.STUDENT for a in everyone)


@pytest.mark.ldap
def test_resets_an_account_of_the_reference_directory(own_reference_slapd: Slapd, activation: ActivationStore) -> None:
    directory = LdapDirectory(
        ldap_settings(own_reference_slapd), activation, own_reference_slapd.password, tenant="netocentre"
    )
    directory.set_provisional_password("test2", SECRET, NOW)
    account = directory.find_account("test2")
    assert account is not None and account.state == AccountState.RESET and account.provisional_issued_at == NOW
    dn, _ = _entry(own_reference_slapd, "test2")
    assert ldap3.Connection(ldap3.Server(own_reference_slapd.url, get_info=ldap3.NONE), dn, SECRET).bind()
