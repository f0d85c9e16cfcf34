"""The dashboard's figures for a range, an ENT and a school: the database's aggregates (`bot.storage.dashboard`)
put together by the pure core (`bot.core.dashboard`), with the names of the ENTs and of the top schools."""

from __future__ import annotations

import datetime as dt
import logging

from bot.core.chat_days import UAI
from bot.core.dashboard import Figures, Filters, Ranked, TopBy, chats_by_tenant, figures
from bot.directory.port import DirectoryError
from bot.services.container import Services
from bot.storage.dashboard import DashboardQueries

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30


class FiltersRefused(ValueError):
    """A range, ENT or school asked that cannot be: the message says what is wrong, in one line."""


def _day(raw: str | None, name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FiltersRefused(f"`{name}` must be a date written YYYY-MM-DD") from None


def filters(
    services: Services,
    start: str | None = None,
    end: str | None = None,
    tenant: str | None = None,
    uai: str | None = None,
    top_by: str | None = None,
) -> Filters:
    """The filters asked as text (a query string, the command line); what is not given is the default: the
    `DEFAULT_DAYS` days up to the last day (today), every ENT, every school, schools ranked by accounts not
    activated."""
    last = _day(end, "to") or services.local_now().date()
    first = _day(start, "from") or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if tenant and tenant not in services.config.tenants:
        raise FiltersRefused(f"`tenant` must be one of {', '.join(services.config.tenants)}")
    school = uai.strip().upper() if uai else None
    if school and not UAI.match(school):
        raise FiltersRefused("`uai` must be a school code of 7 digits and a letter")
    if top_by and top_by not in TopBy.__members__.values():
        raise FiltersRefused(f"`top_by` must be one of {', '.join(TopBy)}")
    try:
        return Filters(first, last, tenant or None, school or None, TopBy(top_by) if top_by else TopBy.UNACTIVATED)
    except ValueError as exc:
        raise FiltersRefused(str(exc)) from None


def _school_name(services: Services, uai: str) -> str:
    """The school's name from the directory, else its UAI (a directory down does not stop the dashboard)."""
    try:
        found = services.directory.find_establishment(uai)
    except DirectoryError as exc:
        log.warning("no school name for the dashboard: %s", exc)
        return uai
    return found.name if found else uai


def dashboard(services: Services, filters: Filters) -> Figures:
    queries = DashboardQueries(services.sessions, services.database)
    bounds = filters.utc_bounds(services.timezone)
    chat_days = queries.chat_days(filters)
    chats = chats_by_tenant(chat_days)
    tickets = queries.tickets_by_tenant(filters, bounds)
    known = [tid for tid in services.config.tenants if tid in chats or tid in tickets]
    unknown = [None] if None in chats or None in tickets else []
    tenants = [
        (Ranked(tid or "", services.config.tenants[tid].name if tid else "", chats.get(tid, 0)), tickets.get(tid, 0))
        for tid in [*known, *unknown]
    ]
    schools = [Ranked(uai, _school_name(services, uai), n) for uai, n in queries.top_schools(filters, bounds)]
    return figures(
        filters,
        services.timezone,
        chat_days,
        queries.opened(filters, bounds),
        queries.closed(filters, bounds),
        tenants,
        schools,
    )
