"""What a farewell wishes at this hour: a good day until the evening, then a good evening."""

from __future__ import annotations

import datetime as dt

EVENING_FROM = dt.time(18, 0)
MORNING_FROM = dt.time(5, 0)


def part_of_day(moment: dt.time) -> str:
    """`day` from 5:00 to 17:59 (local time), `evening` otherwise; messages.yml words each (`farewell_<part>`)."""
    return "day" if MORNING_FROM <= moment < EVENING_FROM else "evening"
