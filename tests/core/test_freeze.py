"""The freeze calendar: announced windows, and school holidays from a calendar."""

from __future__ import annotations

import datetime as dt

from bot.config import FreezeWindow
from bot.core.freeze import FreezeStatus, freeze_status
from bot.holidays import SchoolHolidays

SUMMER = FreezeWindow(start=dt.date(2026, 7, 13), end=dt.date(2026, 8, 21), reason="summer")
WINTER = FreezeWindow(start=dt.date(2027, 2, 20), end=dt.date(2027, 2, 21), reason="maintenance")


class FixedCalendar:
    def __init__(self, holidays: dict[tuple[dt.date, str], str]) -> None:
        self.holidays = holidays

    def holiday_name(self, day: dt.date, zone: str) -> str | None:
        return self.holidays.get((day, zone))


NO_HOLIDAY = FixedCalendar({})


def test_inside_a_window_is_frozen_until_its_last_day() -> None:
    for day in (SUMMER.start, dt.date(2026, 8, 1), SUMMER.end):
        status = freeze_status(day, [WINTER, SUMMER], "C", NO_HOLIDAY)
        assert status.frozen and status.until == SUMMER.end and status.reason == "summer"


def test_outside_every_window_is_not_frozen() -> None:
    for day in (SUMMER.start - dt.timedelta(days=1), SUMMER.end + dt.timedelta(days=1)):
        assert not freeze_status(day, [SUMMER, WINTER], "C", NO_HOLIDAY).frozen


def test_school_holiday_is_reported_per_zone() -> None:
    day = dt.date(2026, 10, 26)
    calendar = FixedCalendar({(day, "C"): "Vacances de la Toussaint"})
    assert freeze_status(day, [], "C", calendar).school_holiday == "Vacances de la Toussaint"
    assert freeze_status(day, [], "B", calendar).school_holiday is None


def test_real_calendar_knows_french_school_holidays() -> None:
    holidays = SchoolHolidays()
    assert holidays.holiday_name(dt.date(2026, 10, 26), "C") == "Vacances de la Toussaint"
    assert holidays.holiday_name(dt.date(2026, 11, 25), "C") is None
    assert holidays.holiday_name(dt.date(1990, 1, 1), "C") is None  # outside the package's years: no failure


def test_the_whole_status_inside_and_outside_a_window() -> None:
    day = dt.date(2026, 8, 1)
    calendar = FixedCalendar({(day, "C"): "Vacances d'été", (dt.date(2026, 10, 26), "C"): "Vacances de la Toussaint"})
    assert freeze_status(day, [SUMMER], "C", calendar) == FreezeStatus(
        frozen=True, until=SUMMER.end, reason="summer", school_holiday="Vacances d'été"
    )
    assert freeze_status(dt.date(2026, 10, 26), [SUMMER], "C", calendar) == FreezeStatus(
        frozen=False, until=None, reason=None, school_holiday="Vacances de la Toussaint"
    )
