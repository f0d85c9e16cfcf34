"""School holidays per zone from the `vacances-scolaires-france` package (a `HolidayCalendar`)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException


@cache
def _package_dates() -> SchoolHolidayDates:
    """The package's calendar, parsed once per process (14,000 CSV rows, read-only afterwards)."""
    return SchoolHolidayDates()


class SchoolHolidays:
    """Answers `None` for years the package has no data for, rather than failing a diagnosis."""

    def __init__(self) -> None:
        self._dates = _package_dates()
        self._years: dict[tuple[int, str], dict[dt.date, Any]] = {}

    def holiday_name(self, day: dt.date, zone: str) -> str | None:
        key = (day.year, zone)
        if key not in self._years:
            try:
                self._years[key] = self._dates.holidays_for_year_and_zone(day.year, zone)
            except UnsupportedYearException:
                self._years[key] = {}
        entry = self._years[key].get(day)
        return str(entry["nom_vacances"]) if entry else None
