"""When a notice is due (pure): which freeze windows to announce today, the week of a rentrée digest, the change
since last week, the sending hours and the reminder's delay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.core.notices import (
    announcements_due,
    change,
    current,
    digest_week,
    previous_week,
    reminder_due,
    week_of,
    within_sending_hours,
)

PARIS = dt.timezone(dt.timedelta(hours=2))


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date


SUMMER = Span(dt.date(2026, 7, 13), dt.date(2026, 8, 21))
WINTER = Span(dt.date(2027, 2, 20), dt.date(2027, 2, 22))
RENTREE = [Span(dt.date(2026, 8, 31), dt.date(2026, 10, 16))]


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 7, 5), []),  # 8 days before: not yet
        (dt.date(2026, 7, 6), [SUMMER]),  # 7 days before: the first day it is due
        (dt.date(2026, 7, 12), [SUMMER]),  # the eve: still due (a missed day is caught up)
        (dt.date(2026, 7, 13), []),  # started: the web page's banner says it now
        (dt.date(2026, 8, 1), []),
    ],
)
def test_a_window_is_due_from_n_days_before_it_starts_until_its_eve(today: dt.date, due: list[Span]) -> None:
    assert announcements_due(today, [WINTER, SUMMER], days_before=7) == due


def test_windows_due_together_come_in_order() -> None:
    soon = Span(dt.date(2026, 7, 8), dt.date(2026, 7, 9))
    assert announcements_due(dt.date(2026, 7, 7), [SUMMER, soon], days_before=7) == [soon, SUMMER]


def test_the_current_span_is_the_one_today_falls_in_ends_included() -> None:
    assert current(dt.date(2026, 8, 21), [WINTER, SUMMER]) == SUMMER
    assert current(dt.date(2026, 8, 22), [WINTER, SUMMER]) is None


@pytest.mark.parametrize(
    ("now", "week"),
    [
        (dt.datetime(2026, 8, 30, 9, tzinfo=PARIS), None),  # the Sunday before the rentrée
        (dt.datetime(2026, 8, 31, 7, 59, tzinfo=PARIS), None),  # Monday, before the digest's hour
        (dt.datetime(2026, 8, 31, 8, 0, tzinfo=PARIS), "2026-W36"),
        (dt.datetime(2026, 9, 3, 15, tzinfo=PARIS), "2026-W36"),  # Thursday: a missed Monday caught up
        (dt.datetime(2026, 9, 7, 8, 30, tzinfo=PARIS), "2026-W37"),
        (dt.datetime(2026, 10, 16, 9, tzinfo=PARIS), "2026-W42"),  # the last day of the rentrée
        (dt.datetime(2026, 10, 19, 9, tzinfo=PARIS), None),  # over
    ],
)
def test_the_digest_goes_once_a_week_during_the_rentree_from_its_day_and_hour(
    now: dt.datetime, week: str | None
) -> None:
    assert digest_week(now, RENTREE, weekday=0, hour=8) == week


def test_a_rentree_starting_mid_week_has_its_first_digest_that_week() -> None:
    wednesday = [Span(dt.date(2026, 9, 2), dt.date(2026, 10, 16))]
    assert digest_week(dt.datetime(2026, 9, 2, 9, tzinfo=PARIS), wednesday, weekday=0, hour=8) == "2026-W36"
    assert digest_week(dt.datetime(2026, 9, 1, 9, tzinfo=PARIS), wednesday, weekday=0, hour=8) is None


def test_weeks_are_iso_weeks_and_the_previous_one_crosses_years() -> None:
    assert week_of(dt.date(2026, 9, 6)) == "2026-W36" and week_of(dt.date(2026, 9, 7)) == "2026-W37"
    assert previous_week("2026-W37") == "2026-W36"
    assert previous_week("2027-W01") == "2026-W53"  # 2026 has 53 ISO weeks
    assert previous_week("2026-W01") == "2025-W52"


def test_the_change_since_last_week_is_signed_and_unknown_the_first_week() -> None:
    assert change(12, 15) == -3
    assert change(15, 12) == 3
    assert change(7, 7) == 0
    assert change(7, None) is None


def test_notices_go_only_within_the_sending_hours() -> None:
    assert not within_sending_hours(dt.datetime(2026, 7, 6, 7, 59, tzinfo=PARIS), 8, 20)
    assert within_sending_hours(dt.datetime(2026, 7, 6, 8, 0, tzinfo=PARIS), 8, 20)
    assert within_sending_hours(dt.datetime(2026, 7, 6, 19, 59, tzinfo=PARIS), 8, 20)
    assert not within_sending_hours(dt.datetime(2026, 7, 6, 20, 0, tzinfo=PARIS), 8, 20)


def test_a_reminder_is_due_once_its_delay_has_passed() -> None:
    told = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
    delay = dt.timedelta(hours=72)
    assert not reminder_due(told, told + delay - dt.timedelta(seconds=1), delay)
    assert reminder_due(told, told + delay, delay)
