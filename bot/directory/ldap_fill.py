"""Directory fixture -> LDAP entries (tests, demo and replay servers using `ldap_schema/clef-ent.schema`).

`fixture_entries` turns a `DirectoryFixture` into `(dn, attributes)` pairs with the names of
`LdapSettings.attributes`, the inverse of the reading mapping of `bot.directory.ldap`:

- people: `uid=<login>,<people_base>`, classes person_class (ENTPerson) + ESCOAddons + clefAccount;
  state provisional/reset -> INVALIDE (the reset reason lives in the activation store), active -> VALIDE,
  disabled -> BLOQUE; profile -> the first ENTPersonProfils code of `profile_map` for it, or the domain
  name itself (`ent_support`...) when the national codes have none; source local -> `ENT$<login>`,
  ent -> `CLEF$<login>`; `sn` is mandatory in LDAP: an account without family name gets its login;
  locked_until -> pwdAccountLockedTime = locked_until - lockout duration (ppolicy) or the end itself.
- schools: `ENTStructureUAI=<uai>,<structures_base>`, classes structure_class (ENTStructure) +
  clefStructure, with the town in `structure_city` [l] when known, the tenant and the agreement in the
  project attributes; ENTStructureSIREN and ENTStructureJointure (mandatory) get placeholders made from
  the UAI.

`fill` deletes the existing people and schools of those classes under the two bases (creating the bases
if missing) and adds the entries. No password is written: accounts get one by `set_provisional_password`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPNoSuchObjectResult
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn, parse_dn

from bot.config import LdapSettings
from bot.core.accounts import Account, AccountSource, AccountState, Establishment
from bot.directory.fixture import DirectoryFixture

PERSON_AUXILIARY = ("ESCOAddons", "clefAccount")
STRUCTURE_AUXILIARY = ("clefStructure",)

_STATES = {
    AccountState.PROVISIONAL: "INVALIDE",
    AccountState.RESET: "INVALIDE",
    AccountState.ACTIVE: "VALIDE",
    AccountState.DISABLED: "BLOQUE",
}


def rdn_value(value: str) -> str:
    """An RDN value escaped as RFC 4514 asks (NUL as \\00, which ldap3 leaves raw)."""
    return escape_rdn(value).replace("\\\x00", "\\00").replace("\x00", "\\00")


def _generalized(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ")


def _profile_code(account: Account, settings: LdapSettings) -> str:
    for code, profile in settings.profile_map.items():
        if profile == account.profile.value:
            return code
    return account.profile.value


def person_entry(account: Account, settings: LdapSettings) -> tuple[str, dict[str, Any]]:
    a = settings.attributes
    attributes: dict[str, Any] = {
        "objectClass": [a.person_class, *PERSON_AUXILIARY],
        "uid": account.login,
        "cn": " ".join(p for p in (account.given_name, account.family_name) if p) or account.login,
        a.family_name: account.family_name or account.login,
        a.login: account.login,
        a.source: f"{'ENT' if account.source == AccountSource.LOCAL else 'CLEF'}${account.login}",
        a.profiles: [_profile_code(account, settings)],
        a.state: _STATES[account.state],
    }
    if account.given_name:
        attributes[a.given_name] = account.given_name
    if account.uai:
        attributes[a.uai] = [account.uai]
    if account.ent_mail:
        attributes[a.mail] = account.ent_mail
    if account.adml_of:
        attributes[a.adml_of] = list(account.adml_of)
    if account.locked_until is not None:
        at = account.locked_until
        if a.locked_until.lower() == "pwdaccountlockedtime":
            at = at - dt.timedelta(seconds=settings.lockout_duration_seconds)
        attributes[a.locked_until] = _generalized(at)
    return f"uid={rdn_value(account.login)},{settings.people_base}", attributes


def structure_entry(establishment: Establishment, settings: LdapSettings) -> tuple[str, dict[str, Any]]:
    a = settings.attributes
    attributes: dict[str, Any] = {
        "objectClass": [a.structure_class, *STRUCTURE_AUXILIARY],
        "ou": establishment.name,
        a.structure_name: establishment.name,
        a.structure_uai: establishment.uai,
        "ENTStructureSIREN": f"UAI-{establishment.uai}",
        "ENTStructureJointure": f"CLEF${establishment.uai}",
    }
    if establishment.city and a.structure_city:
        attributes[a.structure_city] = establishment.city
    if a.structure_tenant:
        attributes[a.structure_tenant] = establishment.tenant
    if a.structure_convention:
        attributes[a.structure_convention] = "TRUE" if establishment.ent_convention else "FALSE"
    dn = f"{a.structure_uai}={rdn_value(establishment.uai)},{settings.structures_base}"
    return dn, attributes


def fixture_entries(fixture: DirectoryFixture, settings: LdapSettings) -> list[tuple[str, dict[str, Any]]]:
    return [structure_entry(e, settings) for e in fixture.establishments] + [
        person_entry(a, settings) for a in fixture.accounts
    ]


def _ensure_base(connection: ldap3.Connection, base: str) -> None:
    try:
        connection.search(base, "(objectClass=*)", search_scope=ldap3.BASE, attributes=["1.1"])
        return
    except LDAPNoSuchObjectResult:
        pass
    attribute, value, _ = parse_dn(base)[0]
    if attribute.lower() != "ou":
        raise ValueError(f"cannot create the base {base!r}: only ou=... bases are created")
    connection.add(base, ["top", "organizationalUnit"], {"ou": value})


def _delete_all(connection: ldap3.Connection, base: str, object_class: str) -> None:
    entries = connection.extend.standard.paged_search(
        base,
        f"(objectClass={escape_filter_chars(object_class)})",
        search_scope=ldap3.SUBTREE,
        attributes=["1.1"],
        paged_size=500,
        generator=False,
    )
    dns = [e["dn"] for e in entries if e.get("type") == "searchResEntry" and e["dn"].lower() != base.lower()]
    for dn in sorted(dns, key=len, reverse=True):  # a child DN is longer than its parent: leaves first
        connection.delete(dn)


def fill(connection: ldap3.Connection, fixture: DirectoryFixture, settings: LdapSettings) -> None:
    """Replace the people and schools under the configured bases by the fixture's."""
    a = settings.attributes
    for base in (settings.people_base, settings.structures_base):
        _ensure_base(connection, base)
    _delete_all(connection, settings.people_base, a.person_class)
    _delete_all(connection, settings.structures_base, a.structure_class)
    for dn, attributes in fixture_entries(fixture, settings):
        object_classes = attributes.pop("objectClass")
        connection.add(dn, object_classes, attributes)
