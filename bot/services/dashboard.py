"""The dashboard's figures for a range, an ENT and a school: the database's aggregates (`bot.storage.dashboard`)
put together by the pure core (`bot.core.dashboard`), with the names of the ENTs and of the top schools."""

from __future__ import annotations

import datetime as dt
import logging

from bot.core.dashboard import Figures, Filters, Ranked, TopBy, figures
from bot.directory.port import DirectoryError
from bot.services.container import Services
from bot.storage.dashboard import DashboardQueries

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30


def default_filters(services: Services, days: int = DEFAULT_DAYS) -> Filters:
    """The last `days` days up to today, every ENT and school."""
    today = services.local_now().date()
    return Filters(start=today - dt.timedelta(days=days - 1), end=today)


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
    chats_by_tenant = queries.chats_by_tenant(filters)
    tickets_by_tenant = queries.tickets_by_tenant(filters, bounds)
    known = [tid for tid in services.config.tenants if tid in chats_by_tenant or tid in tickets_by_tenant]
    unknown = [None] if None in chats_by_tenant or None in tickets_by_tenant else []
    tenants = [
        (
            Ranked(tid or "", services.config.tenants[tid].name if tid else "", chats_by_tenant.get(tid, 0)),
            tickets_by_tenant.get(tid, 0),
        )
        for tid in [*known, *unknown]
    ]
    schools = [Ranked(uai, _school_name(services, uai), n) for uai, n in queries.top_schools(filters, bounds)]
    return figures(
        filters,
        services.timezone,
        queries.chat_days(filters),
        queries.opened(filters, bounds),
        queries.closed(filters, bounds),
        tenants,
        schools,
    )


__all__ = ["DEFAULT_DAYS", "Figures", "Filters", "TopBy", "dashboard", "default_filters"]
