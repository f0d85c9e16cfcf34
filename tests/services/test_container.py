"""Facts the services fill replies with: the announced freeze windows, as people say dates."""

from __future__ import annotations

import datetime as dt

from bot.config import FreezeWindow
from bot.services.container import date_in_words, freeze_schedule

SUMMER = FreezeWindow(start=dt.date(2026, 7, 13), end=dt.date(2026, 8, 21), reason="summer")
NEW_YEAR = FreezeWindow(start=dt.date(2026, 12, 28), end=dt.date(2027, 1, 1), reason="winter")


def test_announced_windows_are_said_in_words_the_year_once_when_shared() -> None:
    assert freeze_schedule([NEW_YEAR, SUMMER], dt.date(2026, 6, 1)) == (
        "du 13 juillet au 21 août 2026 ; du 28 décembre 2026 au 1er janvier 2027"
    )


def test_windows_over_are_not_announced() -> None:
    assert freeze_schedule([SUMMER, NEW_YEAR], dt.date(2026, 9, 1)) == "du 28 décembre 2026 au 1er janvier 2027"
    assert freeze_schedule([SUMMER], dt.date(2026, 9, 1)) == "aucune coupure n'est annoncée pour le moment"


def test_a_date_in_words() -> None:
    assert date_in_words(dt.date(2027, 3, 1)) == "1er mars 2027"
    assert date_in_words(dt.date(2027, 3, 9), with_year=False) == "9 mars"
