"""What one turn adds to its chat's day for the dashboard (`bot.storage.usage` stores it): nothing personal, only
the ENT and school the chat told, the diagnosis the turn gave, whether a person had the chat, a misunderstanding."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.diagnosis import DiagnosisCode

UAI = re.compile(r"^\d{7}[A-Z]$")
SCHOOL_SLOTS = ("school_uai", "uai")  # the school of the account diagnosed, else the one the user named
DIAGNOSES = frozenset(code.value for code in DiagnosisCode)


@dataclass(frozen=True)
class TurnUsage:
    day: dt.date  # in the assistant's time zone
    channel: str
    tenant: str | None
    uai: str | None
    diagnosis: str | None  # given by this turn (a chat's earlier diagnosis is not counted again)
    handed_over: bool  # the chat had a ticket open after the turn
    missed: bool  # the assistant did not understand the message (it offered topics instead)
    ticket_id: int | None  # that ticket, whose school is filled in when known


def _school(slots: Mapping[str, Any]) -> str | None:
    for name in SCHOOL_SLOTS:
        value = slots.get(name)
        if isinstance(value, str) and UAI.match(value.strip().upper()):
            return value.strip().upper()
    return None


def _set_in(events: Sequence[Mapping[str, Any]], slot: str) -> list[Any]:
    return [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == slot]


def turn_usage(
    day: dt.date,
    channel: str,
    slots: Mapping[str, Any],
    turn_events: Sequence[Mapping[str, Any]],
    tenants: Sequence[str],
    ticket_id: int | None,
) -> TurnUsage:
    """The turn's usage from the slots after it and the events it added; an ENT not in `tenants` is not kept."""
    tenant = slots.get("tenant")
    diagnoses = [value for value in _set_in(turn_events, "diagnosis") if value in DIAGNOSES]
    misses = [value for value in _set_in(turn_events, "misunderstood") if isinstance(value, int) and value > 0]
    return TurnUsage(
        day=day,
        channel=channel,
        tenant=tenant if tenant in tenants else None,
        uai=_school(slots),
        diagnosis=diagnoses[-1] if diagnoses else None,
        handed_over=ticket_id is not None,
        missed=bool(misses),
        ticket_id=ticket_id,
    )
