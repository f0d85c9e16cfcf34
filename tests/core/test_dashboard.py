"""The dashboard's pure core: periods, the local day of a UTC hour, and what a turn tells of its chat's day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.core.chat_days import turn_usage
from bot.core.dashboard import ClosedCount, Filters, Granularity, OpenedCount, figures, local_day, period_of, periods

PARIS = ZoneInfo("Europe/Paris")


def test_a_utc_hour_falls_on_the_paris_day_in_winter_and_in_summer() -> None:
    assert local_day(dt.datetime(2026, 1, 10, 22, tzinfo=dt.UTC), PARIS) == dt.date(2026, 1, 10)  # 23:00
    assert local_day(dt.datetime(2026, 1, 10, 23), PARIS) == dt.date(2026, 1, 11)  # naive means UTC: midnight
    assert local_day(dt.datetime(2026, 7, 10, 22, tzinfo=dt.UTC), PARIS) == dt.date(2026, 7, 11)  # summer: +2


def test_the_range_covers_local_midnight_to_midnight() -> None:
    start, end = Filters(dt.date(2026, 3, 28), dt.date(2026, 3, 29)).utc_bounds(PARIS)
    assert start == dt.datetime(2026, 3, 27, 23, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC)  # the clocks went forward that night


def test_periods_are_days_weeks_from_monday_or_months() -> None:
    assert period_of(dt.date(2026, 11, 25), Granularity.WEEK) == dt.date(2026, 11, 23)
    assert period_of(dt.date(2026, 11, 25), Granularity.MONTH) == dt.date(2026, 11, 1)
    assert periods(Filters(dt.date(2026, 11, 29), dt.date(2026, 12, 1)), Granularity.DAY) == (
        dt.date(2026, 11, 29),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
    )


def test_hours_outside_the_local_range_and_unrated_tickets_count_as_they_should() -> None:
    asked = Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    opened = [
        OpenedCount(dt.datetime(2026, 11, 1, 23, tzinfo=dt.UTC), 1, 1, 3600),  # the 2nd in Paris
        OpenedCount(dt.datetime(2026, 11, 3, 23, tzinfo=dt.UTC), 5, 0, 0),  # the 4th: outside
    ]
    closed = [ClosedCount(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), None, 2)]
    found = figures(asked, PARIS, [], opened, closed, [], [])
    assert found.tickets_opened == (1, 0) and found.hours_to_answer == (1.0, None)
    assert found.tickets_solved == (2, 0) and found.totals.ratings == 0 and found.totals.mean_rating is None
    assert found.totals.share_without_human is None  # no chat at all


def test_a_turn_keeps_only_known_ents_well_formed_schools_and_the_diagnosis_it_gave() -> None:
    day = dt.date(2026, 11, 25)
    slots = {"tenant": "monlycee", "school_uai": "0750001a", "diagnosis": "not_activated"}
    earlier = turn_usage(day, "web", slots, [], ("monlycee",), None)
    assert (earlier.tenant, earlier.uai, earlier.diagnosis, earlier.handed_over) == (
        "monlycee",
        "0750001A",
        None,
        False,
    )
    events: list[dict[str, object]] = [
        {"event": "slot", "name": "diagnosis", "value": "account_locked"},
        {"event": "slot", "name": "misunderstood", "value": 1},
    ]
    given = turn_usage(day, "telegram", {"tenant": "atlantis", "uai": "le lycée"}, events, ("monlycee",), 7)
    assert (given.tenant, given.uai, given.diagnosis, given.missed, given.handed_over) == (
        None,
        None,
        "account_locked",
        True,
        True,
    )
    odd = turn_usage(day, "web", {}, [{"event": "slot", "name": "diagnosis", "value": "marie.dupont"}], (), None)
    assert odd.diagnosis is None  # only a diagnosis code is kept
