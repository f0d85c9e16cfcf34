"""The directory fixture (contracts §2): one YAML document drives the SQL directory, LDAP and replay."""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.config import not_utf8
from bot.core.accounts import Account, AccountSource, AccountState, Delivery, Establishment, Profile
from bot.yaml_files import read_yaml


class FixtureError(ValueError):
    """The fixture is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class DirectoryFixture:
    establishments: tuple[Establishment, ...]
    accounts: tuple[Account, ...]


_ACCOUNT_FIELDS = {
    "login",
    "given_name",
    "family_name",
    "profile",
    "uai",
    "source",
    "state",
    "provisional_issued_at",
    "provisional_delivery",
    "ent_mail",
    "backup_email",
    "backup_email_validated",
    "validation_link_sent_at",
    "locked_until",
    "adml_of",
}
_ESTABLISHMENT_FIELDS = {"uai", "name", "tenant", "ent_convention", "city"}


def _datetime(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise FixtureError(f"{where}: expected an ISO date-time, got {value!r}") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise FixtureError(f"{where}: expected an ISO date-time, got {value!r}")
    if value.tzinfo is None:
        raise FixtureError(f"{where}: the date-time needs a UTC offset, e.g. 2026-09-01T08:00:00+02:00")
    return value


E = TypeVar("E", bound=enum.StrEnum)


def _enum(kind: type[E], value: Any, where: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise FixtureError(f"{where}: {value!r} is not one of {allowed}") from None


def _check_fields(raw: object, where: str, fields: set[str], required: tuple[str, ...]) -> None:
    """A fixture entry is a mapping of known fields with every required one set; else a FixtureError at `where`."""
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: expected a mapping")
    unknown = set(raw) - fields
    if unknown:
        raise FixtureError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    for name in required:
        if not raw.get(name):
            raise FixtureError(f"{where}: {name!r} is required")


def _account(raw: dict[str, Any], index: int) -> Account:
    _check_fields(raw, f"accounts[{index}]", _ACCOUNT_FIELDS, ("login", "profile", "state"))
    where = f"accounts[{index}] ({raw['login']})"
    delivery = raw.get("provisional_delivery")
    return Account(
        login=str(raw["login"]).strip().lower(),
        given_name=raw.get("given_name"),
        family_name=raw.get("family_name"),
        profile=_enum(Profile, raw["profile"], f"{where}.profile"),
        state=_enum(AccountState, raw["state"], f"{where}.state"),
        uai=(str(raw["uai"]).upper() if raw.get("uai") else None),
        source=_enum(AccountSource, raw.get("source") or "ent", f"{where}.source"),
        provisional_issued_at=_datetime(raw.get("provisional_issued_at"), f"{where}.provisional_issued_at"),
        provisional_delivery=_enum(Delivery, delivery, f"{where}.provisional_delivery") if delivery else None,
        ent_mail=raw.get("ent_mail"),
        backup_email=raw.get("backup_email"),
        backup_email_validated=bool(raw.get("backup_email_validated", False)),
        validation_link_sent_at=_datetime(raw.get("validation_link_sent_at"), f"{where}.validation_link_sent_at"),
        locked_until=_datetime(raw.get("locked_until"), f"{where}.locked_until"),
        adml_of=tuple(str(uai).upper() for uai in (raw.get("adml_of") or [])),
    )


def _establishment(raw: dict[str, Any], index: int) -> Establishment:
    _check_fields(raw, f"establishments[{index}]", _ESTABLISHMENT_FIELDS, ("uai", "name", "tenant"))
    return Establishment(
        uai=str(raw["uai"]).upper(),
        name=str(raw["name"]),
        tenant=str(raw["tenant"]),
        ent_convention=bool(raw.get("ent_convention", False)),
        city=str(raw["city"]).strip() or None if raw.get("city") else None,
    )


def parse_fixture(raw: Any) -> DirectoryFixture:
    if raw is None:
        return DirectoryFixture((), ())
    if not isinstance(raw, dict):
        raise FixtureError("directory fixture: expected a mapping with establishments and accounts")
    unknown = set(raw) - {"establishments", "accounts"}
    if unknown:
        raise FixtureError(f"directory fixture: unknown key {sorted(unknown)[0]!r}")
    establishments = tuple(_establishment(e, i) for i, e in enumerate(raw.get("establishments") or []))
    accounts = tuple(_account(a, i) for i, a in enumerate(raw.get("accounts") or []))
    duplicates = sorted(login for login, times in Counter(a.login for a in accounts).items() if times > 1)
    if duplicates:
        raise FixtureError(f"directory fixture: login {duplicates[0]!r} appears twice")
    return DirectoryFixture(establishments, accounts)


def load_fixture(path: Path) -> DirectoryFixture:
    try:
        raw = read_yaml(path, FixtureError)
    except UnicodeDecodeError as exc:
        raise FixtureError(f"{path}: {not_utf8(exc)}") from None
    try:
        return parse_fixture(raw)
    except FixtureError as exc:
        raise FixtureError(f"{path.name}: {exc}") from None
