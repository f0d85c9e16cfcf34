"""The LDAP directory: `Directory` on an ENT operator's OpenLDAP (default names: GIP RECIA / netocentre).

Built by `bot.bootstrap.build_directory` as
`LdapDirectory(settings, activation, password, tenant=None, tenant_for_uai=None)`: `settings` is
`config.directory.ldap`, `password` the bind password read from the environment variable
`settings.password_env` (None: every call raises `DirectoryError`), `tenant` the tenant of schools whose
tenant the directory does not say, `tenant_for_uai` optionally `AppConfig.tenant_for_uai`, and wrapped in
a `BreakingDirectory` (bot.directory.breaker). Every call opens its own connection with
`connect_timeout_seconds` to connect and `receive_timeout_seconds` for each answer (short: turns wait).

Mapping from LDAP to the domain (attribute names are those of `LdapAttributes`, defaults in brackets):

- login: `login` [ENTPersonLogin], compared case-insensitively (caseIgnoreMatch) and returned in lower
  case; `alias` [ENTPersonAlias] is accepted too, as the CAS does (an exact login match wins).
- state: `state` [ESCOPersonEtatCompte]
    INVALIDE -> provisional, or reset when the activation store says the provisional password came from
               a reset (`bot.storage.activation.says_reset`);
    VALIDE   -> active;
    BLOQUE   -> disabled: RECIA's README defines it as "locked by an administrator", with no end, so the
               assistant must not unlock it; it is not the timed lock of the domain;
    DELETE   -> disabled (removed by the feed);
    absent   -> active (entries older than the attribute); any other value -> disabled (safe side).
  Written back by `load_fixture`: provisional and reset -> INVALIDE, active -> VALIDE, disabled -> BLOQUE.
- timed lock (`locked_until`): with the default `pwdAccountLockedTime` (ppolicy overlay) the attribute is
  the time of the lock, so the lock ends `settings.lockout_duration_seconds` later (set it to the policy's
  pwdLockoutDuration); ppolicy's permanent lock `000001010000Z` reads as disabled. With any other attribute
  name (e.g. the project's `clefLockedUntil`) the value is the end of the lock. `unlock` deletes it (and
  pwdFailureTime with ppolicy).
- profile: the first value of `profiles` [ENTPersonProfils] found in `settings.profile_map`
  (National_ELV -> student...); a value equal to a domain profile name (`ent_support`...) is accepted
  for profiles the national codes do not have; otherwise `other`.
- source: `source` [ENTPersonJointure], values `SOURCE$key`. The account is `local` (created by hand, the
  equivalent of a CESAME/NoCAS local account) when every join key's source is in `settings.local_sources`
  [ENT]; any key from a feed (AC-RENNES$..., AGRI$..., RCVDL$...) makes it `ent`.
- school: the first value of `uai` [ESCOUAI]; `accounts_of_school` returns everyone whose `uai` holds the
  school (a person working in two schools is in both lists).
- ent_mail: `mail`; names: `givenName`, `sn`.
- ADML: the project attribute `adml_of` [clefAdmlOf], one UAI per value (auxiliary class clefAccount);
  the ENT schema has no such marker.
- establishment: `structure_class` [ENTStructure] entries under `structures_base`, found by
  `structure_uai` [ENTStructureUAI], named by `structure_name` [ENTStructureNomCourant] (or `ou`), in the
  town `structure_city` [l] ("BREST CEDEX 2" at RECIA). `find_establishments` pre-selects schools with a
  loose substring filter over these three attributes (each query token's consonant skeleton,
  `bot.core.schools.search_skeletons`, so that accents and typos still select) and ranks them with
  `bot.core.schools.school_matches`.
  ent_convention: the UAI is in `settings.convention_uais` or `structure_convention` [clefEntConvention]
  is TRUE. tenant: `structure_tenant` [clefTenant] when present, else `tenant_for_uai(uai)`, else
  `tenant` (`settings.tenant`); none of them -> DirectoryError.
- Not in LDAP (as at RECIA): provisional issue date/reason/delivery, backup address, its validation and
  the link send time come from the `ActivationStore` (`complete` on every read, `replace_all` on fixture
  load, `record_provisional_issued` on reset). ESCOPersonValidationCharte and ENTPersonAutresMails are
  not read.

Safety: filter values go through `escape_filter_chars`, DNs built from data through `escape_rdn` (only
`load_fixture` builds DNs; other writes use the DN the search returned). Passwords are set with the
Password Modify extended operation (RFC 3062), never by replacing userPassword. Every LDAP failure is
raised as `DirectoryError` whose message names the operation and the error class, never a password.
`load_fixture` deletes people and schools: refused unless `settings.allow_fixture_load`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from bot.config import LdapSettings
from bot.core.accounts import Account, AccountSource, AccountState, Delivery, Establishment, Profile
from bot.core.schools import school_matches, search_skeletons
from bot.directory.fixture import DirectoryFixture
from bot.directory.port import DirectoryError, UnknownAccount
from bot.storage.activation import ActivationStore, completed, says_reset
from bot.storage.models import ActivationRecord

log = logging.getLogger(__name__)

PPOLICY_LOCK = "pwdaccountlockedtime"
PPOLICY_PERMANENT = "000001010000Z"
MAX_SKELETONS = 32  # find_establishments: at most this many substring terms per attribute
_UTC = dt.UTC
_GENERALIZED = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$")


def parse_generalized_time(value: str) -> dt.datetime | None:
    """An LDAP GeneralizedTime as an aware datetime (None if unreadable)."""
    match = _GENERALIZED.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if zone in (None, "Z"):
        tz = _UTC
    else:
        sign = 1 if zone[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5] or 0)))
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0), micro, tz)
    except ValueError:
        return None


def _values(attributes: Any, name: str | None) -> list[str]:
    if not name:
        return []
    raw = attributes.get(name)
    if raw is None:  # ldap3's dict is case-insensitive, but be safe with plain dicts
        lowered = name.lower()
        raw = next((v for k, v in attributes.items() if k.lower() == lowered), None)
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in raw if v not in (None, "")]


def _first(attributes: Any, name: str | None) -> str | None:
    values = _values(attributes, name)
    return values[0] if values else None


class LdapDirectory:
    """`Directory` on an LDAP server (see the module docstring for the mapping)."""

    def __init__(
        self,
        settings: LdapSettings,
        activation: ActivationStore,
        password: str | None,
        tenant: str | None = None,
        tenant_for_uai: Callable[[str], str | None] | None = None,
    ) -> None:
        self._settings = settings
        self._attrs = settings.attributes
        self._activation = activation
        self._password = password
        self._tenant = tenant or settings.tenant
        self._tenant_for_uai = tenant_for_uai
        self._profile_map = {key.lower(): value for key, value in settings.profile_map.items()}
        self._local_sources = {source.lower() for source in settings.local_sources}
        self._convention_uais = {uai.upper() for uai in settings.convention_uais}

    # --- connection -------------------------------------------------------------------------

    @contextmanager
    def _connection(self, operation: str) -> Iterator[ldap3.Connection]:
        if self._password is None:
            raise DirectoryError(f"LDAP {operation}: no bind password (set ${self._settings.password_env})")
        try:
            server = ldap3.Server(
                self._settings.url, get_info=ldap3.NONE, connect_timeout=self._settings.connect_timeout_seconds
            )
            connection = ldap3.Connection(
                server,
                user=self._settings.bind_dn,
                password=self._password,
                raise_exceptions=True,
                receive_timeout=self._settings.receive_timeout_seconds,
                read_only=False,
            )
            connection.bind()
        except Exception as exc:
            raise DirectoryError(
                f"LDAP {operation}: cannot reach or bind to the directory ({type(exc).__name__})"
            ) from None
        try:
            yield connection
        except DirectoryError:
            raise
        except (LDAPException, OSError) as exc:
            raise DirectoryError(f"LDAP {operation} failed ({type(exc).__name__})") from None
        finally:
            with suppress(LDAPException, OSError):  # closing a connection that failed: nothing left to do
                connection.unbind()

    # --- reading ----------------------------------------------------------------------------

    def _person_attributes(self) -> list[str]:
        a = self._attrs
        names = [
            a.login,
            a.given_name,
            a.family_name,
            a.profiles,
            a.uai,
            a.source,
            a.state,
            a.mail,
            a.locked_until,
            a.adml_of,
        ]
        if a.alias:
            names.append(a.alias)
        return [n for n in dict.fromkeys(names) if n]

    def _search_people(self, connection: ldap3.Connection, condition: str) -> list[tuple[str, Any]]:
        query = f"(&(objectClass={escape_filter_chars(self._attrs.person_class)}){condition})"
        entries = _paged_search(connection, self._settings.people_base, query, self._person_attributes(), 200)
        return [(e["dn"], e["attributes"]) for e in entries]

    def _find(self, connection: ldap3.Connection, login: str) -> tuple[str, Any] | None:
        wanted = login.strip().lower()
        if not wanted:
            return None
        value = escape_filter_chars(wanted)
        condition = f"({self._attrs.login}={value})"
        if self._attrs.alias:
            condition = f"(|{condition}({self._attrs.alias}={value}))"
        found = self._search_people(connection, condition)
        exact = [f for f in found if (_first(f[1], self._attrs.login) or "").lower() == wanted]
        if len(exact) == 1:
            return exact[0]
        aliased = [f for f in found if (_first(f[1], self._attrs.alias) or "").lower() == wanted]
        if not exact and len(aliased) == 1:
            return aliased[0]
        return None  # unknown, or ambiguous: never guess between two people

    def _is_ppolicy_lock(self) -> bool:
        return self._attrs.locked_until.lower() == PPOLICY_LOCK

    @staticmethod
    def _state(raw: str | None, permanent_lock: bool, was_reset: bool) -> AccountState:
        value = (raw or "").strip().upper()
        if permanent_lock:
            return AccountState.DISABLED
        if value == "INVALIDE":
            return AccountState.RESET if was_reset else AccountState.PROVISIONAL
        if value in ("VALIDE", ""):
            return AccountState.ACTIVE
        return AccountState.DISABLED  # BLOQUE, DELETE, anything unknown

    def _profile(self, values: list[str]) -> Profile:
        for value in values:
            mapped = self._profile_map.get(value.lower())
            if mapped:
                try:
                    return Profile(mapped)
                except ValueError:
                    continue
        known = {p.value for p in Profile}
        for value in values:
            if value.lower() in known:
                return Profile(value.lower())
        return Profile.OTHER

    def _source(self, values: list[str]) -> AccountSource:
        sources = {value.split("$", 1)[0].strip().lower() for value in values}
        if sources and sources <= self._local_sources:
            return AccountSource.LOCAL
        return AccountSource.ENT

    def _locked(self, values: list[str]) -> tuple[dt.datetime | None, bool]:
        if not values:
            return None, False
        if self._is_ppolicy_lock():
            if values[0].strip() == PPOLICY_PERMANENT:
                return None, True
            at = parse_generalized_time(values[0])
            if at is None:
                return None, False
            return at + dt.timedelta(seconds=self._settings.lockout_duration_seconds), False
        return parse_generalized_time(values[0]), False

    def _login(self, attributes: Any) -> str:
        return (_first(attributes, self._attrs.login) or "").lower()

    def _account(self, attributes: Any) -> Account:
        return self._built(attributes, self._activation.record(self._login(attributes)))

    def _built(self, attributes: Any, record: ActivationRecord | None) -> Account:
        """The account of an entry, completed by its activation `record`."""
        a = self._attrs
        login = self._login(attributes)
        locked_until, permanent = self._locked(_values(attributes, a.locked_until))
        uai = _first(attributes, a.uai)
        account = Account(
            login=login,
            given_name=_first(attributes, a.given_name),
            family_name=_first(attributes, a.family_name),
            profile=self._profile(_values(attributes, a.profiles)),
            state=self._state(_first(attributes, a.state), permanent, says_reset(record)),
            uai=uai.upper() if uai else None,
            source=self._source(_values(attributes, a.source)),
            ent_mail=_first(attributes, a.mail),
            locked_until=locked_until,
            adml_of=tuple(v.upper() for v in _values(attributes, a.adml_of)),
        )
        return completed(account, record)

    def find_account(self, login: str) -> Account | None:
        if not login or not login.strip():
            return None
        with self._connection("find_account") as connection:
            found = self._find(connection, login)
        return self._account(found[1]) if found else None

    def _tenant_of(self, uai: str, attributes: Any) -> str:
        tenant = _first(attributes, self._attrs.structure_tenant)
        if not tenant and self._tenant_for_uai is not None:
            tenant = self._tenant_for_uai(uai)
        tenant = tenant or self._tenant
        if not tenant:
            raise DirectoryError(f"LDAP find_establishment: no tenant for school {uai} (set directory.ldap.tenant)")
        return tenant

    def _structure_attributes(self) -> list[str]:
        a = self._attrs
        names = (a.structure_uai, a.structure_name, "ou", a.structure_city, a.structure_tenant, a.structure_convention)
        return [n for n in dict.fromkeys(names) if n]

    def _establishment(self, uai: str, attributes: Any) -> Establishment:
        a = self._attrs
        name = _first(attributes, a.structure_name) or _first(attributes, "ou") or uai
        convention = uai in self._convention_uais or (
            (_first(attributes, a.structure_convention) or "").upper() == "TRUE"
        )
        return Establishment(
            uai=uai,
            name=name,
            tenant=self._tenant_of(uai, attributes),
            ent_convention=convention,
            city=_first(attributes, a.structure_city),
        )

    def find_establishment(self, uai: str) -> Establishment | None:
        wanted = (uai or "").strip().upper()
        if not wanted:
            return None
        a = self._attrs
        query = (
            f"(&(objectClass={escape_filter_chars(a.structure_class)})"
            f"({a.structure_uai}={escape_filter_chars(wanted)}))"
        )
        with self._connection("find_establishment") as connection:
            base = self._settings.structures_base
            connection.search(base, query, search_scope=ldap3.SUBTREE, attributes=self._structure_attributes())
            entries = [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
        entries = [e for e in entries if (_first(e["attributes"], a.structure_uai) or "").upper() == wanted]
        if not entries:
            return None
        return self._establishment(wanted, entries[0]["attributes"])

    def _name_filter(self, query: str) -> str | None:
        """A loose pre-selection: any name, `ou` or town containing one token's skeleton (`*v*lt*r*`)."""
        a = self._attrs
        names = [n for n in dict.fromkeys((a.structure_name, "ou", a.structure_city)) if n]
        terms: list[str] = []
        for skeleton in search_skeletons(query)[:MAX_SKELETONS]:
            pattern = "*" + "*".join(escape_filter_chars(part) for part in skeleton) + "*"
            terms.extend(f"({name}={pattern})" for name in names)
        if not terms:
            return None
        return f"(&(objectClass={escape_filter_chars(a.structure_class)})(|{''.join(terms)}))"

    def find_establishments(self, query: str, limit: int = 5) -> list[Establishment]:
        if limit <= 0:
            return []
        condition = self._name_filter(query or "")
        if condition is None:
            return []
        with self._connection("find_establishments") as connection:
            entries = _paged_search(
                connection, self._settings.structures_base, condition, self._structure_attributes(), 500
            )
            found = [e["attributes"] for e in entries]
        candidates: dict[str, Establishment] = {}
        for attributes in found:
            uai = (_first(attributes, self._attrs.structure_uai) or "").strip().upper()
            if uai and uai not in candidates:
                candidates[uai] = self._establishment(uai, attributes)
        return [match.establishment for match in school_matches(query, candidates.values())[:limit]]

    def accounts_of_school(self, uai: str) -> list[Account]:
        wanted = (uai or "").strip().upper()
        if not wanted:
            return []
        with self._connection("accounts_of_school") as connection:
            found = self._search_people(connection, f"({self._attrs.uai}={escape_filter_chars(wanted)})")
        records = self._activation.records([self._login(attributes) for _, attributes in found])
        accounts = [self._built(attributes, records.get(self._login(attributes))) for _, attributes in found]
        return sorted(accounts, key=lambda account: account.login)

    # --- writing ----------------------------------------------------------------------------

    def _existing(self, connection: ldap3.Connection, dn: str, names: list[str]) -> list[str]:
        connection.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=names)
        entries = [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
        if not entries:
            return []
        return [name for name in names if _values(entries[0]["attributes"], name)]

    def _lock_attributes(self) -> list[str]:
        names = [self._attrs.locked_until]
        if self._is_ppolicy_lock():
            names.append("pwdFailureTime")
        return names

    def set_provisional_password(self, login: str, password: str, now: dt.datetime) -> None:
        with self._connection("set_provisional_password") as connection:
            found = self._find(connection, login)
            if found is None:
                raise UnknownAccount(f"no account {login!r}")
            dn, attributes = found
            canonical = (_first(attributes, self._attrs.login) or login).lower()
            before = self._account(attributes).state
            if not connection.extend.standard.modify_password(user=dn, new_password=password):
                raise DirectoryError("LDAP set_provisional_password: the server refused the new password")
            changes: dict[str, list[tuple[str, list[str]]]] = {
                self._attrs.state: [(ldap3.MODIFY_REPLACE, ["INVALIDE"])]
            }
            try:
                for name in self._existing(connection, dn, self._lock_attributes()):
                    changes[name] = [(ldap3.MODIFY_DELETE, [])]
                connection.modify(dn, changes)
            except (LDAPException, OSError) as exc:
                # the password is already changed: it must still reach the requester, so this is not a failure
                log.warning(
                    "LDAP set_provisional_password: new password set but state/lock not updated (%s)",
                    type(exc).__name__,
                )
        reason = "creation" if before == AccountState.PROVISIONAL else "reset"
        self._activation.record_provisional_issued(canonical, now, reason, Delivery.SCHOOL)

    def unlock(self, login: str) -> None:
        with self._connection("unlock") as connection:
            found = self._find(connection, login)
            if found is None:
                raise UnknownAccount(f"no account {login!r}")
            dn = found[0]
            present = self._existing(connection, dn, self._lock_attributes())
            if present:
                connection.modify(dn, {name: [(ldap3.MODIFY_DELETE, [])] for name in present})

    def load_fixture(self, fixture: DirectoryFixture) -> None:
        if not self._settings.allow_fixture_load:
            raise DirectoryError(
                "LDAP load_fixture: refused, it would replace the people and schools "
                "(set directory.ldap.allow_fixture_load for a test or demo server)"
            )
        from bot.directory.ldap_fill import fill

        with self._connection("load_fixture") as connection:
            fill(connection, fixture, self._settings)
        self._activation.replace_all(fixture.accounts)


def _paged_search(
    connection: ldap3.Connection, base: str, query: str, attributes: list[str], page_size: int
) -> list[dict[str, Any]]:
    """The entries (not the referrals) a subtree search finds, read page by page."""
    entries = connection.extend.standard.paged_search(
        base, query, search_scope=ldap3.SUBTREE, attributes=attributes, paged_size=page_size, generator=False
    )
    return [e for e in entries if e.get("type") == "searchResEntry"]
