"""The support leads' dashboard, pure: what is asked (`Filters`), how days are grouped into periods, and the figures
built from the database's aggregates (`bot.storage.dashboard` reads them, `bot.services.dashboard` composes).

Tickets are counted by the hour in SQL (their times are UTC) and folded here into the assistant's local days, which
stays right across daylight saving time on every database; chats' days are local already (`chat_days.day`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MAX_DAYS = 800  # a range longer than this is refused (two years and more)
DAYS_BY_DAY = 62  # up to two months, one bar a day; up to a year and a bit, a week; beyond, a month
DAYS_BY_WEEK = 400
NO_DIAGNOSIS = "none"
NOT_ACTIVATED = "not_activated"
RATINGS = (1, 2, 3, 4, 5)


class Granularity(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class TopBy(enum.StrEnum):
    UNACTIVATED = "unactivated"  # chats told their account is not activated
    TICKETS = "tickets"


@dataclass(frozen=True)
class Filters:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive
    tenant: str | None = None
    uai: str | None = None
    top_by: TopBy = TopBy.UNACTIVATED

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the last day is before the first")
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise ValueError(f"at most {MAX_DAYS} days at once")

    def utc_bounds(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The instants the range covers, in UTC: from the first day's local midnight to the one after the last."""
        first = dt.datetime.combine(self.start, dt.time(), zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), zone)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


def granularity_of(filters: Filters) -> Granularity:
    days = (filters.end - filters.start).days + 1
    if days <= DAYS_BY_DAY:
        return Granularity.DAY
    return Granularity.WEEK if days <= DAYS_BY_WEEK else Granularity.MONTH


def period_of(day: dt.date, granularity: Granularity) -> dt.date:
    """The first day of the period `day` falls in: itself, its week's Monday, its month's first."""
    if granularity is Granularity.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def periods(filters: Filters, granularity: Granularity) -> tuple[dt.date, ...]:
    """Every period of the range, in order, the empty ones included."""
    found: dict[dt.date, None] = {}
    day = filters.start
    while day <= filters.end:
        found[period_of(day, granularity)] = None
        day += dt.timedelta(days=1)
    return tuple(found)


