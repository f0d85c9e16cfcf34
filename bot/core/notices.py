"""When a notice is due: a freeze window's announcement, the rentrée's weekly digest, a reminder to activate.

Pure decisions on local dates and times; the jobs (`bot.services.notices`) ask them, then send each notice at
most once under the key these functions name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar


class DaySpan(Protocol):
    """Days from `start` to `end`, inclusive (a freeze window, a rentrée period: read-only configuration)."""

    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...


S = TypeVar("S", bound=DaySpan)


def announcements_due(today: dt.date, windows: Iterable[S], days_before: int) -> list[S]:
    """The windows to announce today: those starting within `days_before` days, not started yet. A window is due
    every day of that span, so that a day the jobs did not run is caught up the next day (each is sent once)."""
    return sorted(
        (w for w in windows if w.start - dt.timedelta(days=days_before) <= today < w.start), key=lambda w: w.start
    )


def current(today: dt.date, spans: Iterable[S]) -> S | None:
    """The span `today` falls in, the earliest when several do."""
    inside = sorted((s for s in spans if s.start <= today <= s.end), key=lambda s: s.start)
    return inside[0] if inside else None


def week_of(day: dt.date) -> str:
    """The ISO week of `day`, as digests are keyed: `2026-W36`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_week(now: dt.datetime, rentree: Sequence[DaySpan], weekday: int, hour: int) -> str | None:
    """The week whose digest is due at local time `now`, or None: a day of a rentrée period, from the digest's
    weekday and hour on (a later day of the same week catches a missed run up; the week's digest goes once)."""
    today = now.date()
    if current(today, rentree) is None or (today.weekday(), now.hour) < (weekday, hour):
        return None
    return week_of(today)


def previous_week(week: str) -> str:
    """The ISO week before `week` (`2026-W01` → `2025-W53` when that year had one)."""
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return week_of(monday - dt.timedelta(days=7))


def change(count: int, last_week: int | None) -> int | None:
    """How many more accounts are still to activate than last week (negative: fewer); None without last week's."""
    return None if last_week is None else count - last_week


def within_sending_hours(now: dt.datetime, from_hour: int, until_hour: int) -> bool:
    """Whether a notice may go at local time `now` (nobody is woken by one)."""
    return from_hour <= now.hour < until_hour


def reminder_due(told_at: dt.datetime, now: dt.datetime, delay: dt.timedelta) -> bool:
    """Whether a user told 'not activated' at `told_at` is due their reminder at `now`."""
    return now >= told_at + delay
