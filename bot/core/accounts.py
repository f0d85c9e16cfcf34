"""Domain types shared by the core, the directory adapters and the actions."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

LOGIN_PATTERN = r"[a-z][a-z\-]*\.[a-z][a-z\-]*\d*"
"""An ENT identifier: `prenom.nom`, with a digit suffix for homonyms (`marie.dupont2`); lower case.
The default of every tenant's `login_patterns`; a tenant may add its operator's own formats."""

DEFAULT_LOGIN_PATTERNS: tuple[str, ...] = (LOGIN_PATTERN,)
LOGIN_MAX_LENGTH = 64


def login_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be an identifier format (one line), or None when it can."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    if compiled.fullmatch(""):
        return "matches an empty identifier"
    return None


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def matches_login(text: str, patterns: Iterable[str] = DEFAULT_LOGIN_PATTERNS) -> bool:
    """Whether `text`, lower-cased, is wholly an identifier of one of `patterns` (at most 64 characters)."""
    candidate = text.lower()
    if not candidate or len(candidate) > LOGIN_MAX_LENGTH:
        return False
    return any(pattern.fullmatch(candidate) for pattern in _compiled(tuple(patterns)))


class Profile(enum.StrEnum):
    STUDENT = "student"
    PARENT = "parent"
    TEACHER = "teacher"
    STAFF = "staff"
    ENT_SUPPORT = "ent_support"
    CRIDF = "cridf"
    CRIDF_CONTRACTOR = "cridf_contractor"
    SCHOOL_CONTRACTOR = "school_contractor"
    DSI_ACADEMIQUE = "dsi_academique"
    OTHER = "other"


class AccountState(enum.StrEnum):
    PROVISIONAL = "provisional"  # created, never activated
    ACTIVE = "active"
    RESET = "reset"  # must be re-activated with "Mon compte a été réinitialisé"
    DISABLED = "disabled"


class AccountSource(enum.StrEnum):
    ENT = "ent"  # federated directory, CAS
    LOCAL = "local"  # CESAME local (NoCAS) account


class Delivery(enum.StrEnum):
    SCHOOL = "school"  # handed out by the school
    MAIL = "mail"  # creation mail sent


@dataclass(frozen=True)
class Establishment:
    uai: str
    name: str
    tenant: str
    ent_convention: bool = False
    city: str | None = None


@dataclass(frozen=True)
class Account:
    """What the directory (and the activation store) know of one account."""

    login: str
    profile: Profile
    state: AccountState
    given_name: str | None = None
    family_name: str | None = None
    uai: str | None = None
    source: AccountSource = AccountSource.ENT
    provisional_issued_at: dt.datetime | None = None
    provisional_delivery: Delivery | None = None
    ent_mail: str | None = None
    backup_email: str | None = None
    backup_email_validated: bool = False
    validation_link_sent_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None
    adml_of: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_adml(self) -> bool:
        return bool(self.adml_of)
