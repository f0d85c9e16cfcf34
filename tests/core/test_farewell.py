"""A goodbye wishes a good day until the evening, a good evening after."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.farewell import part_of_day


@pytest.mark.parametrize(
    ("hour", "minute", "part"),
    [(5, 0, "day"), (10, 0, "day"), (17, 59, "day"), (18, 0, "evening"), (23, 30, "evening"), (4, 59, "evening")],
)
def test_the_part_of_day_turns_at_five_and_at_six_in_the_evening(hour: int, minute: int, part: str) -> None:
    assert part_of_day(dt.time(hour, minute)) == part
