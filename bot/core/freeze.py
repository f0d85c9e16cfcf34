"""Freeze calendar: is the ENT directory suspended today, and is it a school holiday?

Seed 000: once a year, during the summer holidays, access through the ENT directory is suspended while
it is updated and cleaned for the next school year; shorter suspensions may happen during other school
holidays. Announced windows come from config.yml; school holidays come from a `HolidayCalendar` (the
`vacances-scolaires-france` adapter in production).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class HolidayCalendar(Protocol):
    def holiday_name(self, day: dt.date, zone: str) -> str | None:
        """The name of the school holiday covering `day` in `zone`, or None (also when unknown)."""


class FreezeWindowLike(Protocol):
    """A freeze window as configured (read-only: the configuration is frozen)."""

    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True)
class FreezeStatus:
    frozen: bool
    until: dt.date | None  # last day of the window (inclusive)
    reason: str | None
    school_holiday: str | None  # "Vacances de la Toussaint" when today is a school holiday in the zone


def freeze_status(
    today: dt.date, windows: Iterable[FreezeWindowLike], zone: str, calendar: HolidayCalendar
) -> FreezeStatus:
    """Inside an announced window → frozen until its end; otherwise only notes a school holiday."""
    holiday = calendar.holiday_name(today, zone)
    for window in sorted(windows, key=lambda w: w.start):
        if window.start <= today <= window.end:
            return FreezeStatus(frozen=True, until=window.end, reason=window.reason, school_holiday=holiday)
    return FreezeStatus(frozen=False, until=None, reason=None, school_holiday=holiday)


NOT_FROZEN = FreezeStatus(frozen=False, until=None, reason=None, school_holiday=None)
