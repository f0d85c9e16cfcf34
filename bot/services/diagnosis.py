"""Diagnose this account now: the one service the chat's diagnosis and `python -m bot account` both call."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.accounts import Account
from bot.core.diagnosis import Diagnosis, diagnose
from bot.core.freeze import FreezeStatus
from bot.services.container import Services


@dataclass(frozen=True)
class AccountCheck:
    tenant: str | None  # the ENT whose rules were applied (None: not known yet, see bot.services.container)
    freeze: FreezeStatus
    diagnosis: Diagnosis


def check_account(
    services: Services, account: Account | None, reported: str | None = None, tenant_hint: str | None = None
) -> AccountCheck:
    """`account` diagnosed now with its ENT's rules: its school's ENT, else `tenant_hint` (what the chat knows)."""
    tenant = services.tenant_of(account) or tenant_hint
    freeze = services.freeze(tenant)
    result = diagnose(account, services.now(), services.tenant_rules(tenant), freeze, reported=reported)
    return AccountCheck(tenant, freeze, result)
