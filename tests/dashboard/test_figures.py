"""The dashboard's figures from the seeded database (tests/data/dashboard_seed.yml works each one out): SQL
aggregates folded into the assistant's days, for a range, an ENT and a school."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dashboard import Filters, Granularity, TopBy
from bot.services import Services
from bot.services.dashboard import FiltersRefused, dashboard, filters

NOVEMBER = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 25))


def test_conversations_are_counted_by_day_and_diagnosis_within_the_range(seeded: Services) -> None:
    found = dashboard(seeded, NOVEMBER)
    assert found.granularity is Granularity.DAY and len(found.periods) == 25
    day = found.periods.index
    assert found.by_diagnosis["not_activated"][day(dt.date(2026, 11, 2))] == 4
    assert found.by_diagnosis["link_expired"][day(dt.date(2026, 11, 2))] == 2
    assert found.by_diagnosis["none"][day(dt.date(2026, 11, 3))] == 4
    assert sum(found.by_diagnosis["not_activated"]) == 7  # the 50 of 31 October are outside the range
    assert list(found.by_diagnosis)[-1] == "none"  # "no diagnosis" tops the stack
    totals = found.totals
    assert (totals.conversations, totals.handed_over, totals.misses) == (16, 5, 11)
    assert totals.share_without_human == pytest.approx(11 / 16)
    assert found.misses[day(dt.date(2026, 11, 3))] == 8


def test_tickets_are_counted_on_the_local_day_with_their_first_answer_and_rating(seeded: Services) -> None:
    found = dashboard(seeded, NOVEMBER)
    day = found.periods.index
    # 23:30 UTC on the 2nd is past midnight in Paris: that ticket is one of the 3rd
    assert found.tickets_opened[day(dt.date(2026, 11, 2))] == 2
    assert found.tickets_opened[day(dt.date(2026, 11, 3))] == 1
    assert found.tickets_solved[day(dt.date(2026, 11, 12))] == 1
    assert found.hours_to_answer[day(dt.date(2026, 11, 2))] == pytest.approx(1.0)  # 30 and 90 minutes
    assert found.hours_to_answer[day(dt.date(2026, 11, 10))] == pytest.approx(2.0)  # the one answered
    totals = found.totals
    assert (totals.tickets_opened, totals.tickets_solved, totals.answered) == (5, 4, 4)
    assert totals.mean_hours_to_answer == pytest.approx(1.25)
    assert totals.mean_rating == pytest.approx(11 / 3)
    assert [found.ratings[r][day(dt.date(2026, 11, 2))] for r in (1, 2, 3, 4, 5)] == [0, 0, 0, 0, 1]


def test_per_ent_and_top_schools(seeded: Services) -> None:
    found = dashboard(seeded, NOVEMBER)
    assert [(r.key, r.count, tickets) for r, tickets in found.tenants] == [
        ("monlycee", 8, 3),
        ("netocentre", 4, 2),
        ("", 4, 0),  # chats that never said their ENT
    ]
    assert [(s.key, s.name, s.count) for s in found.schools] == [
        ("0750001A", "Lycée Jean Moulin", 5),
        ("0450012D", "Lycée Voltaire", 1),
        ("0931234B", "Lycée Paul Éluard", 1),
    ]
    by_tickets = dashboard(seeded, Filters(NOVEMBER.start, NOVEMBER.end, top_by=TopBy.TICKETS))
    assert [(s.key, s.count) for s in by_tickets.schools] == [
        ("0931234B", 2),
        ("0370034E", 1),
        ("0450012D", 1),
        ("0750001A", 1),
    ]


def test_an_ent_and_a_school_narrow_every_figure(seeded: Services) -> None:
    neto = dashboard(seeded, Filters(NOVEMBER.start, NOVEMBER.end, tenant="netocentre"))
    assert (neto.totals.conversations, neto.totals.tickets_opened, neto.totals.misses) == (4, 2, 4)
    assert [r.key for r, _ in neto.tenants] == ["netocentre"]
    school = dashboard(seeded, Filters(NOVEMBER.start, NOVEMBER.end, uai="0931234B"))
    assert (school.totals.conversations, school.totals.handed_over, school.totals.tickets_opened) == (3, 2, 2)
    assert school.totals.mean_rating == pytest.approx(4.5)


def test_a_long_range_is_shown_by_week_then_by_month(seeded: Services) -> None:
    autumn = dashboard(seeded, Filters(dt.date(2026, 9, 1), dt.date(2026, 11, 30)))
    assert autumn.granularity is Granularity.WEEK and autumn.periods[0] == dt.date(2026, 8, 31)  # its Monday
    week = autumn.periods.index(dt.date(2026, 10, 26))
    assert sum(c[week] for c in autumn.by_diagnosis.values()) == 50  # Saturday 31 October
    two_years = dashboard(seeded, Filters(dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
    assert two_years.granularity is Granularity.MONTH and len(two_years.periods) == 24
    assert two_years.totals.conversations == 66 and two_years.totals.tickets_opened == 6


def test_the_filters_asked_as_text(seeded: Services) -> None:
    default = filters(seeded)
    assert (default.start, default.end) == (dt.date(2026, 10, 27), dt.date(2026, 11, 25))  # 30 days up to today
    asked = filters(seeded, "2026-11-01", "2026-11-25", "monlycee", "0750001a", "tickets")
    assert asked == Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 25), "monlycee", "0750001A", TopBy.TICKETS)
    for wrong, message in [
        ({"start": "01/11/2026"}, "`from` must be a date"),
        ({"tenant": "atlantis"}, "`tenant` must be one of monlycee, netocentre"),
        ({"uai": "lycee"}, "`uai` must be a school code"),
        ({"top_by": "noise"}, "`top_by` must be one of"),
        ({"start": "2026-11-25", "end": "2026-11-01"}, "the last day is before the first"),
        ({"start": "2020-01-01"}, "at most 800 days"),
    ]:
        with pytest.raises(FiltersRefused, match=message):
            filters(seeded, **wrong)