def local_day(hour: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The local day of an hour the database counted in UTC (an aware datetime, or a naive one meaning UTC)."""
    aware = hour if hour.tzinfo is not None else hour.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).date()


@dataclass(frozen=True)
class ChatDayCount:
    """An aggregate row of chats' days: a day, the diagnosis given (or none), the ENT (or none), how many chats,
    how many of them a person took over, how many messages were misunderstood."""

    day: dt.date
    diagnosis: str | None
    tenant: str | None
    chats: int
    handed_over: int
    misses: int


@dataclass(frozen=True)
class OpenedCount:
    """Tickets opened in one UTC hour: how many, how many an agent answered, the seconds to those answers."""

    hour: dt.datetime
    opened: int
    answered: int
    seconds_to_answer: float


@dataclass(frozen=True)
class ClosedCount:
    """Tickets closed in one UTC hour with one rating (or none)."""

    hour: dt.datetime
    rating: int | None
    closed: int


@dataclass(frozen=True)
class Ranked:
    key: str  # an ENT's id or a school's UAI ("" when not known)
    name: str
    count: int


@dataclass(frozen=True)
class Totals:
    conversations: int
    handed_over: int
    tickets_opened: int
    tickets_solved: int
    answered: int
    mean_hours_to_answer: float | None
    ratings: int
    mean_rating: float | None
    misses: int

    @property
    def share_without_human(self) -> float | None:
        """The share of chats' days that ended without a person, from 0 to 1; None without any chat."""
        if not self.conversations:
            return None
        return (self.conversations - self.handed_over) / self.conversations


@dataclass(frozen=True)
class Figures:
    filters: Filters
    granularity: Granularity
    periods: tuple[dt.date, ...]
    by_diagnosis: dict[str, tuple[int, ...]]  # diagnosis code (or NO_DIAGNOSIS) → chats a period
    without_human: tuple[int, ...]
    with_human: tuple[int, ...]
    misses: tuple[int, ...]
    tickets_opened: tuple[int, ...]
    tickets_solved: tuple[int, ...]
    hours_to_answer: tuple[float | None, ...]  # mean hours to the first agent answer, tickets opened that period
    ratings: dict[int, tuple[int, ...]]  # rating → tickets closed that period with it
    tenants: tuple[tuple[Ranked, int], ...]  # an ENT, its chats, and its tickets
    schools: tuple[Ranked, ...]  # the top schools, by `filters.top_by`
    totals: Totals


def _counts(values: Mapping[dt.date, int], order: Sequence[dt.date]) -> tuple[int, ...]:
    return tuple(int(values.get(p, 0)) for p in order)


def _in_range(day: dt.date, filters: Filters) -> bool:
    return filters.start <= day <= filters.end


def chats_by_tenant(chat_days: Iterable[ChatDayCount]) -> dict[str | None, int]:
    """How many chats' days each ENT had (None: the chats that never said theirs)."""
    found: dict[str | None, int] = defaultdict(int)
    for row in chat_days:
        found[row.tenant] += row.chats
    return dict(found)


def figures(
    filters: Filters,
    zone: ZoneInfo,
    chat_days: Iterable[ChatDayCount],
    opened: Iterable[OpenedCount],
    closed: Iterable[ClosedCount],
    tenants: Sequence[tuple[Ranked, int]],
    schools: Sequence[Ranked],
) -> Figures:
    """The dashboard's figures, each series over every period of the range (the empty ones as zero)."""
    granularity = granularity_of(filters)
    order = periods(filters, granularity)
    diagnoses: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    handed: dict[dt.date, int] = defaultdict(int)
    alone: dict[dt.date, int] = defaultdict(int)
    missed: dict[dt.date, int] = defaultdict(int)
    for row in chat_days:
        if not _in_range(row.day, filters):
            continue
        period = period_of(row.day, granularity)
        diagnoses[row.diagnosis or NO_DIAGNOSIS][period] += row.chats
        handed[period] += row.handed_over
        alone[period] += row.chats - row.handed_over
        missed[period] += row.misses
    opened_by: dict[dt.date, int] = defaultdict(int)
    answered_by: dict[dt.date, int] = defaultdict(int)
    seconds_by: dict[dt.date, float] = defaultdict(float)
    for hour_opened in opened:
        day = local_day(hour_opened.hour, zone)
        if _in_range(day, filters):
            period = period_of(day, granularity)
            opened_by[period] += hour_opened.opened
            answered_by[period] += hour_opened.answered
            seconds_by[period] += hour_opened.seconds_to_answer
    solved_by: dict[dt.date, int] = defaultdict(int)
    rated: dict[int, dict[dt.date, int]] = {rating: defaultdict(int) for rating in RATINGS}
    for hour_closed in closed:
        day = local_day(hour_closed.hour, zone)
        if _in_range(day, filters):
            period = period_of(day, granularity)
            solved_by[period] += hour_closed.closed
            if hour_closed.rating in rated:
                rated[hour_closed.rating][period] += hour_closed.closed
    answered, seconds = sum(answered_by.values()), sum(seconds_by.values())
    rating_count = sum(sum(by.values()) for by in rated.values())
    rating_sum = sum(rating * sum(by.values()) for rating, by in rated.items())
    conversations = sum(alone.values()) + sum(handed.values())
    return Figures(
        filters=filters,
        granularity=granularity,
        periods=order,
        by_diagnosis={code: _counts(by, order) for code, by in sorted(diagnoses.items(), key=_biggest_first)},
        without_human=_counts(alone, order),
        with_human=_counts(handed, order),
        misses=_counts(missed, order),
        tickets_opened=_counts(opened_by, order),
        tickets_solved=_counts(solved_by, order),
        hours_to_answer=tuple(seconds_by[p] / answered_by[p] / 3600 if answered_by.get(p) else None for p in order),
        ratings={rating: _counts(by, order) for rating, by in rated.items()},
        tenants=tuple(tenants),
        schools=tuple(schools),
        totals=Totals(
            conversations=conversations,
            handed_over=sum(handed.values()),
            tickets_opened=sum(opened_by.values()),
            tickets_solved=sum(solved_by.values()),
            answered=answered,
            mean_hours_to_answer=seconds / answered / 3600 if answered else None,
            ratings=rating_count,
            mean_rating=rating_sum / rating_count if rating_count else None,
            misses=sum(missed.values()),
        ),
    )


def _biggest_first(item: tuple[str, Mapping[dt.date, int]]) -> tuple[int, int, str]:
    """Diagnoses ordered by how many chats got them, "no diagnosis" last (the stack reads from the bottom)."""
    code, by = item
    return (code == NO_DIAGNOSIS, -sum(by.values()), code)
