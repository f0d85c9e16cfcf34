"""The account and the moments the diagnosis tests start from (each test changes one field of `ACTIVE`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.core.accounts import Account, AccountState, Profile
from bot.core.diagnosis import TenantRules
from bot.core.freeze import FreezeStatus

NOW = dt.datetime(2026, 9, 15, 10, 0, tzinfo=dt.UTC)
RULES = TenantRules(validation_link_hours=48, freeze_windows=(), zone="C")
FROZEN = FreezeStatus(frozen=True, until=dt.date(2026, 8, 21), reason="summer", school_holiday="Vacances d'été")
HOLIDAY = FreezeStatus(frozen=False, until=None, reason=None, school_holiday="Vacances de la Toussaint")

ACTIVE = Account(
    login="marie.dupont",
    profile=Profile.STUDENT,
    state=AccountState.ACTIVE,
    uai="0750001A",
    backup_email="marie@example.org",
    backup_email_validated=True,
)


def with_(**changes: Any) -> Account:
    """`ACTIVE` with `changes`."""
    return dataclasses.replace(ACTIVE, **changes)
