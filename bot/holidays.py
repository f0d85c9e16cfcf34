"""School holidays per zone from the `vacances-scolaires-france` package (a `HolidayCalendar`)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException


@cache
def _package_dates() -> SchoolHolidayDates:
    """The package's calendar, parsed once per process at its first question (14,000 CSV rows, read-only)."""
    return SchoolHolidayDates()


class SchoolHolidays:
    """Answers `None` for years the package has no data for, rather than failing a diagnosis.

    The package's table (a CSV of every day from 1990 to 2028, parsed row by row: a fifth of a second) is read at the
    first question, not at start-up: most turns never ask one.
    """

    def __init__(self) -> None:
        self._years: dict[tuple[int, str], dict[dt.date, Any]] = {}

    @property
    def _dates(self) -> SchoolHolidayDates:
        return _package_dates()

    def holiday_name(self, day: dt.date, zone: str) -> str | None:
        key = (day.year, zone)
        if key not in self._years:
            try:
                self._years[key] = self._dates.holidays_for_year_and_zone(day.year, zone)
            except UnsupportedYearException:
                self._years[key] = {}
        entry = self._years[key].get(day)
        return str(entry["nom_vacances"]) if entry else None
