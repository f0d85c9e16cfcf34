"""The dashboard on PostgreSQL, the production database: the same figures as on SQLite (its own expressions for
the UTC hour and the seconds between two instants), and turns counted by its own upsert."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.bootstrap import build_assistant, build_services
from bot.config import AppConfig
from bot.core.dashboard import Filters, TopBy
from bot.directory.fixture import load_fixture
from bot.nlu.model import NluModel
from bot.services import Services
from bot.services.dashboard import dashboard
from bot.storage.db import make_engine, migrate
from bot.storage.models import ChatDay
from tests.conftest import ROOT, Chat, SettableClock
from tests.support.dashboard_seed import seed_dashboard
from tests.support.postgres import Postgres

pytestmark = pytest.mark.postgres


def test_postgresql_gives_the_figures_sqlite_gives(
    postgres: Postgres, config: AppConfig, clock: SettableClock, seeded: Services
) -> None:
    url = postgres.new_database("dashboard")
    engine = make_engine(url)
    migrate(engine)
    seed_dashboard(engine)
    engine.dispose()
    services = build_services(config, clock=clock, database_url=url)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    try:
        for asked in (
            Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 25)),
            Filters(dt.date(2026, 9, 1), dt.date(2026, 11, 30), tenant="monlycee", top_by=TopBy.TICKETS),
            Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 25), uai="0931234B"),
        ):
            on_postgres, on_sqlite = dashboard(services, asked), dashboard(seeded, asked)
            assert on_postgres.totals.mean_hours_to_answer == pytest.approx(on_sqlite.totals.mean_hours_to_answer)
            assert on_postgres.hours_to_answer == pytest.approx(on_sqlite.hours_to_answer)
            same = ("by_diagnosis", "tickets_opened", "tickets_solved", "ratings", "tenants", "schools", "misses")
            for name in same:
                assert getattr(on_postgres, name) == getattr(on_sqlite, name), name
        assert dashboard(services, Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 25))).tickets_opened[2] == 1
    finally:
        services.database.dispose()


def test_turns_count_in_their_chats_day_on_postgresql(
    postgres: Postgres, config: AppConfig, clock: SettableClock, nlu: NluModel
) -> None:
    url = postgres.new_database("dashboard_turns")
    migrate(make_engine(url))
    services = build_services(config, clock=clock, database_url=url)
    services.directory.load_fixture(load_fixture(ROOT / "knowledge" / "demo-directory.yml"))
    chat = Chat(build_assistant(services, nlu), "web:pg-dashboard")
    try:
        chat.say("zorglub plonk wizz")
        chat.say("je n'arrive pas à me connecter")
        chat.say("marie.dupont")
        with services.sessions() as session:
            (day,) = session.scalars(select(ChatDay))
        assert (day.tenant, day.uai, day.diagnosis, day.turns, day.misses) == (
            "monlycee",
            "0750001A",
            "not_activated",
            3,
            1,
        )
    finally:
        services.database.dispose()
